"""Time the full SSOCS estimate table and its tested differences, beside svy 0.35 and R's survey.

    .venv/bin/python benchmarks/bench_ssocs_table.py [--ssocs-dir DIR] [--repeat 7] [--no-r]

"Full table" = all five years x every indicator x every domain (all, level, level_grouped,
enrollment size, locale, minority, percent White, peer group), each with its jackknife SE,
Korn-Graubard or Clopper-Pearson interval, design df, design effect, effective n and weighted number
of schools with its SE (`ssocs_estimates.estimate_table`), plus every tested difference
(`ssocs_differences.difference_table`: year changes, peer group vs all high schools, subgroups).
Target: under 0.5 s from the loaded frame. Wall time on a shared 2-core machine includes other
people's work, so the script also prints this process's CPU time (`time.process_time`).
This is a script, not a test: it prints timings and never fails on them.

Side by side, on the same year x indicator x domain cells:
  * svy (PyPI, not a project dependency): `pip install --target /tmp/svylib svy==0.35.0`, then run
    with PYTHONPATH=$PWD:/tmp/svylib. Means with replicate SEs only (no intervals, deff or totals).
  * R's survey package (Debian r-cran-survey), when Rscript is installed: the harmonized frame is
    written to a temporary CSV, and R times svyby(svymean, deff = TRUE) and svyby(svytotal) for the
    same cells and withReplicates for the peer-vs-high-school differences (reading the CSV is not timed).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sro_research.analysis import ssocs_differences, ssocs_estimates
from sro_research.readers import ssocs


def timed(function, repeat: int) -> tuple[float, float, float, object]:
    """(best wall, median wall, median CPU) seconds over `repeat` runs, and the last result."""
    wall, cpu, result = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = function()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(wall), statistics.median(wall), statistics.median(cpu), result


def full_table(frame: pd.DataFrame):
    table = ssocs_estimates.estimate_table(data=frame)
    return table, ssocs_differences.difference_table(frame, table)


def domain_frames(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each year's rows with the all and peer_group columns, domains as plain text (None = no domain)."""
    out = {}
    for year, rows in frame.groupby("year", sort=False):
        rows = ssocs_estimates.domain_frame(rows, year, None)
        for column in ssocs.DOMAINS:
            rows[column] = rows[column].astype(object).where(rows[column].notna(), None)
            rows[column] = rows[column].map(lambda v: None if v is None else str(v))
        out[year] = rows
    return out


def svy_table(frame: pd.DataFrame, table: pd.DataFrame):
    """The same year x indicator x domain means through svy (replication, JK1, centred on the estimate)."""
    import polars as pl
    import svy

    samples = {}
    for year, rows in domain_frames(frame).items():
        columns = [*ssocs.DOMAINS, *ssocs.INDICATORS, ssocs.WEIGHT, *ssocs.REPWEIGHTS]
        design = svy.Design(wgt=ssocs.WEIGHT, rep_wgts=svy.JackknifeWgts(prefix="REPWGT", n_reps=ssocs.N_REPLICATES, kind="jk1"))
        samples[year] = svy.Sample(pl.from_pandas(rows[columns].reset_index(drop=True)), design)

    def run():
        results = []
        for (year, indicator, domain), _ in table.groupby(["year", "indicator", "domain_variable"], sort=False):
            where = svy.col(domain).is_not_null() if domain != "all" else None
            results.append(samples[year].estimation.mean(
                indicator, by=None if domain == "all" else domain, where=where, method="replication",
                variance_center="estimate", drop_nulls=True,
            ))
        return results

    return run


