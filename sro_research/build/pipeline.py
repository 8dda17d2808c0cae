"""The build: check every report's parameters, execute each notebook, publish what succeeded.

A report is published only when its notebook ran to the end. Until then everything is written to
reports/.staging/NAME/, so a failure leaves the previous HTML, tables and executed notebook
untouched and keeps the failed notebook, traceback included, under reports/failed/.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import nbformat

from sro_research import __version__
from sro_research.build.config import ReportSpec, config_path, load_reports
from sro_research.build.execution import CellFailure, execute
from sro_research.build.index import record_build, write_index
from sro_research.build.parameters import Parameter, ParameterError, notebook_parameters, parse_assignments, resolve
from sro_research.paths import REPORT_ENV, ROOT_ENV, TABLES_ENV
from sro_research.build.progress import LineProgress, for_stream
from sro_research.provenance import MANIFEST_ENV, read_manifest
from sro_research.build.render import render_html


# Environment variables the notebooks read as defaults (a parameter left at None falls back to them);
# recorded so a reader sees where, e.g., the SSOCS files came from.
SETTINGS_FROM_ENVIRONMENT = ("SSOCS_DIR",)


class BuildError(Exception):
    """A problem with the request itself (unknown report, bad parameter): nothing was run."""


@dataclass
class Plan:
    spec: ReportSpec
    declared: dict[str, Parameter]
    values: dict[str, Any]  # what the build injects (reports.toml and -p), already typed


@dataclass
class Result:
    name: str
    ok: bool
    seconds: float
    failure: CellFailure | None = None
    html: Path | None = None
    executed: Path | None = None
    failed_notebook: Path | None = None
    tables: list[Path] = field(default_factory=list)


def plan(names: list[str] | None, assignments: list[str] | None, config: str | Path | None = None) -> list[Plan]:
    """Check the whole request before any kernel starts."""
    specs = load_reports(config)
    selected = list(names or specs)
    unknown = [name for name in selected if name not in specs]
    if unknown:
        raise BuildError(f"unknown report {unknown[0]!r}; reports: {', '.join(specs)}")
    given = parse_assignments(assignments)
    plans = []
    for name in selected:
        spec = specs[name]
        declared = notebook_parameters(spec.notebook)
        # With several reports, -p applies to those that declare it (e.g. ssocs_dir); with one, all must fit.
        applicable = given if len(selected) == 1 else {k: v for k, v in given.items() if k in declared}
        plans.append(Plan(spec, declared, resolve(name, declared, spec.parameters, applicable)))
    known = {p for item in plans for p in item.declared}
    stray = [key for key in given if key not in known]
    if stray:
        raise ParameterError(
            f"unknown parameter {stray[0]!r} for report(s) {', '.join(selected)}; valid parameters: {', '.join(sorted(known)) or '(none)'}"
        )
    return plans


def git_commit(root: Path) -> str:
    """HEAD of the checkout the build ran from, marked when the tree had uncommitted changes."""
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


def _replace_dir(new: Path, old: Path) -> None:
    if old.exists():
        shutil.rmtree(old)
    old.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(new), str(old))


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _provenance(item: Plan, root: Path, commit: str, started: datetime, seconds: float, staging: Path) -> dict:
    """What the footer, index and manifest say about how this report was made."""
    spec = item.spec
    return {
        "report": spec.name,
        "title": spec.title,
        "notebook": str(spec.notebook.relative_to(root)) if spec.notebook.is_relative_to(root) else str(spec.notebook),
        "built_at": started.replace(microsecond=0).isoformat(),
        "seconds": round(seconds, 1),
        "package_version": __version__,
        "git_commit": commit,
        "parameters": effective_parameters(item),
        "environment": {key: os.environ[key] for key in SETTINGS_FROM_ENVIRONMENT if os.environ.get(key)},
        "inputs": [
            {key: entry[key] for key in ("name", "path", "sha256", "bytes", "role")}
            for entry in read_manifest(staging / "inputs.jsonl")
        ],
    }


def run_one(item: Plan, out: Path, root: Path, commit: str, progress: LineProgress) -> Result:
    spec = item.spec
    staging = out / ".staging" / spec.name
    if staging.exists():
        shutil.rmtree(staging)
    (staging / "tables").mkdir(parents=True)
    executed_tmp = staging / f"{spec.name}.ipynb"
    env = {
        ROOT_ENV: str(root),
        REPORT_ENV: spec.name,
        TABLES_ENV: str(staging / "tables"),
        MANIFEST_ENV: str(staging / "inputs.jsonl"),
    }
    started = datetime.now(timezone.utc)
    failure = execute(
        spec.notebook, executed_tmp, item.values,
        cwd=root, env=env, timeout=spec.timeout, report=spec.name, progress=progress,
    )
    seconds = (datetime.now(timezone.utc) - started).total_seconds()
    if failure is None:
        nb = nbformat.read(executed_tmp, as_version=4)
        nb.metadata["sro_research"] = provenance = _provenance(item, root, commit, started, seconds, staging)
        try:
            html = render_html(nb, spec.title)
        except Exception as exc:  # a rendering bug must not stop the other reports
            failure = CellFailure(spec.notebook.name, None, "", type(exc).__name__, str(exc), stage="render")
    if failure is not None:
        failed = out / "failed" / f"{spec.name}.ipynb"
        failed.parent.mkdir(parents=True, exist_ok=True)
        if executed_tmp.exists():
            shutil.move(str(executed_tmp), str(failed))
        shutil.rmtree(staging, ignore_errors=True)
        record_build(out, spec, None, failure=str(failure))
        progress.report_done(spec.name, False, seconds, str(failure))
        return Result(spec.name, False, seconds, failure=failure, failed_notebook=failed if failed.exists() else None)

    executed = out / "executed" / f"{spec.name}.ipynb"
    _write_atomic(executed, nbformat.writes(nb))
    _write_atomic(out / f"{spec.name}.html", html)
    _replace_dir(staging / "tables", out / "tables" / spec.name)
    (out / "failed" / f"{spec.name}.ipynb").unlink(missing_ok=True)  # a stale failure no longer applies
    shutil.rmtree(staging, ignore_errors=True)
    tables = sorted((out / "tables" / spec.name).glob("*.csv"))
    record_build(out, spec, provenance, tables=[t.name for t in tables])
    progress.report_done(spec.name, True, seconds)
    return Result(spec.name, True, seconds, html=out / f"{spec.name}.html", executed=executed, tables=tables)


@contextmanager
def exclusive(out: Path):
    """One build at a time per output folder: two would delete each other's staging files."""
    with open(out / ".build.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting for another build writing to {out} to finish", file=sys.stderr, flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def build(
    names: list[str] | None = None,
    assignments: list[str] | None = None,
    out: str | Path | None = None,
    config: str | Path | None = None,
    progress: LineProgress | None = None,
) -> list[Result]:
    """Build the named reports (all by default). Raises BuildError/ParameterError before running anything."""
    plans = plan(names, assignments, config)
    root = config_path(config).parent
    out = Path(out).resolve() if out else root / "reports"
    out.mkdir(parents=True, exist_ok=True)
    progress = progress or for_stream()
    commit = git_commit(root)
    with exclusive(out):
        results = [run_one(item, out, root, commit, progress) for item in plans]
        shutil.rmtree(out / ".staging", ignore_errors=True)
        write_index(out, list(load_reports(config)))
    return results
