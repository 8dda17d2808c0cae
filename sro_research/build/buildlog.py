"""reports/build-log.jsonl: one JSON line per report per build, for schedulers and monitoring.

Each line: the build's id, the report, start, end, duration, status (built, failed, up to date,
interrupted), cache hit or miss and why, and on failure the report/cell/exception type (never the
exception's message, which may quote a respondent's answer).
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

LOG = "build-log.jsonl"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def append(out: Path, entries: list[dict]) -> None:
    """Append whole lines with one write each (O_APPEND), so a killed build leaves no half line."""
    if not entries:
        return
    fd = os.open(out / LOG, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        for entry in entries:
            os.write(fd, (json.dumps(entry, sort_keys=True) + "\n").encode())
    finally:
        os.close(fd)


def entry(build_id: str, report: str, *, start: str, end: str, seconds: float, status: str,
          cache: str, reason: str, error: dict | None = None) -> dict:
    return {
        "build": build_id,
        "report": report,
        "start": start,
        "end": end,
        "seconds": round(seconds, 3),
        "status": status,
        "cache": cache,
        "reason": reason,
        "error": error,
    }
