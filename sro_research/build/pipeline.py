"""The build: check every report's parameters, skip what is up to date, run the rest, publish what succeeded.

A report is published only when its notebook ran to the end. Workers run each report in a private
temporary folder and hand back its outputs; the parent writes them into the output folder with
atomic renames, with SIGINT/SIGTERM held back meanwhile. So a failure or an interruption leaves the
previous HTML, tables and executed notebook untouched, and nothing temporary under the output
folder. A failed executed notebook (its traceback may quote a respondent's answer) is kept outside
it, in .sro-failed/ at the project root.

This module imports no notebook machinery at the top: a build with nothing to do must decide so in
a fraction of a second (see docs/scheduling.md).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sro_research.build import buildlog, cache
from sro_research.build.config import (
    ReportSpec, config_path, district_environment, load_district, load_reports, with_values,
)
from sro_research.build.index import read_build_manifest, record_build, record_fan_outs, write_index
from sro_research.build.parameters import (
    Parameter, ParameterError, check_constraints, check_outside_output, effective_values, from_callers_folder,
    notebook_parameters, parse_assignments, resolve,
)

from sro_research.district import configured
from sro_research.paths import without_absolute_paths

FAILED_DIR = ".sro-failed"  # at the project root, git-ignored: never under the published folder


class BuildError(Exception):
    """A problem with the request itself (unknown report, bad parameter): nothing was run."""


@dataclass
class Plan:
    spec: ReportSpec
    declared: dict[str, Parameter]
    values: dict[str, Any]  # what the build injects (reports.toml and -p), already typed
    environment: dict[str, str] = field(default_factory=dict)  # declared variables that are set
    key: dict[str, str] = field(default_factory=dict)
    reason: str = ""


@dataclass
class Result:
    name: str
    ok: bool
    seconds: float
    status: str = "built"  # built, failed, up to date, interrupted
    reason: str = ""  # why it was rebuilt or skipped
    failure: Any = None  # execution.CellFailure
    html: Path | None = None
    executed: Path | None = None
    failed_notebook: Path | None = None
    tables: list[Path] = field(default_factory=list)
    stale: bool = False


def plan(names: list[str] | None, assignments: list[str] | None, config: str | Path | None = None,
         district: str | None = None) -> list[Plan]:
    """Check the whole request before any kernel starts. `district`: the district profile (slug or path)
    the build is for, else the chosen one; by default, reports whose data the district lacks are left out."""
    return _plan(names, assignments, config, district)[0]


def _plan(names: list[str] | None, assignments: list[str] | None, config: str | Path | None = None,
          district: str | None = None, out: Path | None = None, force: bool = False) -> tuple[list[Plan], dict[str, dict]]:
    """The plans, and each fan-out's list of districts to keep in manifest.json (build/fanout.py)."""
    from sro_research.build import fanout

    specs = load_reports(config, district)
    root = config_path(config).parent
    given = from_callers_folder(parse_assignments(assignments), Path.cwd())
    names = list(names or (name for name, spec in specs.items() if not spec.missing()))
    unknown = [name for name in names if name not in specs and not any(
        spec.fan_out and name.startswith(spec.name + fanout.SEPARATOR) for spec in specs.values())]
    if unknown:
        raise BuildError(f"unknown report {unknown[0]!r}; reports: {', '.join(specs)}")
    declared_fan_outs = {name for name, spec in specs.items() if spec.fan_out}
    out = out or default_out(root, load_district(config, district), config)
    specs, lists = fanout.expand(specs, names, given, root, out, force)
    selected = []
    for name in names or specs:
        if name in declared_fan_outs:  # a fan-out named: all its reports
            selected += [m for m, spec in specs.items() if spec.member.get("of") == name]
        elif name not in specs:
            raise BuildError(f"unknown report {name!r}: its fan-out lists no such district")
        else:
            selected.append(name)
    selected = list(dict.fromkeys(selected))
    plans = []
    for name in selected:
        spec = specs[name]
        declared = notebook_parameters(spec.notebook)
        # With several reports, -p applies to those that declare it (e.g. ssocs_dir); with one, all must fit.
        applicable = given if len(selected) == 1 else {k: v for k, v in given.items() if k in declared}
        values = resolve(name, declared, spec.parameters, applicable)
        check_constraints(name, declared, values, root, spec.constraints)
        spec = with_values(spec, values)  # its district and title name the values this run uses
        if spec.missing():
            raise BuildError(f"report {name!r} needs {' and '.join(spec.missing())} data, which the district profile "
                             f"{spec.district.path if spec.district else '(none chosen)'} has no [folders] entry for")
        environment = {**cache.environment_values(spec.env), **district_environment(spec.district)}
        key = cache.key(spec.notebook, spec.title, spec.description, values, environment, root,
                        spec.district.path if spec.district else None)
        plans.append(Plan(spec, declared, values, environment, key))
    known = {p for item in plans for p in item.declared}
    stray = [key for key in given if key not in known]
    if stray:
        raise ParameterError(
            f"unknown parameter {stray[0]!r} for report(s) {', '.join(selected)}; valid parameters: {', '.join(sorted(known)) or '(none)'}"
        )
    return plans, lists


