"""reports/manifest.json (and, through landing.py, reports/index.html): what was built, from what, and when.

The manifest accumulates across builds, so building one report keeps the others listed with the
provenance of their own last successful build. A failed build is recorded beside the last good one.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from sro_research.build.config import ReportSpec

MANIFEST = "manifest.json"


def read_build_manifest(out: Path) -> dict:
    path = out / MANIFEST
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    return {"reports": {}}


def record_build(
    out: Path,
    spec: ReportSpec,
    provenance: dict | None,
    *,
    tables: list[str] | None = None,
    failure: dict | None = None,
    cache: dict | None = None,
    stale: dict | None = None,
) -> None:
    """Record one report's build in manifest.json (atomically).

    Success: its provenance, outputs and `cache` (the key and input states the next build compares).
    Failure: `last_failure` (report, cell and exception type only: never a message that may quote
    a respondent's answer) beside the last good build, and `stale` when that build no longer
    matches the inputs, notebook or parameters; the landing page and footer show both.
    """
    manifest = read_build_manifest(out)
    entry = manifest["reports"].get(spec.name, {})
    if provenance is not None:
        entry = {**provenance, "html": f"{spec.name}.html", "executed": f"executed/{spec.name}.ipynb",
                 "tables": tables or [], "cache": cache or {}, "stale": False}
    else:
        entry["title"] = entry.get("title", spec.title)
        entry["last_failure"] = {"at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(), **(failure or {})}
        entry["stale"] = bool(stale) and "html" in entry
        if entry["stale"]:
            entry["stale_since"] = stale
    manifest["reports"][spec.name] = entry
    tmp = out / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(out / MANIFEST)


def write_index(out: Path, order: list[str], district: str | None = None, not_built: list[ReportSpec] = ()) -> Path:
    """reports/index.html: every report built into `out`, in reports.toml order (see landing.py), for the
    district profile `district` (default: the chosen one); `not_built`: reports its data do not allow."""
    reports = read_build_manifest(out)["reports"]
    names = [n for n in order if n in reports and n not in {s.name for s in not_built}]
    names += sorted(n for n in reports if n not in order)
    # Imported here: the landing page needs nbconvert and pandas, which a no-change build never loads.
    from sro_research.build.landing import write_landing

    return write_landing(out, reports, names, district, not_built)
