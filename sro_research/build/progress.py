"""Progress of a build: a bar per report in a terminal, a few plain lines in logs.

Scheduled runs write to log files, where a redrawn bar is noise; there we print one line when a
report starts and ends, and one for any cell slow enough that a reader of the log would wonder.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from tqdm import tqdm

SLOW_CELL_SECONDS = 10.0


class LineProgress:
    """Quiet, line-based progress for logs and CI."""

    def __init__(self, stream: TextIO | None = None, slow: float = SLOW_CELL_SECONDS):
        self.stream = stream or sys.stderr
        self.slow = slow
        self._started: dict[int, float] = {}

    def _say(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def report_start(self, name: str, n_cells: int) -> None:
        self._say(f"[{name}] running {n_cells} cells")

    def cell_start(self, name: str, index: int, n_cells: int) -> None:
        self._started[index] = time.monotonic()

    def cell_done(self, name: str, index: int, n_cells: int) -> None:
        seconds = time.monotonic() - self._started.pop(index, time.monotonic())
        if seconds >= self.slow:
            self._say(f"[{name}] cell {index + 1}/{n_cells} took {seconds:.1f}s")

    def report_done(self, name: str, ok: bool, seconds: float, detail: str = "") -> None:
        status = "built" if ok else "FAILED"
        self._say(f"[{name}] {status} in {seconds:.1f}s" + (f": {detail}" if detail else ""))


class TerminalProgress(LineProgress):
    """A bar per report that advances per cell."""

    def __init__(self, stream: TextIO | None = None):
        super().__init__(stream)
        self._bar: tqdm | None = None

    def report_start(self, name: str, n_cells: int) -> None:
        self._bar = tqdm(total=n_cells, desc=name, unit="cell", file=self.stream, leave=True)

    def cell_start(self, name: str, index: int, n_cells: int) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(f"cell {index + 1}/{n_cells}")

    def cell_done(self, name: str, index: int, n_cells: int) -> None:
        if self._bar is not None:
            self._bar.update(1)

    def report_done(self, name: str, ok: bool, seconds: float, detail: str = "") -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        super().report_done(name, ok, seconds, detail)


def for_stream(stream: TextIO | None = None) -> LineProgress:
    """A bar when a person is watching the terminal, plain lines otherwise."""
    stream = stream or sys.stderr
    return TerminalProgress(stream) if stream.isatty() else LineProgress(stream)
