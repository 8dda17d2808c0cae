"""Checksums of the input files a report reads, so every computed number traces to a file.

Readers call `record_input(path)` for each file they open. In a kernel each file is also displayed
as a hidden output (INPUTS_MIME), so the executed notebook itself carries what it read: the build,
and `sro-research render` on a notebook run by plain papermill, show those checksums in the report
footer and in reports/index.html.
"""

from __future__ import annotations

import hashlib
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from sro_research.paths import project_relative

INPUTS_MIME = "application/vnd.sro-research.input+json"  # one output per input file read
INPUT_FIELDS = ("name", "path", "sha256", "bytes", "role")
_recorded: dict[str, dict] = {}
_listeners: list[list[dict]] = []  # open `recording()` blocks


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a file, read in blocks. Readers open each input once per load, so nothing is cached."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def record_input(path: str | os.PathLike, role: str = "", sha256: str | None = None) -> str:
    """Note that a report read `path`; return its SHA-256. A reader that already holds the file's
    bytes passes their `sha256`, so the file is not opened a second time to hash it."""
    resolved = Path(path).resolve()
    entry = {
        # Relative to the project root: published records show no absolute path of the build machine.
        "path": project_relative(resolved),
        "name": resolved.name,
        "sha256": sha256 or file_sha256(resolved),
        "bytes": resolved.stat().st_size,
        "role": role,
    }
    for listener in _listeners:
        listener.append(entry)
    if _recorded.get(entry["path"]) != entry:
        _recorded[entry["path"]] = entry
        _display_in_notebook(entry)
    return entry["sha256"]


def _display_in_notebook(entry: dict) -> None:
    if "IPython" not in sys.modules:  # not in a kernel: nothing to display into (and no import to pay)
        return
    from IPython.core.interactiveshell import InteractiveShell

    if InteractiveShell.initialized():  # renders as nothing; the build and render read it back
        from IPython.display import display

        display({INPUTS_MIME: entry}, raw=True)


@contextmanager
def recording():
    """Every input recorded inside the block, read before or not: the build caches a fan-out's list of
    districts on the files its function read (build/fanout.py)."""
    entries: list[dict] = []
    _listeners.append(entries)
    try:
        yield entries
    finally:
        _listeners.remove(entries)


def recorded_inputs() -> list[dict]:
    """Every input recorded in this process, in the order first read."""
    return list(_recorded.values())


def notebook_inputs(nb: dict) -> list[dict]:
    """The inputs an executed notebook recorded, one per file (the last entry for a path wins)."""
    entries: dict[str, dict] = {}
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            entry = output.get("data", {}).get(INPUTS_MIME)
            if entry:
                entries[entry["path"]] = {key: entry[key] for key in INPUT_FIELDS}
    return list(entries.values())
