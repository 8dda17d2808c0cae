"""One report, run where an executor puts it: a local worker process, a thread, or a dask worker.

The worker writes only to its own private temporary folder (never the output folder) and returns
everything the report produced as data: the rendered HTML, the executed notebook and the tables.
The parent publishes it. So a remote dask worker needs no access to the output folder, and an
interrupted build leaves nothing half-written where readers look.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from sro_research.build.progress import NoProgress, QueueProgress
from sro_research.paths import REPORT_ENV, ROOT_ENV, TABLES_ENV, without_absolute_paths
from sro_research.provenance import notebook_inputs

_queue = None  # set in each local worker process by `start_worker`
_staging: set[Path] = set()  # this process's report folders in $TMPDIR, removed on SIGTERM too


def _stop(signum, frame):
    """SIGTERM (the build is stopping): kill the kernels, remove our temp folders, exit at once.

    Unwinding through papermill instead waits for each kernel to answer a shutdown request and
    prints ZMQ errors: 20 s and more on a loaded machine.
    """
    from sro_research.build.execution import stop_kernels_now

    stop_kernels_now()
    for folder in list(_staging):
        shutil.rmtree(folder, ignore_errors=True)
    os._exit(128 + signum)


def skip_iri_format_check() -> None:
    """jsonschema, imported by nbformat, checks the "iri" string format with rfc3987_syntax when that
    is installed, which builds a parser grammar at import: measured 9-13 s per process on the 2-core
    build machine, more than a whole small report. Notebook schemas use no "iri" format; skip it.
    Called by the build's parent (the index imports nbconvert) and by each worker."""
    sys.modules.setdefault("rfc3987_syntax", None)


def start_worker(queue) -> None:
    """Initializer of each local worker process: progress goes to the parent; SIGTERM tidies up.

    SIGINT is left to the parent, which stops the workers with SIGTERM, so a Ctrl-C is handled once.
    """
    global _queue
    _queue = queue
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    skip_iri_format_check()
    # Import the heavy machinery once per worker, not once per report.
    import sro_research.build.execution  # noqa: F401
    import sro_research.build.render  # noqa: F401


def _read_tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run_report_in_own_thread(task: dict) -> dict:
    """`run_report` in a thread of its own, for dask workers: a dask worker thread may already be
    running an event loop, and papermill's kernel client must start one ("This event loop is
    already running")."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run_report, task).result()


def run_report(task: dict) -> dict:
    """Execute and render one report; returns its outputs (or where it failed) as plain data."""
    import nbformat

    from sro_research.build.execution import CellFailure, execute
    from sro_research.build.render import render_html

    name = task["name"]
    progress = QueueProgress(_queue) if _queue is not None else NoProgress()
    staging = Path(tempfile.mkdtemp(prefix=f"sro-build-{name}-"))
    _staging.add(staging)
    try:
        (staging / "tables").mkdir()
        executed_path = staging / f"{name}.ipynb"
        env = {
            **task["env"],
            ROOT_ENV: task["root"],
            REPORT_ENV: name,
            TABLES_ENV: str(staging / "tables"),
        }
        started, clock = datetime.now(timezone.utc), time.monotonic()
        failure = execute(
            Path(task["notebook"]), executed_path, task["values"],
            cwd=Path(task["root"]), env=env, timeout=task["timeout"], report=name, progress=progress,
        )
        seconds = time.monotonic() - clock
        result = {"name": name, "started": started.isoformat(timespec="milliseconds"), "seconds": seconds, "inputs": [],
                  "failure": failure, "html": None, "executed": None, "tables": {}}
        if failure is None:
            nb = nbformat.read(executed_path, as_version=4)
            result["inputs"] = inputs = notebook_inputs(nb)
            nb.metadata["sro_research"] = provenance = {
                **task["provenance"],
                "built_at": started.replace(microsecond=0).isoformat(),
                "seconds": round(seconds, 1),
                "inputs": inputs,
            }
            result["provenance"] = provenance
            try:
                result["html"] = render_html(nb, task["title"], district=task.get("district"))
            except Exception as exc:  # a rendering bug must not stop the other reports
                failure = result["failure"] = CellFailure(
                    Path(task["notebook"]).name, None, "", type(exc).__name__, str(exc), stage="render")
            result["executed"] = nbformat.writes(_without_machine_paths(nb, Path(task["root"])))
            result["tables"] = _read_tree(staging / "tables")
        elif executed_path.exists():
            result["executed"] = executed_path.read_text(encoding="utf-8")
        result["seconds"] = time.monotonic() - clock
        progress.report_done(name, failure is None, result["seconds"], str(failure) if failure else "")
        return result
    finally:
        _staging.discard(staging)
        shutil.rmtree(staging, ignore_errors=True)


BASE64_MIME = {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"}


def _without_machine_paths(node, root: Path):
    """The executed notebook as published: every string with the build machine's paths shortened
    (papermill records the input path and parameters; a traceback names site-packages). Base64 images
    are left whole: their text can look like a path ("+/sWX...") and shortening it corrupts them."""
    if isinstance(node, str):
        return without_absolute_paths(node, root)
    if isinstance(node, list):
        return [_without_machine_paths(item, root) for item in node]
    if isinstance(node, dict):
        return type(node)({key: value if key in BASE64_MIME else _without_machine_paths(value, root)
                           for key, value in node.items()})
    return node


def rerender_stale(executed: str, title: str, stale: dict, district: str | None = None) -> str:
    """The published page again, its footer now saying it is stale (the executed notebook is unchanged)."""
    import nbformat

    from sro_research.build.render import render_html

    nb = nbformat.reads(executed, as_version=4)
    nb.metadata.setdefault("sro_research", {})["stale"] = stale
    return render_html(nb, title, district=district)

