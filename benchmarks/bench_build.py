"""Build speed: `sro-research build` against the naive chain, and the per-report cost of a district fan-out.

Prints, in one run on this machine:
  - the naive chain a user would otherwise run, one report at a time: `papermill` then
    `jupyter nbconvert --to html --no-input` (every report, or those named by --reports);
  - the full build of the same reports, forced (`sro-research build --force`), with forked (warm)
    kernels and with plain ones ($SRO_FORKED_KERNELS=0), and the ratio of each to the naive chain;
  - a rebuild with nothing changed (the whole command, interpreter start included; median of 5);
  - where the time goes: interpreter plus imports, kernel start, execution, rendering;
  - with --fan-out N: the marginal cost of one more district report, plain kernels and forked ones
    side by side: each builds 1 and then N districts of a generated SYNTHETIC state (330 districts,
    written to a temporary folder, never committed); marginal = (T(N) - T(1)) / (N - 1), which
    leaves out what a build pays once (interpreter, imports, the fork server's imports).

    PYTHONPATH=. python benchmarks/bench_build.py [--fan-out 20] [--skip-naive] [--reports a,b]

The fan-out's reports are the public-data district report (notebooks/district_public_data.ipynb),
one per district with the parameters `fan_out` in reports.toml gives each (crdc_dir, leaid), declared
one by one so that 1 and N of the same state can be built. Fan-out reports (`fan_out` in reports.toml)
are left out of the full build and the naive chain, which has no fan-out. Output goes to temporary
folders; reports/ is not touched.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STATE_DISTRICTS, STATE_SEED = 330, 2026
DISTRICT_NOTEBOOK = "notebooks/district_public_data.ipynb"
SYNTHETIC_PROFILE = "example"  # districts/example.toml: the SYNTHETIC example district, in the same state
PLAIN = {"SRO_FORKED_KERNELS": "0"}  # forked_kernels.ENABLE_ENV
FORKED = {"SRO_FORKED_KERNELS": "1"}


class Timed(float):
    """Wall seconds of a command, with the CPU seconds (user + system) of it and every process it
    started (`cpu`): on a machine others keep busy, CPU time is what the command itself cost."""

    cpu: float


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(command: list[str], env: dict | None = None, cwd: Path = ROOT, ok=(0, 1)) -> Timed:
    cpu, started = _cpu_of_children(), time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    seconds = Timed(time.perf_counter() - started)
    seconds.cpu = _cpu_of_children() - cpu
    if done.returncode not in ok:
        sys.exit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return seconds


def _load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def naive_chain(work: Path, names: list[str]) -> Timed:
    """papermill then nbconvert, one report after another, as the README's manual route."""
    reports = tomllib.loads((ROOT / "reports.toml").read_text())["reports"]
    total, cpu = 0.0, 0.0
    work.mkdir(parents=True, exist_ok=True)
    for name in names:
        spec = reports[name]
        executed = work / f"{name}.ipynb"
        params = [arg for key, value in spec.get("parameters", {}).items() for arg in ("-p", key, str(value))]
        env = {"SRO_PROJECT_ROOT": str(ROOT), "SRO_REPORT_NAME": name, "SRO_TABLES_DIR": str(work / "tables" / name)}
        for step in ([str(BIN / "papermill"), str(ROOT / spec["notebook"]), str(executed), "--cwd", str(ROOT),
                      "--no-progress-bar", *params],
                     [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)]):
            seconds = _run(step, env, ok=(0,))
            total, cpu = total + seconds, cpu + seconds.cpu
    result = Timed(total)
    result.cpu = cpu
    return result


def build(out: Path, *args: str, config: Path | None = None, env: dict | None = None) -> Timed:
    command = [sys.executable, "-m", "sro_research", *(["--config", str(config)] if config else []),
               "build", "--out", str(out), *args]
    return _run(command, env)


def breakdown(out: Path) -> dict[str, float]:
    """Seconds spent per stage, measured apart (each on an otherwise idle build)."""
    stages = {}
    stages["interpreter + papermill/nbconvert imports"] = _run(
        [sys.executable, "-c", "import papermill, nbconvert, nbformat"])
    stages["... of which rfc3987_syntax (jsonschema, skipped by the build)"] = _run(
        [sys.executable, "-c", "import rfc3987_syntax"]) - _run([sys.executable, "-c", "pass"])
    code = ("import time; from jupyter_client.manager import start_new_kernel; t = time.perf_counter(); "
            "km, kc = start_new_kernel(); print(time.perf_counter() - t); kc.stop_channels(); km.shutdown_kernel(now=True)")
    stages["plain kernel start (one, before the notebook imports anything)"] = float(
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout)
    stages["the libraries a report imports (pandas ... seaborn), per plain kernel"] = _run(
        [sys.executable, "-c", "import pandas, scipy.stats, statsmodels.api, matplotlib.pyplot, seaborn"])
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


def district_project(work: Path) -> Path:
    """A project to fan the district report out in: the repository's inputs, read-only, and its own config."""
    project = work / "district-project"
    project.mkdir()
    for name in ("data", "districts", "notebooks"):
        (project / name).symlink_to(ROOT / name)
    return project


def state_folder(folder: Path) -> list[str]:
    """Write the SYNTHETIC state; returns its districts' LEA ids (the state's own, not its neighbours')."""
    sys.path.insert(0, str(ROOT))
    from sro_research.synthetic.crdc import write_state_folder

    schools = write_state_folder(folder, STATE_DISTRICTS, STATE_SEED)
    state = schools[0].state
    return list(dict.fromkeys(school.leaid for school in schools if school.state == state))


