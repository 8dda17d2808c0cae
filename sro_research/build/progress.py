"""Progress of a build: a bar per running report in a terminal, a few plain lines in logs.

Scheduled runs write to log files, where a redrawn bar is noise; there we print one line when a
report starts and ends, and one for any cell slow enough that a reader of the log would wonder.
Reports run in worker processes; their events come back through a queue (`QueueProgress`) and
are shown by the parent, so bars from several reports never overwrite each other.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

SLOW_CELL_SECONDS = 10.0
MANY_REPORTS = 12  # more reports than this in one build (a fan-out): one counted line per report, no bars


class LineProgress:
    """Quiet, line-based progress for logs and CI."""

    def __init__(self, stream: TextIO | None = None, slow: float = SLOW_CELL_SECONDS):
        self.stream = stream or sys.stderr
        self.slow = slow
        self._started: dict[tuple[str, int], float] = {}

    def _say(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def report_start(self, name: str, n_cells: int) -> None:
        self._say(f"[{name}] running {n_cells} cells")

    def cell_start(self, name: str, index: int, n_cells: int) -> None:
        self._started[name, index] = time.monotonic()

    def cell_done(self, name: str, index: int, n_cells: int) -> None:
        seconds = time.monotonic() - self._started.pop((name, index), time.monotonic())
        if seconds >= self.slow:
            self._say(f"[{name}] cell {index + 1}/{n_cells} took {seconds:.1f}s")

    def report_done(self, name: str, ok: bool, seconds: float, detail: str = "") -> None:
        status = "built" if ok else "FAILED"
        self._say(f"[{name}] {status} in {seconds:.1f}s" + (f": {detail}" if detail else ""))

    def report_cached(self, name: str, reason: str) -> None:
        self._say(f"[{name}] up to date ({reason})")

    def close(self) -> None:
        """Nothing to tidy for plain lines."""


class TerminalProgress(LineProgress):
    """One bar per running report, advancing per cell."""

    def __init__(self, stream: TextIO | None = None):
        super().__init__(stream)
        self._bars: dict[str, Any] = {}

    def report_start(self, name: str, n_cells: int) -> None:
        from tqdm import tqdm  # only a person at a terminal needs it

        used = {abs(bar.pos) for bar in self._bars.values()}
        position = next(i for i in range(len(used) + 1) if i not in used)
        self._bars[name] = tqdm(total=n_cells, desc=name, unit="cell", file=self.stream, leave=True, position=position)

    def cell_start(self, name: str, index: int, n_cells: int) -> None:
        if name in self._bars:
            self._bars[name].set_postfix_str(f"cell {index + 1}/{n_cells}")

    def cell_done(self, name: str, index: int, n_cells: int) -> None:
        if name in self._bars:
            self._bars[name].update(1)

    def report_done(self, name: str, ok: bool, seconds: float, detail: str = "") -> None:
        bar = self._bars.pop(name, None)
        if bar is not None:
            bar.close()
        super().report_done(name, ok, seconds, detail)

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()
        self._bars.clear()


class CountingProgress(LineProgress):
    """Hundreds of reports (a fan-out over a state's districts): one line as each report ends, with a
    running count, and the failures listed again at the end; no bars, no start lines, no per-cell lines."""

    def __init__(self, total: int, stream: TextIO | None = None):
        super().__init__(stream)
        self.total, self.done, self.failed = total, 0, []

    def report_start(self, name: str, n_cells: int) -> None:
        """Not shown: with hundreds queued at once, start lines would bury the results."""

    def cell_done(self, name: str, index: int, n_cells: int) -> None:
        self._started.pop((name, index), None)

    def report_done(self, name: str, ok: bool, seconds: float, detail: str = "") -> None:
        self.done += 1
        if not ok:
            self.failed.append(name)
        status = "built" if ok else "FAILED"
        self._say(f"[{self.done}/{self.total}] {name} {status} in {seconds:.1f}s" + (f": {detail}" if detail else ""))

    def close(self) -> None:
        if self.failed:
            self._say(f"{len(self.failed)} of {self.total} reports failed (the others were built): {', '.join(self.failed)}")
        self.failed = []


class QueueProgress:
    """Used inside a worker process: forwards every progress event to the parent through a queue."""

    def __init__(self, queue):
        self.queue = queue

    def __getattr__(self, event: str):
        if event not in ("report_start", "cell_start", "cell_done", "report_done"):
            raise AttributeError(event)
        return lambda *args: self.queue.put((event, args))


class NoProgress:
    """Where nobody can see progress (a remote dask worker): the parent reports start and end."""

    def __getattr__(self, event: str):
        return lambda *args: None


def forward(event: tuple[str, tuple], progress: LineProgress) -> None:
    """Show one event a worker sent."""
    name, args = event
    getattr(progress, name)(*args)


def for_stream(stream: TextIO | None = None, total: int = 0) -> LineProgress:
    """A bar when a person is watching the terminal, plain lines otherwise; a counted line per report
    when a build runs more than MANY_REPORTS."""
    stream = stream or sys.stderr
    if total > MANY_REPORTS:
        return CountingProgress(total, stream)
    return TerminalProgress(stream) if stream.isatty() else LineProgress(stream)
