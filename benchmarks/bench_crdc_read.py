"""Time reading a national-size CRDC school file: a generated 2015-16-style wide file, read by the reader.

    .venv/bin/python benchmarks/bench_crdc_read.py [--schools 97000] [--columns 1800] [--keep DIR]

The file is SYNTHETIC: the 2015-16 layout's id and count columns, filler columns up to `--columns`
(about 1,800, the width the issue gives for the real file), random small counts, and one
Windows-1252 school name ("SYNTHETIC PEÑASCO HIGH") in the LAST row, so the encoding is only told
apart at the end of the file (the worst case: the whole file is scanned as UTF-8 and then as
Windows-1252). It is written to a temporary folder (several hundred MB, never committed) and removed
afterwards unless `--keep` names a folder to write it to (a file already there is reused).

`read_crdc_year` runs in a child process; the script prints its wall time and the child's peak
resident memory (`resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`), against the targets: under 30 s
and under 3 GB. Wall time on a shared 2-core machine includes other people's work. This is a script,
not a test: it prints and never fails on the numbers.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from sro_research.readers.crdc_layouts import count_columns

YEAR, NAME = "2015-16", "CRDC 2015-16 School Data.csv"
IDS = ["LEA_STATE", "LEA_STATE_NAME", "LEAID", "LEA_NAME", "SCHID", "SCH_NAME", "COMBOKEY", "JJ"]
TARGET_SECONDS, TARGET_BYTES = 30, 3 * 1024**3
TEMPLATES = 1000  # distinct bodies of counts, reused row after row (parsing cost is the same)
CHILD = """
import json, sys, time
from sro_research.readers.crdc import read_crdc_year
start = time.perf_counter()
data = read_crdc_year(sys.argv[1], sys.argv[2])
print(json.dumps({"seconds": time.perf_counter() - start, "schools": len(data.schools),
                  "count_rows": len(data.counts), "reserve_rows": len(data.reserve)}))
"""


def write_national_file(folder: Path, schools: int, width: int, seed: int = 2015) -> Path:
    """A SYNTHETIC 2015-16-style school file of `schools` rows and `width` columns; returns its path."""
    rng = np.random.default_rng(seed)
    counts = count_columns(YEAR, NAME)
    fillers = [f"SCH_SYNTHETIC_FILLER_{n:04d}" for n in range(max(0, width - len(IDS) - len(counts)))]
    bodies = []
    for _ in range(TEMPLATES):
        values = rng.poisson(3, size=len(counts) + len(fillers)).astype(str)
        values[rng.random(len(values)) < 0.01] = "-9"  # reserve codes, valid in 2015-16
        bodies.append(",".join(values))
    path = folder / YEAR / NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    states = ["AL", "CA", "MN", "NY", "TX", "PR", "WI", "DC"]
    with open(path, "w", encoding="cp1252", newline="") as out:
        out.write(",".join(IDS + counts + fillers) + "\r\n")
        lines = []
        for n in range(schools):
            state = states[n % len(states)]
            leaid, schid = f"{n // 50 + 100000:07d}", f"{n % 100000:05d}"
            name = "SYNTHETIC PEÑASCO HIGH" if n == schools - 1 else f"SYNTHETIC SCHOOL {n}"
            ids = [state, "SYNTHETIC STATE", leaid, f"SYNTHETIC DISTRICT {leaid}", schid, name, leaid + schid,
                   "Yes" if n % 500 == 0 else "No"]
            lines.append(",".join(ids) + "," + bodies[n % TEMPLATES] + "\r\n")
            if len(lines) == 2000:
                out.writelines(lines)
                lines = []
        out.writelines(lines)
    return path


def measure(root: Path) -> dict:
    """Read the year in a child process; its wall time (own clock) and peak resident memory."""
    result = subprocess.run([sys.executable, "-c", CHILD, str(root), YEAR], capture_output=True, text=True, check=True)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the one child; ru_maxrss in KiB on Linux
    return {**json.loads(result.stdout), "peak_bytes": usage.ru_maxrss * 1024, "cpu_seconds": usage.ru_utime + usage.ru_stime}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=97_000)
    parser.add_argument("--columns", type=int, default=1_800)
    parser.add_argument("--keep", type=Path, help="write the file under this folder and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crdc-bench-") as tmp:
        root = args.keep or Path(tmp)
        start = time.perf_counter()
        path = root / YEAR / NAME
        reused = bool(args.keep and path.is_file())
        if not reused:
            write_national_file(root, args.schools, args.columns)
        done = "reused" if reused else f"written in {time.perf_counter() - start:.1f} s"
        print(f"SYNTHETIC {YEAR} school file: {args.schools:,} schools x {args.columns:,} columns, "
              f"{path.stat().st_size / 1e6:,.0f} MB, {done}")
        result = measure(root)
    seconds, peak = result["seconds"], result["peak_bytes"]
    print(f"read_crdc_year: {seconds:.1f} s (target < {TARGET_SECONDS} s: {'met' if seconds < TARGET_SECONDS else 'MISSED'}); "
          f"peak memory {peak / 1024**3:.2f} GiB (target < 3 GiB: {'met' if peak < TARGET_BYTES else 'MISSED'})")
    print(f"  CPU time of the reading process (start-up and imports included): {result['cpu_seconds']:.1f} s; "
          f"a busy shared machine stretches wall time, not CPU time")
    print(f"  {result['schools']:,} schools, {result['count_rows']:,} count rows, {result['reserve_rows']:,} reserve rows")


if __name__ == "__main__":
    main()
