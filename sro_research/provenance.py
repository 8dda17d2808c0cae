"""Checksums of the input files a report reads, so every computed number traces to a file.

Readers call `record_input(path)` for each file they open. Inside a build the build sets
$SRO_INPUTS_MANIFEST (a JSON-lines file) and the kernel appends one line per file; the build then
shows those checksums in the report footer and in reports/index.html.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from sro_research.paths import project_relative

MANIFEST_ENV = "SRO_INPUTS_MANIFEST"
_recorded: dict[str, dict] = {}


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
    if _recorded.get(entry["path"]) != entry:
        _recorded[entry["path"]] = entry
        manifest = os.environ.get(MANIFEST_ENV)
        if manifest:
            with open(manifest, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(entry) + "\n")
    return entry["sha256"]


def recorded_inputs() -> list[dict]:
    """Every input recorded in this process, in the order first read."""
    return list(_recorded.values())


def read_manifest(path: str | os.PathLike) -> list[dict]:
    """The inputs a build's kernel recorded, one per file (the last entry for a path wins)."""
    entries: dict[str, dict] = {}
    manifest = Path(path)
    if manifest.exists():
        for line in manifest.read_text(encoding="utf-8").splitlines():
            if line.strip():
                entry = json.loads(line)
                entries[entry["path"]] = entry
    return list(entries.values())