def fan_out_config(project: Path, crdc: Path, leaids: list[str]) -> Path:
    """The district report once per district, with the parameters the fan-out gives each (its own
    [reports.X] each, so that 1 and N of the same state's districts can be built)."""
    lines = [f"# {len(leaids)} districts of a SYNTHETIC state (benchmarks/bench_build.py)."]
    for leaid in leaids:
        lines += [f"[reports.district_{leaid}]", f'notebook = "{DISTRICT_NOTEBOOK}"', f'title = "SYNTHETIC district {leaid}"',
                  f'parameters = {{ district = "{SYNTHETIC_PROFILE}", crdc_dir = "{crdc}", leaid = "{leaid}" }}', ""]
    path = project / f"fanout-{len(leaids)}.toml"
    path.write_text("\n".join(lines))
    return path


def fan_out(count: int, work: Path, jobs: str) -> None:
    """Marginal seconds per district report, plain and forked kernels, measured in one run."""
    project, crdc = district_project(work), work / "crdc"
    leaids = state_folder(crdc)
    megabytes = sum(p.stat().st_size for p in crdc.rglob("*") if p.is_file()) / 1e6
    print(f"fan-out: the public-data district report ({DISTRICT_NOTEBOOK}) for 1 and {count} of the {len(leaids)} "
          f"districts of a SYNTHETIC state (CRDC folder {megabytes:.0f} MB, 4 years), --jobs {jobs}:", flush=True)
    configs = {n: fan_out_config(project, crdc, leaids[:n]) for n in (1, count)}
    seconds: dict[tuple[str, int], Timed] = {}
    for n in (1, count):  # the two paths alternate, so a change in the machine's load hits both
        for how, env in (("plain kernels", PLAIN), ("forked kernels", FORKED)):
            seconds[how, n] = build(project / f"out-{how.split()[0]}-{n}", "--jobs", jobs, config=configs[n], env=env)
            print(f"  {how:15s} {n:4d} report(s): {seconds[how, n]:7.1f} s wall, {seconds[how, n].cpu:7.1f} s CPU"
                  f"  ({_load()})", flush=True)
    paths = ("plain kernels", "forked kernels")
    wall = {how: (seconds[how, count] - seconds[how, 1]) / (count - 1) for how in paths}
    cpu = {how: (seconds[how, count].cpu - seconds[how, 1].cpu) / (count - 1) for how in paths}
    print("  marginal cost of one more district report (wall; CPU of all processes; CPU / CPUs, the wall time it")
    print("  comes to on this machine when idle):")
    for how in paths:
        print(f"    {how:15s} {wall[how]:6.2f} s wall   {cpu[how]:6.2f} s CPU   {cpu[how] / (os.cpu_count() or 1):6.2f} s"
              + ("  (target <= 1.5)" if how.startswith("forked") else ""))
    print(f"    ratio forked / plain: {wall['forked kernels'] / wall['plain kernels']:.2f} wall, "
          f"{cpu['forked kernels'] / cpu['plain kernels']:.2f} CPU", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fan-out", type=int, default=0, metavar="N", help="also time the district report fanned out to N districts")
    parser.add_argument("--jobs", default=str(os.cpu_count() or 1), help="reports at once in each build (default: CPUs)")
    parser.add_argument("--reports", default="", help="comma-separated reports for the naive chain and the full build (default: all)")
    parser.add_argument("--skip-naive", action="store_true", help="skip the naive chain (slow)")
    parser.add_argument("--fan-out-only", action="store_true", help="time only the fan-out")
    args = parser.parse_args()
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    names = args.reports.split(",") if args.reports else single_reports()
    print(f"machine: {os.cpu_count()} CPUs, {_load()}; uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        work = Path(tmp)
        if not args.fan_out_only:
            full_build(work, names, args.skip_naive, args.jobs)
        if args.fan_out > 1:
            fan_out(args.fan_out, work, args.jobs)


def single_reports() -> list[str]:
    """The project's reports, fan-outs left out."""
    reports = tomllib.loads((ROOT / "reports.toml").read_text())["reports"]
    return [name for name, spec in reports.items() if "fan_out" not in spec]


def full_build(work: Path, names: list[str], skip_naive: bool, jobs: str) -> None:
    subset = "" if names == single_reports() else " (a subset)"
    print(f"the project's reports{subset}, fan-outs left out: {', '.join(names)}", flush=True)
    naive = None if skip_naive else naive_chain(work / "naive", names)
    if naive:
        print(f"naive chain (papermill + nbconvert, one by one): {naive:6.1f} s wall, {naive.cpu:6.1f} s CPU  ({_load()})", flush=True)
    out = work / "reports"
    builds = {}
    for how, env in (("forked kernels", FORKED), ("plain kernels", PLAIN)):
        builds[how] = build(out if how.startswith("forked") else work / "reports-plain", *names, "--force", "--jobs", jobs, env=env)
        ratio = f"; ratio to the naive chain {builds[how] / naive:.2f} wall, {builds[how].cpu / naive.cpu:.2f} CPU" if naive else ""
        print(f"sro-research build --force, {how:15s} {builds[how]:6.1f} s wall, {builds[how].cpu:6.1f} s CPU{ratio}"
              f"  ({_load()})", flush=True)
    if naive:
        print("  (target: ratio <= 0.30 with forked kernels)")
    no_change = statistics.median(build(out, *names) for _ in range(5))
    print(f"rebuild with nothing changed (whole command):    {no_change:6.2f} s  (target < 0.5)", flush=True)
    print("where the time goes:")
    for stage, seconds in breakdown(out).items():
        print(f"  {stage:70s} {seconds:6.1f} s", flush=True)


if __name__ == "__main__":
    main()