R_SCRIPT = r"""
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE, na.strings = "")
cells <- read.csv(args[2], stringsAsFactors = FALSE)
repeats <- as.integer(args[3])
run <- function() {
  for (year in unique(cells$year)) {
    rows <- d[d$year == year, ]
    des <- svrepdesign(data = rows, weights = ~FINALWGT, repweights = "REPWGT[0-9]+", type = "JK1", scale = 49 / 50, mse = TRUE)
    for (i in which(cells$year == year)) {
      f <- as.formula(paste0("~", cells$indicator[i])); dom <- cells$domain_variable[i]
      if (dom == "all") { svymean(f, des, deff = TRUE); svytotal(f, des) } else {
        sub <- subset(des, !is.na(des$variables[[dom]]))
        svyby(f, as.formula(paste0("~", dom)), sub, svymean, deff = TRUE)
        svyby(f, as.formula(paste0("~", dom)), sub, svytotal)
      }
    }
    for (ind in unique(cells$indicator[cells$year == year])) {
      hs <- rows$level == "High school"; peer <- !is.na(rows$peer_group)
      withReplicates(des, function(w, data) {
        y <- data[[ind]]; sum(w * y * peer) / sum(w * peer) - sum(w * y * hs) / sum(w * hs)
      })
    }
  }
}
times <- replicate(repeats, system.time(run())[["elapsed"]])
cat(sprintf("%.4f %.4f\n", min(times), median(times)))
"""


def r_table(frame: pd.DataFrame, table: pd.DataFrame, repeat: int) -> tuple[float, float] | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        pd.concat(domain_frames(frame).values()).to_csv(folder / "ssocs.csv", index=False)
        table[["year", "indicator", "domain_variable"]].drop_duplicates().to_csv(folder / "cells.csv", index=False)
        (folder / "bench.R").write_text(R_SCRIPT, encoding="utf-8")
        done = subprocess.run(["Rscript", str(folder / "bench.R"), str(folder / "ssocs.csv"), str(folder / "cells.csv"), str(repeat)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            print(f"  R failed: {done.stderr.strip()[-300:]}")
            return None
        best, median = (float(x) for x in done.stdout.split())
        return best, median


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ssocs-dir", default=None, help="SSOCS folder (default $SSOCS_DIR, else data/ssocs)")
    parser.add_argument("--repeat", type=int, default=7, help="runs per timing (best and median shown)")
    parser.add_argument("--no-r", action="store_true", help="skip the R comparison")
    args = parser.parse_args(argv)
    folder = ssocs.find_ssocs_dir(args.ssocs_dir)
    if folder is None:
        print(f"no SSOCS folder: pass --ssocs-dir or set ${ssocs.SSOCS_DIR_ENV}", file=sys.stderr)
        return 2
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"SSOCS folder: {folder}; CPUs: {os.cpu_count()} (load average {load}); numpy {np.__version__}, pandas {pd.__version__}; "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")

    start = time.perf_counter()
    frame = ssocs.load_ssocs(ssocs_dir=folder)
    cold_load = time.perf_counter() - start
    best, median, cpu, (table, differences) = timed(lambda: full_table(frame), args.repeat)
    print(f"full table: {len(table)} estimates ({table['year'].nunique()} years, {table['indicator'].nunique()} indicators, "
          f"{table['domain_variable'].nunique()} domain variables) with {len(table.columns)} columns, and {len(differences)} tested differences")
    print(f"  read + harmonize + verify five files, first time:      {cold_load:7.3f} s")
    print(f"  table + differences from the loaded frame, wall:       {best:7.3f} best / {median:.3f} median s")
    print(f"  table + differences from the loaded frame, CPU:        {cpu:7.3f} median s (target < 0.5 s: {'met' if cpu < 0.5 else 'NOT met'})")

    try:
        import svy
    except ImportError:
        print("  svy is not importable: no svy comparison (see this script's docstring)")
    else:
        run = svy_table(frame, table)
        svy_best, svy_median, svy_cpu, results = timed(run, max(1, min(args.repeat, 3)))
        print(f"  svy {svy.__version__}, {len(results)} mean calls (SEs only):     {svy_best:7.3f} best / {svy_median:.3f} median s wall, {svy_cpu:.3f} s CPU")
    if not args.no_r:
        timing = r_table(frame, table, max(1, min(args.repeat, 3)))
        if timing is None:
            print("  R's survey package: not run (no Rscript, or it failed)")
        else:
            print(f"  R survey (svyby svymean deff + svytotal, withReplicates): {timing[0]:7.3f} best / {timing[1]:.3f} median s elapsed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
