"""Build speed on the project's own notebooks: `sro-research build` against the naive chain.

Prints, in one run on this machine:
  - the naive chain a user would otherwise run, one report at a time: `papermill` then
    `jupyter nbconvert --to html --no-input`;
  - the full build, forced (`sro-research build --force`), and its ratio to the naive chain;
  - a rebuild with nothing changed (the whole command, interpreter start included; median of 5);
  - where the time goes: interpreter plus imports, kernel start, execution, rendering;
  - with --fan-out N: a fixture notebook built N times with --jobs 1, --jobs 2 and a dask LocalCluster.

    PYTHONPATH=. SSOCS_DIR=... python benchmarks/bench_build.py [--fan-out 40] [--skip-naive]

Output goes to temporary folders; reports/ is not touched.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(command: list[str], env: dict | None = None, cwd: Path = ROOT, ok=(0, 1)) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in ok:
        sys.exit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return seconds


def naive_chain(work: Path) -> float:
    """papermill then nbconvert, one report after another, as the README's manual route."""
    reports = tomllib.loads((ROOT / "reports.toml").read_text())["reports"]
    total = 0.0
    work.mkdir(parents=True, exist_ok=True)
    for name, spec in reports.items():
        executed = work / f"{name}.ipynb"
        params = [arg for key, value in spec.get("parameters", {}).items() for arg in ("-p", key, str(value))]
        env = {"SRO_PROJECT_ROOT": str(ROOT), "SRO_REPORT_NAME": name, "SRO_TABLES_DIR": str(work / "tables" / name)}
        total += _run([str(BIN / "papermill"), str(ROOT / spec["notebook"]), str(executed), "--cwd", str(ROOT),
                       "--no-progress-bar", *params], env, ok=(0,))
        total += _run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)], env, ok=(0,))
    return total


def build(out: Path, *args: str, config: Path | None = None) -> float:
    command = [sys.executable, "-m", "sro_research", *(["--config", str(config)] if config else []),
               "build", "--out", str(out), *args]
    return _run(command)


def breakdown(out: Path) -> dict[str, float]:
    """Seconds spent per stage, measured apart (each on an otherwise idle build)."""
    stages = {}
    stages["interpreter + papermill/nbconvert imports"] = _run(
        [sys.executable, "-c", "import papermill, nbconvert, nbformat"])
    stages["... of which rfc3987_syntax (jsonschema, skipped by the build)"] = _run(
        [sys.executable, "-c", "import rfc3987_syntax"]) - _run([sys.executable, "-c", "pass"])
    code = ("import time; from jupyter_client.manager import start_new_kernel; t = time.perf_counter(); "
            "km, kc = start_new_kernel(); print(time.perf_counter() - t); kc.stop_channels(); km.shutdown_kernel(now=True)")
    stages["kernel start (one)"] = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout)
    log = [json.loads(line) for line in (out / "build-log.jsonl").read_text().splitlines()]
    stages["kernel start + execution + rendering, summed over reports"] = sum(
        e["seconds"] for e in log if e["reason"] == "--force" and e["status"] == "built")
    sys.path.insert(0, str(ROOT))
    import nbformat

    from sro_research.build.render import render_html

    started = time.perf_counter()
    for executed in sorted((out / "executed").glob("*.ipynb")):
        render_html(nbformat.read(executed, as_version=4), executed.stem)
    stages["rendering alone, summed over reports"] = time.perf_counter() - started
    return stages


def fan_out(count: int, work: Path):
    """Yields (how, seconds) as each way of running the fan-out finishes."""
    sys.path.insert(0, str(ROOT))
    from tests.test_build_scale import fan_out_config

    project = work / "fanout"
    shutil.copytree(ROOT / "tests" / "fixtures" / "project", project)
    config = fan_out_config(project, count)
    for jobs in ("1", "2"):
        yield f"--jobs {jobs}", build(project / f"out-{jobs}", "--jobs", jobs, config=config)
    from distributed import LocalCluster

    # Worker threads in this process, reachable over TCP by the build command (a separate process).
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp",
                      dashboard_address=None) as cluster:
        yield "LocalCluster (2 threads)", build(project / "out-dask", "--scheduler", cluster.scheduler_address, config=config)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fan-out", type=int, default=0, metavar="N", help="also time a fixture notebook built N times")
    parser.add_argument("--skip-naive", action="store_true", help="skip the naive chain (slow)")
    parser.add_argument("--fan-out-only", action="store_true", help="time only the fan-out")
    args = parser.parse_args()
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        work = Path(tmp)
        out = work / "reports"
        if args.fan_out_only:
            args.skip_naive = True
        if not args.skip_naive:
            naive = naive_chain(work / "naive")
            print(f"naive chain (papermill + nbconvert, one by one): {naive:6.1f} s", flush=True)
        forced = build(out, "--force") if not args.fan_out_only else 0.0
        if forced:
            print(f"sro-research build --force:                      {forced:6.1f} s")
        if not args.skip_naive:
            print(f"ratio build / naive chain:                       {forced / naive:6.2f}  (target <= 0.35)")
        if not args.fan_out_only:
            _report_build(out, forced)
        if args.fan_out:
            print(f"fan-out: fixture notebook x {args.fan_out}:", flush=True)
            for how, seconds in fan_out(args.fan_out, work):
                print(f"  {how:26s} {seconds:6.1f} s", flush=True)


def _report_build(out: Path, forced: float) -> None:
    no_change = statistics.median(build(out) for _ in range(5))
    print(f"rebuild with nothing changed (whole command):    {no_change:6.2f} s  (target < 0.5)", flush=True)
    print("where the time goes:")
    for stage, seconds in breakdown(out).items():
        print(f"  {stage:58s} {seconds:6.1f} s", flush=True)


if __name__ == "__main__":
    main()
