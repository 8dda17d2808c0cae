"""reports/manifest.json and reports/index.html: what was built, from what, and when.

The manifest accumulates across builds, so building one report keeps the others listed with the
provenance of their own last successful build. A failed build is recorded beside the last good one.
"""

from __future__ import annotations

import html
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


def _row(name: str, entry: dict) -> str:
    e = html.escape
    if "html" in entry:
        title = f'<a href="{e(entry["html"])}">{e(entry.get("title", name))}</a>'
        built = e(entry.get("built_at", ""))
    else:
        title, built = e(entry.get("title", name)), "never built"
    status = ""
    if entry.get("last_failure"):
        failure = entry["last_failure"]
        status = (
            f'<p class="failed">Last build failed at {e(failure["at"])}: {e(failure.get("error", ""))}.'
            + (" The page linked is the previous successful build" if "html" in entry else "")
            + (", now stale: its inputs, notebook or parameters changed since." if entry.get("stale") else ".")
            + "</p>"
        )
    params = "".join(f"<code>{e(k)} = {e(str(v))}</code><br>" for k, v in entry.get("parameters", {}).items())
    params += "".join(f"<code>${e(k)} = {e(str(v))}</code><br>" for k, v in entry.get("environment", {}).items())
    inputs = "".join(
        f"{e(i['name'])}<br><code>sha256 {e(i['sha256'])}</code><br>" for i in entry.get("inputs", [])
    ) or "none"
    tables = "".join(
        f'<a href="tables/{e(name)}/{e(t)}">{e(t)}</a><br>' for t in entry.get("tables", [])
    )
    return (
        f"<tr><td><strong>{title}</strong><br><code>{e(name)}</code>{status}</td>"
        f"<td>{params}</td><td>{built}</td>"
        f"<td>{e(entry.get('package_version', ''))}</td><td><code>{e(entry.get('git_commit', ''))}</code></td>"
        f"<td>{inputs}</td><td>{tables}</td></tr>"
    )


def write_index(out: Path, order: list[str]) -> Path:
    """reports/index.html: every report built into `out`, in reports.toml order."""
    reports = read_build_manifest(out)["reports"]
    names = [n for n in order if n in reports] + sorted(n for n in reports if n not in order)
    rows = "\n".join(_row(name, reports[name]) for name in names)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>sro-research reports</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 80rem; margin: 0 auto; padding: 1.5rem; color: #222; }}
table {{ border-collapse: collapse; width: 100%; font-size: 0.9rem; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 0.4rem 0.6rem; text-align: left; vertical-align: top; }}
code {{ font-size: 0.8rem; word-break: break-all; }}
.failed {{ color: #a33; }}
</style></head>
<body>
<h1>sro-research reports</h1>
<p>Each report was built by executing its notebook with the parameters shown. Input files are listed
with their SHA-256 checksums so anyone can confirm they are using the same data.</p>
<table>
<thead><tr><th>Report</th><th>Parameters</th><th>Built (UTC)</th><th>Package</th><th>Git commit</th><th>Input files</th><th>Tables (CSV)</th></tr></thead>
<tbody>
{rows}
</tbody></table>
</body></html>
"""
    path = out / "index.html"
    tmp = out / ".index.html.tmp"
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path
