"""Whether a report must be rebuilt, decided without importing any notebook machinery.

A report is up to date when its outputs exist and none of these changed since its last successful
build: its notebook's code and text (not outputs a researcher saved), its configuration (title, resolved parameters, declared environment
variables), the checksums of the input files it read, the package's own source, its district profile and the
dependency lock. The record of the last build is kept in manifest.json, beside the provenance.

Input checksums are cached on (size, modification time), as make and git do, so a no-change
build rehashes nothing; a touched file is rehashed and only a different checksum counts.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]  # the sro_research source folder
LOCK_FILE = "requirements.lock"
# What each part of the key means to a reader of the build log.
PART_NAMES = {
    "notebook": "notebook changed",
    "configuration": "title or description in reports.toml changed",
    "parameters": "parameters changed",
    "environment": "environment variables changed",
    "package": "package source changed",
    "lock": "dependency lock changed",
    "district": "district profile changed",
}


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=repr).encode()).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def package_digest() -> str:
    """Every file of the package (code, templates, data it ships), in a stable order."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def notebook_digest(notebook: Path) -> str:
    """What the notebook runs: each cell's kind, source and tags, and the kernel. Not its outputs or
    execution counts, so saving a notebook run in JupyterLab does not rebuild its reports."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    cells = [[cell.get("cell_type"), "".join(cell.get("source", "")), cell.get("metadata", {}).get("tags", [])]
             for cell in nb.get("cells", [])]
    return _digest([cells, nb.get("metadata", {}).get("kernelspec", {}).get("name")])


def lock_digest(root: Path) -> str:
    lock = root / LOCK_FILE
    return file_sha256(lock) if lock.is_file() else "no lock file"


def key(notebook: Path, title: str, description: str, values: dict, environment: dict, root: Path,
        district: Path | None = None) -> dict:
    """The parts of a report's cache key that are known before it runs (inputs are checked apart);
    `district` is the district profile file, so editing or switching the district rebuilds."""
    return {
        "notebook": notebook_digest(notebook),
        "configuration": _digest([title, description]),
        "parameters": _digest(values),
        "environment": _digest(environment),
        "package": package_digest(),
        "lock": lock_digest(root),
        "district": file_sha256(district) if district else "no district",
    }


def input_states(inputs: list[dict], root: Path | None = None) -> dict[str, dict]:
    """{path: sha256, bytes, mtime_ns} for the inputs a build just read (recorded with the manifest).

    Paths are recorded relative to the project root (no absolute path in a published file).
    """
    states = {}
    for entry in inputs:
        path = Path(root or ".") / entry["path"]
        try:
            stat = path.stat()
            # A file rewritten while the report ran must be rehashed next time: mtime 0 never matches.
            mtime = stat.st_mtime_ns if stat.st_size == entry["bytes"] else 0
        except OSError:
            mtime = 0
        states[entry["path"]] = {"sha256": entry["sha256"], "bytes": entry["bytes"], "mtime_ns": mtime}
    return states


def changed_input(states: dict[str, dict], root: Path | None = None) -> str:
    """The first recorded input whose content changed (or vanished), '' when none did."""
    for name, state in states.items():
        path = Path(root or ".") / name
        try:
            stat = path.stat()
        except OSError:
            return f"input missing: {name}"
        if stat.st_size == state["bytes"] and stat.st_mtime_ns == state["mtime_ns"]:
            continue
        if stat.st_size != state["bytes"] or file_sha256(path) != state["sha256"]:
            return f"input changed: {name}"
    return ""


def outputs_present(out: Path, entry: dict) -> bool:
    names = [entry.get("html"), entry.get("executed")]
    return all(name and (out / name).is_file() for name in names)


def decide(out: Path, entry: dict | None, current: dict, force: bool, root: Path | None = None) -> tuple[bool, str]:
    """(rebuild?, why) for one report; `entry` is its manifest record, `current` its key now."""
    if force:
        return True, "--force"
    if not entry or "cache" not in entry:
        return True, "no record of a previous build"
    if entry.get("last_failure"):
        return True, "last build failed"
    if not outputs_present(out, entry):
        return True, "outputs missing"
    recorded = entry["cache"].get("key", {})
    for part, meaning in PART_NAMES.items():
        if recorded.get(part) != current[part]:
            return True, meaning
    changed = changed_input(entry["cache"].get("inputs", {}), root)
    if changed:
        return True, changed
    return False, "nothing changed"


def environment_values(names: tuple[str, ...]) -> dict[str, str]:
    """The declared environment variables that are set, as the kernel will see them."""
    return {name: os.environ[name] for name in names if os.environ.get(name)}
