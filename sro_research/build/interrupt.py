"""SIGINT and SIGTERM as one exception the build cleans up after, held back while publishing.

A finished report is published with a few renames; a signal arriving meanwhile is raised only once
they are done, so the output folder never holds half a report or a temporary file.
"""

from __future__ import annotations

import signal
from contextlib import contextmanager


class Interrupted(Exception):
    """The build was stopped by SIGINT (Ctrl-C) or SIGTERM (a scheduler's stop)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum  # the shell's convention: 130 for SIGINT, 143 for SIGTERM


class _Signals:
    """Raise Interrupted on SIGINT/SIGTERM, except inside `held()`, where it is raised on leaving."""

    def __init__(self):
        self.holding = False
        self.pending: int | None = None

    def handle(self, signum, frame):
        if self.holding:
            self.pending = signum
        else:
            raise Interrupted(signum)

    @contextmanager
    def held(self):
        self.holding = True
        try:
            yield
        finally:
            self.holding = False
            if self.pending is not None:
                signum, self.pending = self.pending, None
                raise Interrupted(signum)


@contextmanager
def interruptible():
    """Within: SIGINT/SIGTERM raise Interrupted; yields the `_Signals` whose `held()` defers them."""
    signals = _Signals()
    previous = {sig: signal.signal(sig, signals.handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield signals
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
