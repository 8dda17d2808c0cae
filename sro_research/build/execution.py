"""Execute one report notebook with papermill, reporting progress per cell and failures precisely."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import papermill as pm
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from papermill.engines import NBClientEngine, papermill_engines

from sro_research.build import forked_kernels
from sro_research.build.progress import LineProgress

ENGINE = "sro-research"
# Cells papermill adds: the injected parameters and, on failure, error markers at the top.
ADDED_TAGS = {"injected-parameters", "papermill-error-cell-tag"}


@dataclass(frozen=True)
class CellFailure:
    """Where and why a notebook stopped: enough for one line in a log."""

    notebook: str
    cell: int | None  # 1-based position in the source notebook, None when no cell is to blame
    first_line: str
    ename: str
    evalue: str
    stage: str = "run"  # "run": the notebook stopped; "render": it ran, the HTML could not be made

    def public(self) -> str:
        """What may be published (index.html, manifest.json, build-log.jsonl): report, cell, exception type.

        Never the exception's message or the cell's line: either may quote a respondent's answer.
        The full text goes to the terminal only (str()).
        """
        if self.stage == "render":
            return f"{self.notebook} ran, but rendering it to HTML failed ({self.ename})"
        where = f"cell {self.cell}" if self.cell else "before any cell ran"
        return f"{self.notebook} {where}: {self.ename}"

    def record(self) -> dict:
        return {"notebook": self.notebook, "cell": self.cell, "exception": self.ename, "stage": self.stage}

    def __str__(self) -> str:
        if self.stage == "render":
            return f"{self.notebook} ran, but rendering it to HTML failed: {self.ename}: {self.evalue}"
        where = f"cell {self.cell}" if self.cell else "before any cell ran"
        line = f" `{self.first_line}`" if self.first_line else ""
        return f"{self.notebook} {where}{line}: {self.ename}: {self.evalue}".rstrip(": ")


class _ProgressEngine(NBClientEngine):
    """papermill's nbclient engine, with our progress callbacks wrapped around each cell."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, sro_progress=None, sro_report="", **kwargs):
        if sro_progress is not None:
            n_cells = len(nb_man.nb.cells)
            start, complete = nb_man.cell_start, nb_man.cell_complete

            def cell_start(cell, cell_index=None, **kw):
                sro_progress.cell_start(sro_report, cell_index or 0, n_cells)
                return start(cell, cell_index, **kw)

            def cell_complete(cell, cell_index=None, **kw):
                result = complete(cell, cell_index, **kw)
                sro_progress.cell_done(sro_report, cell_index or 0, n_cells)
                return result

            nb_man.cell_start, nb_man.cell_complete = cell_start, cell_complete
        return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)


papermill_engines.register(ENGINE, _ProgressEngine)

# Kernels running in this process, with their private folder: what `stop_kernels_now` removes.
_running: dict[int, tuple[AsyncKernelManager, str]] = {}
_running_lock = threading.Lock()


def stop_kernels_now() -> None:
    """On SIGTERM: kill every kernel this process started (its whole process group) and remove its
    folder, without the polite shutdown that waits seconds for each kernel to answer."""
    with _running_lock:
        running = list(_running.values())
    for kernel, folder in running:
        process = getattr(kernel.provisioner, "process", None)
        if process is not None:
            try:  # each kernel leads a session of its own (jupyter_client's start, or a forked one)
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                try:
                    os.kill(process.pid, signal.SIGKILL)
                except OSError:
                    pass
        shutil.rmtree(folder, ignore_errors=True)