def default_out(root: Path, profile, config: str | Path | None = None) -> Path:
    """reports/ for the district reports.toml names (or none); reports/<slug>/ for any other district,
    so building for another district never overwrites the project's own pages."""
    home = configured(config_path(config))
    if profile is None or (home and profile.path == load_district(config, home).path):
        return root / "reports"
    return root / "reports" / profile.slug


def run_check(item: Plan, root: Path) -> None:
    """The report's declared input check (`check` in reports.toml), with every parameter as the kernel
    will see it; what it refuses becomes a ParameterError (exit 2)."""
    if not item.spec.check:
        return
    import importlib

    module, _, function = item.spec.check.partition(":")
    try:
        check = getattr(importlib.import_module(module), function)
    except (ImportError, AttributeError) as exc:
        raise BuildError(f"report {item.spec.name!r}: check {item.spec.check!r} cannot be loaded ({exc})") from exc
    try:
        check(effective_values(item.declared, item.values, root))
    except (ValueError, OSError) as exc:  # reader errors name file, row, column and rule, never a cell
        raise ParameterError(f"report {item.spec.name!r}: inputs refused before running: {exc}") from None


def git_commit(root: Path) -> str:
    """HEAD of the checkout the build ran from, marked when the tree had uncommitted changes."""
    import subprocess  # here, not at the top: only a build that runs something needs it

    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{head} (with uncommitted changes)" if dirty else head


def effective_parameters(item: Plan) -> dict[str, str]:
    """Every parameter as the notebook saw it, as text for the footer and index."""
    shown = {name: param.default_source for name, param in item.declared.items()}
    shown.update({name: repr(value) for name, value in item.values.items()})
    return shown


def _shown(value, root: Path):
    return without_absolute_paths(value, root) if isinstance(value, str) else value


def page_provenance(item: Plan, root: Path, commit: str) -> dict:
    """What the footer and the index say about how a report was made, known before it runs."""
    from sro_research import __version__

    spec = item.spec
    return {
        "report": spec.name,
        "title": spec.title,
        "notebook": str(spec.notebook.relative_to(root)) if spec.notebook.is_relative_to(root) else str(spec.notebook),
        "package_version": __version__,
        "git_commit": commit,
        # Shown on the page and in manifest.json: no absolute path of the build machine.
        "parameters": {k: _shown(v, root) for k, v in effective_parameters(item).items()},
        "environment": {k: _shown(v, root) for k, v in item.environment.items()},
    }


def _task(item: Plan, root: Path, commit: str) -> dict:
    """Everything a worker needs, as plain data (it may run on another machine)."""
    spec = item.spec
    return {
        "name": spec.name,
        "notebook": str(spec.notebook),
        "title": spec.title,
        "values": item.values,
        "root": str(root),
        "env": item.environment,
        "timeout": spec.timeout,
        "provenance": page_provenance(item, root, commit),
        "district": str(spec.district.path) if spec.district else None,  # whose site header the page carries
    }


