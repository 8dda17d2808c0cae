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
    if spec.member:
        entry["fan_out"] = spec.member  # the fan-out it belongs to and its district's record
    manifest["reports"][spec.name] = entry
    _write_manifest(out, manifest)


def record_fan_outs(out: Path, lists: dict[str, dict]) -> bool:
    """Keep each fan-out's title and list of districts (build/fanout.py) in manifest.json; True when
    that changed what its page shows."""
    if not lists:
        return False
    manifest = read_build_manifest(out)
    fan_outs = manifest.setdefault("fan_outs", {})
    if all(fan_outs.get(name) == value for name, value in lists.items()):
        return False
    fan_outs.update(lists)
    _write_manifest(out, manifest)
    return True


def _write_manifest(out: Path, manifest: dict) -> None:
    tmp = out / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(out / MANIFEST)


def write_index(out: Path, order: list[str], district: str | None = None, not_built: list[ReportSpec] = ()) -> Path:
    """reports/index.html: every report built into `out`, in reports.toml order (see landing.py), for the
    district profile `district` (default: the chosen one); `not_built`: reports its data do not allow. A
    fan-out is one entry there, its districts on its own page (fanout_page.py)."""
    manifest = read_build_manifest(out)
    reports, fan_outs = manifest["reports"], manifest.get("fan_outs", {})
    members = {n for n, entry in reports.items() if entry.get("fan_out")}
    skipped = {s.name for s in not_built}
    names = [n for n in order if (n in reports or n in fan_outs) and n not in skipped]
    names += sorted(n for n in reports if n not in order and n not in members)
    # Imported here: the landing page needs nbconvert and pandas, which a no-change build never loads.
    from sro_research.build.landing import write_landing

    return write_landing(out, reports, names, district, not_built, {n: fan_outs[n] for n in names if n in fan_outs})