class _ReportKernelManager(AsyncKernelManager):
    """A kernel started with its own environment and working folder, forked from a warm parent
    (`forked_kernels`) unless that is switched off or unavailable.

    Asynchronous, so nbclient's check that the kernel is alive runs while a cell waits for output: with
    a blocking client a kernel that dies mid-cell leaves the build waiting forever.

    Given to the kernel directly rather than set on this process (os.environ, os.chdir), so several
    reports can run at once in threads (a dask worker with processes=False) without mixing settings.
    """

    def __init__(self, *, report_env: dict[str, str], report_cwd: str, **kwargs):
        super().__init__(**kwargs)
        self._report_env, self._report_cwd = report_env, report_cwd

    async def start_kernel(self, **kw):
        kw["env"] = {**os.environ, **kw.get("env", {}), **self._report_env}
        kw["cwd"] = self._report_cwd
        if self.provisioner is None and forked_kernels.enabled():
            self.kernel_id = self.kernel_id or str(uuid.uuid4())
            self.provisioner = forked_kernels.ForkedKernelProvisioner(
                kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
            self.provisioner.per_report = frozenset(self._report_env)
        return await super().start_kernel(**kw)


def _source_cell_number(nb: nbformat.NotebookNode, index: int) -> int:
    """1-based number of executed cell `index` in the notebook as the researcher wrote it."""
    added = sum(1 for cell in nb.cells[:index] if ADDED_TAGS & set(cell.get("metadata", {}).get("tags", [])))
    return index - added + 1


def _failure_from_notebook(notebook: Path, output: Path, ename: str, evalue: str) -> CellFailure:
    """Find the cell that stopped the run in the saved output: the one papermill marked as failed or
    running, else (a dead kernel or a timeout, after which papermill marks every cell completed) the
    last one that started."""
    cell_number, first_line = None, ""
    if output.exists():
        nb = nbformat.read(output, as_version=4)
        marks = [cell.get("metadata", {}).get("papermill", {}) for cell in nb.cells]
        stopped = [i for i, mark in enumerate(marks) if mark.get("status") in ("failed", "running")]
        started = [i for i, mark in enumerate(marks) if mark.get("start_time")]
        index = (stopped or started[-1:] or [None])[0]
        if index is not None:
            cell = nb.cells[index]
            cell_number = _source_cell_number(nb, index)
            first_line = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
    return CellFailure(notebook.name, cell_number, first_line, ename, evalue)


def execute(
    notebook: Path,
    output: Path,
    parameters: dict[str, Any],
    *,
    cwd: Path,
    env: dict[str, str],
    timeout: int,
    report: str,
    progress: LineProgress,
) -> CellFailure | None:
    """Run `notebook` into `output`; None on success, else where and why it failed.

    The output notebook is written in both cases, with papermill's error marker on failure.
    """
    source = nbformat.read(notebook, as_version=4)
    # IPC sockets instead of TCP: the kernel is only ever local, and ipykernel warns on plain TCP.
    # The sockets, the connection file and Jupyter's runtime folder are all in one short private
    # temp folder, not the cwd or the user's runtime folder, so removing it leaves nothing behind.
    sockets = tempfile.mkdtemp(prefix="sro-kernel-")
    kernel = _ReportKernelManager(
        report_env={**env, "JUPYTER_RUNTIME_DIR": os.path.join(sockets, "runtime")},
        report_cwd=str(cwd),
        kernel_name=source.metadata.get("kernelspec", {}).get("name", "python3"),
        transport="ipc",
        ip=os.path.join(sockets, "ipc"),
        connection_file=os.path.join(sockets, "kernel.json"),
    )
    progress.report_start(report, len(source.cells) + (1 if parameters else 0))
    with _running_lock:
        _running[id(kernel)] = (kernel, sockets)
    try:
        pm.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            engine_name=ENGINE,
            progress_bar=False,
            execution_timeout=timeout,
            sro_progress=progress,
            sro_report=report,
            km=kernel,
        )
    except pm.PapermillExecutionError as exc:
        return _failure_from_notebook(notebook, output, exc.ename, exc.evalue)
    except (DeadKernelError, CellTimeoutError) as exc:
        return _failure_from_notebook(notebook, output, type(exc).__name__, _first_line(exc))
    except Exception as exc:  # kernel could not start, notebook unreadable: still one clear line
        return CellFailure(notebook.name, None, "", type(exc).__name__, _first_line(exc))
    finally:
        with _running_lock:
            _running.pop(id(kernel), None)
        if kernel.has_kernel:  # nbclient leaves a kernel it did not create running
            run_sync(kernel.shutdown_kernel)(now=True)
        shutil.rmtree(sockets, ignore_errors=True)
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""