def _write_atomic(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    tmp.replace(path)


def _replace_tables(folder: Path, files: dict[str, bytes]) -> None:
    """Swap a report's tables folder for the new one: readers see the old or the new, never a mix."""
    new, old = folder.with_name(f".{folder.name}.new"), folder.with_name(f".{folder.name}.old")
    for leftover in (new, old):
        shutil.rmtree(leftover, ignore_errors=True)
    new.mkdir(parents=True)
    for name, data in files.items():
        (new / name).parent.mkdir(parents=True, exist_ok=True)
        (new / name).write_bytes(data)
    if folder.exists():
        folder.rename(old)
    new.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def remove_leftovers(out: Path) -> None:
    """Temporary files of a build killed outright (SIGKILL, power loss): the next build removes them."""
    for path in [*out.glob(".*.tmp"), *out.glob("*/.*.tmp"), *out.glob("tables/.*.new"), *out.glob("tables/.*.old")]:
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    shutil.rmtree(out / ".staging", ignore_errors=True)  # the folder older versions staged in


def _is_stale(out: Path, entry: dict, item: Plan, root: Path) -> bool:
    """Does the published page no longer match what its report would be built from now?"""
    if "html" not in entry:
        return False
    current = {k: v for k, v in entry.items() if k != "last_failure"}
    rebuild, _ = cache.decide(out, current, item.key, force=False, root=root)
    return rebuild


def publish(raw: dict, item: Plan, out: Path, root: Path) -> Result:
    """Write one finished report into the output folder (called with signals held)."""
    spec = item.spec
    failure = raw["failure"]
    if failure is not None:
        failed = root / FAILED_DIR / f"{spec.name}.ipynb"
        if raw.get("executed"):
            _write_atomic(failed, raw["executed"])
        else:
            failed.unlink(missing_ok=True)
        entry = read_build_manifest(out)["reports"].get(spec.name, {})
        stale = None
        if _is_stale(out, entry, item, root):
            stale = {"at": buildlog.now(), "reason": item.reason}
            from sro_research.build.worker import rerender_stale  # nbconvert: only on this rare path

            executed = out / entry["executed"]
            _write_atomic(out / entry["html"], rerender_stale(executed.read_text(encoding="utf-8"), spec.title, stale,
                                                                   str(spec.district.path) if spec.district else None))
        record_build(out, spec, None, failure={"error": failure.public(), **failure.record()}, stale=stale)
        return Result(spec.name, False, raw["seconds"], "failed", item.reason, failure=failure,
                      failed_notebook=failed if failed.exists() else None, stale=stale is not None)
    executed = out / "executed" / f"{spec.name}.ipynb"
    _write_atomic(executed, raw["executed"])
    _write_atomic(out / f"{spec.name}.html", raw["html"])
    _replace_tables(out / "tables" / spec.name, raw["tables"])
    (root / FAILED_DIR / f"{spec.name}.ipynb").unlink(missing_ok=True)  # a stale failure no longer applies
    tables = sorted((out / "tables" / spec.name).glob("*.csv"))
    record_build(out, spec, raw["provenance"], tables=[t.name for t in tables],
                 cache={"key": item.key, "inputs": cache.input_states(raw["inputs"], root)})
    return Result(spec.name, True, raw["seconds"], "built", item.reason, html=out / f"{spec.name}.html",
                  executed=executed, tables=tables)


def _worker_lost(item: Plan, exc: Exception) -> dict:
    from sro_research.build.execution import CellFailure  # papermill: only on this rare path

    first_line = (str(exc).strip().splitlines() or [""])[0]
    failure = CellFailure(item.spec.notebook.name, None, "", type(exc).__name__, first_line)
    return {"name": item.spec.name, "failure": failure, "seconds": 0.0, "executed": None, "inputs": []}


@contextmanager
def exclusive(out: Path):
    """One build at a time per output folder (a lock on the folder itself: no lock file is left)."""
    fd = os.open(out, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting for another build writing to {out} to finish", file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _run(todo: list[Plan], out: Path, root: Path, progress, jobs: int | None, scheduler: str | None,
         build_id: str, log: list[dict]) -> list[Result]:
    """Run the reports that need it on the chosen executor; publish each as it finishes."""
    from concurrent.futures import FIRST_COMPLETED, wait

    from sro_research.build.progress import forward
    from sro_research.build.interrupt import Interrupted, interruptible
    from sro_research.build.runner import DaskRunner, LocalRunner, default_jobs
    from sro_research.build.worker import run_report, run_report_in_own_thread

    commit = git_commit(root)
    results: list[Result] = []
    started: dict[str, str] = {}
    with interruptible() as signals:
        try:
            runner = DaskRunner(scheduler) if scheduler else LocalRunner(max(1, min(jobs or default_jobs(), len(todo))))
        except (ImportError, OSError, ValueError) as exc:  # dask missing, scheduler unreachable, bad address
            raise BuildError(f"--scheduler {scheduler}: {exc}") from exc
        try:
            futures = {}
            for item in todo:
                started[item.spec.name] = buildlog.now()
                futures[runner.executor.submit(run_report_in_own_thread if scheduler else run_report,
                                               _task(item, root, commit))] = item
                if scheduler:
                    progress.report_start(item.spec.name, 0)
            pending = set(futures)
            while pending:
                done, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
                for event in runner.drain():
                    forward(event, progress)
                for future in done:
                    item = futures[future]
                    try:
                        raw = future.result()
                    except Exception as exc:  # the worker itself died (out of memory, killed): that report failed
                        raw = _worker_lost(item, exc)
                    with signals.held():
                        result = publish(raw, item, out, root)
                        results.append(result)
                        if scheduler:
                            progress.report_done(item.spec.name, result.ok, result.seconds, str(result.failure or ""))
                        error = None if result.ok else {"report": item.spec.name, **result.failure.record()}
                        start = raw.get("started") or started[item.spec.name]  # when it ran, not when queued
                        log.append(buildlog.entry(build_id, item.spec.name, start=start,
                                                  end=buildlog.now(), seconds=result.seconds, status=result.status,
                                                  cache="miss", reason=item.reason, error=error))
            for event in runner.drain():
                forward(event, progress)
            runner.close()
        except Interrupted:
            runner.stop()
            finished = {r.name for r in results}
            for item in todo:
                if item.spec.name not in finished:
                    log.append(buildlog.entry(build_id, item.spec.name, start=started.get(item.spec.name, buildlog.now()),
                                              end=buildlog.now(), seconds=0.0, status="interrupted",
                                              cache="miss", reason=item.reason))
            raise
        except BaseException:
            runner.stop()
            raise
    return results


def build(
    names: list[str] | None = None,
    assignments: list[str] | None = None,
    out: str | Path | None = None,
    config: str | Path | None = None,
    progress=None,
    *,
    jobs: int | None = None,
    scheduler: str | None = None,
    force: bool = False,
    district: str | None = None,
) -> list[Result]:
    """Build the named reports (all by default) that changed; raises BuildError/ParameterError before running anything.

    `jobs`: reports run at once on this machine (default: the number of CPUs); `scheduler`: the
    address of a dask.distributed scheduler to submit them to instead; `force`: rebuild even
    reports that are up to date; `district`: the district profile (slug or path) to build for, else the
    chosen one (`default_out` says where its pages go). Raises runner.Interrupted on SIGINT/SIGTERM, after
    tidying up.
    """
    root = config_path(config).parent
    profile = load_district(config, district)
    out = Path(out).resolve() if out else default_out(root, profile, config)
    plans, fan_out_lists = _plan(names, assignments, config, district, out, force)
    for item in plans:
        check_outside_output(item.spec.name, item.declared, item.values, root, out)
    out.mkdir(parents=True, exist_ok=True)
    build_id = buildlog.now()
    log: list[dict] = []
    results: list[Result] = []
    with exclusive(out):
        remove_leftovers(out)
        recorded = read_build_manifest(out)["reports"]
        todo = []
        for item in plans:
            clock, start = time.monotonic(), buildlog.now()
            rebuild, item.reason = cache.decide(out, recorded.get(item.spec.name), item.key, force, root=root)
            if rebuild:
                todo.append(item)
                continue
            results.append(Result(item.spec.name, True, 0.0, "up to date", item.reason,
                                  html=out / f"{item.spec.name}.html", executed=out / "executed" / f"{item.spec.name}.ipynb"))
            log.append(buildlog.entry(build_id, item.spec.name, start=start, end=buildlog.now(),
                                      seconds=time.monotonic() - clock, status="up to date", cache="hit", reason=item.reason))
        for item in todo:  # before any kernel: a refused input is exit 2 and nothing is written
            run_check(item, root)
        listed = record_fan_outs(out, fan_out_lists)  # a fan-out's list or title changed: its page too
        if todo or listed or not (out / "index.html").exists():
            from sro_research.build.worker import skip_iri_format_check

            skip_iri_format_check()  # before the workers fork: they and the index page skip it
            # The index page's imports (pandas, via the page helpers), now rather than at the end: the
            # forked workers share them, and a SIGTERM is not kept waiting for them (seconds, loaded).
            import sro_research.build.landing  # noqa: F401
        try:
            if todo:
                if progress is None:
                    from sro_research.build.progress import for_stream

                    progress = for_stream(total=len(todo))
                try:
                    results += _run(todo, out, root, progress, jobs, scheduler, build_id, log)
                finally:
                    progress.close()
        finally:
            # Also after an interruption: the index lists exactly what the manifest records.
            if todo or listed or not (out / "index.html").exists():
                specs = load_reports(config, district)
                write_index(out, list(specs), district=str(profile.path) if profile else None,
                            not_built=[spec for spec in specs.values() if spec.missing()])
            buildlog.append(out, log)
    order = [item.spec.name for item in plans]
    return sorted(results, key=lambda r: order.index(r.name))
