"""Where reports run: a local process pool (`--jobs N`) or a dask cluster (`--scheduler ADDRESS`).

Both are `concurrent.futures` executors, so the pipeline submits and collects reports the same way.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor

from sro_research.build import forked_kernels
from sro_research.build.worker import start_worker


def default_jobs() -> int:
    return os.cpu_count() or 1


class LocalRunner:
    """A pool of worker processes, each importing papermill and nbconvert once for all its reports,
    and forking each report's kernel from one warm server this process starts first (the workers
    inherit it; see forked_kernels)."""

    def __init__(self, jobs: int):
        forked_kernels.prestart()  # its imports run while the workers start
        context = multiprocessing.get_context("fork")  # the workers need no re-import of the caller
        self.events = context.Queue()
        self.executor: Executor = ProcessPoolExecutor(
            max_workers=jobs, mp_context=context, initializer=start_worker, initargs=(self.events,)
        )

    def drain(self) -> list:
        """Progress events the workers sent since the last call."""
        events = []
        while True:
            try:
                events.append(self.events.get_nowait())
            except Exception:  # queue.Empty; multiprocessing re-exports it under another module
                return events

    def stop(self) -> None:
        """Stop at once: running reports are abandoned (their kernels shut down by the worker)."""
        processes = list(getattr(self.executor, "_processes", {}).values())  # no public accessor
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: the worker kills its kernel, removes its folders and exits
        for process in processes:
            process.join(timeout=3)
            if process.is_alive():
                process.kill()
        self.executor.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        self.events.close()


class DaskRunner:
    """Reports submitted to a dask.distributed scheduler through its concurrent.futures executor."""

    def __init__(self, address: str):
        try:
            from distributed import Client
        except ImportError as exc:
            raise ImportError("needs dask.distributed: pip install 'sro-research[dask]'") from exc
        self.client = Client(address, timeout="20s")
        self.executor: Executor = self.client.get_executor(pure=False)

    def drain(self) -> list:
        return []  # remote workers cannot show a bar here; the parent prints start and end lines

    def stop(self) -> None:
        self.executor.shutdown(wait=False)
        self.client.close()

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        self.client.close()
