"""reports/index.html: the page a reader opens first.

Per report: a plain title, what its data are, its first key finding, and a readable build date.
How each was built (parameters, environment, commit, input checksums, CSV files) is there too, in
a collapsed part, so readers see findings first and reviewers still find the provenance.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from sro_research.build.config import ConfigError, ReportSpec, SiteSpec, load_district, load_site
from sro_research.build.glossary import load_glossary
from sro_research.build.render import (
    TEMPLATE,
    TEMPLATES,
    readable_date,
    stamped_title,
    without_absolute_paths,
)
from sro_research.data_package import DESCRIPTOR
from sro_research.data_status import STATUS_WORDS
from sro_research.paths import project_root
from sro_research.reporting import PAGE_SUMMARY

e = html.escape


def page_summary(out: Path, name: str) -> dict:
    """Data status and key findings the report recorded; empty when it recorded none."""
    path = out / "tables" / name / PAGE_SUMMARY
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def stylesheet() -> str:
    folder = TEMPLATES / TEMPLATE / "static"
    return "\n".join((folder / name).read_text(encoding="utf-8") for name in ("report.css", "print.css"))


def scroll_hint_script() -> str:
    """The reports' script that puts a cue above a box that scrolls sideways (the index has such boxes too)."""
    return (TEMPLATES / TEMPLATE / "static" / "scroll_hint.js").read_text(encoding="utf-8")


def _codes(values: dict, prefix: str = "") -> str:
    return "".join(f"<code>{e(prefix + str(k))} = {e(str(v))}</code><br>" for k, v in values.items())


def _how_built(name: str, entry: dict) -> str:
    inputs = "".join(
        f"<tr><td>{e(i['name'])}</td><td><code>{e(i['sha256'])}</code></td></tr>" for i in entry.get("inputs", [])
    )
    inputs_table = (
        f'<div class="sro-table-box" role="region" aria-label="Input files of {e(name)}" tabindex="0"><table>'
        f'<thead><tr><th scope="col">Input file</th><th scope="col">SHA-256</th></tr></thead><tbody>{inputs}</tbody></table></div>'
        if inputs else "<p>No input files.</p>"
    )
    tables = ", ".join(f'<a href="tables/{e(name)}/{e(t)}">{e(t)}</a>' for t in entry.get("tables", []))
    return (
        f'<details class="sro-collapsed"><summary>How it was built</summary><table>'
        f'<tr><th scope="row">Report name</th><td><code>{e(name)}</code></td></tr>'
        f'<tr><th scope="row">Built (UTC)</th><td>{e(entry.get("built_at", ""))}</td></tr>'
        f'<tr><th scope="row">Package</th><td>sro-research {e(entry.get("package_version", ""))}</td></tr>'
        f'<tr><th scope="row">Git commit</th><td><code>{e(entry.get("git_commit", ""))}</code></td></tr>'
        f'<tr><th scope="row">Parameters</th><td>{_codes(entry.get("parameters", {}))}</td></tr>'
        f'<tr><th scope="row">Environment</th><td>{_codes(entry.get("environment", {}), "$") or "none"}</td></tr>'
        f'<tr><th scope="row">Tables (CSV)</th><td>{tables or "none"}</td></tr>'
        f"</table>{inputs_table}</details>"
    )


def report_item(out: Path, name: str, entry: dict) -> str:
    summary = page_summary(out, name) if "html" in entry else {}
    status = summary.get("data_status")
    title = stamped_title(entry.get("title", name), status)
    heading = f'<a href="{e(entry["html"])}">{e(title)}</a>' if "html" in entry else e(title)
    parts = [f"<h2>{heading}</h2>"]
    if status:
        detail = f" ({summary['data_status_detail']})" if summary.get("data_status_detail") else ""
        parts.append(f'<p><span class="sro-data-status sro-data-status-{e(status)}">Data: {e(STATUS_WORDS.get(status, status) + detail)}</span></p>')
    findings = summary.get("key_findings") or []
    if findings:
        parts.append(f"<p><strong>Key finding:</strong> {e(findings[0])}</p>")
    tables = entry.get("tables", []) if "html" in entry else []
    if tables:
        # The data beside the findings, not only in the folded build details.
        parts.append(f'<p class="sro-data-link"><a href="tables/{e(name)}/{DESCRIPTOR}">The report\'s {len(tables)} tables as '
                     f'data</a> (CSV files, each with a data_status column, described in {DESCRIPTOR})</p>')
    if "html" in entry:
        parts.append(f'<p class="sro-meta">Built {e(readable_date(entry.get("built_at", "")))} · sro-research {e(entry.get("package_version", ""))}</p>')
    else:
        parts.append('<p class="sro-meta">Never built successfully.</p>')
    failure = entry.get("last_failure")
    if failure:
        # The failed notebook stays outside the published folder (it may quote raw data): no link.
        parts.append(
            f'<p class="sro-failed">Last build failed at {e(readable_date(failure["at"]))}: {e(failure["error"])}.'
            + (" The page linked is the previous successful build" if "html" in entry else "")
            + (", now stale: its inputs, notebook or parameters changed since." if entry.get("stale")
               else "." if "html" in entry else "")
            + "</p>"
        )
    if "html" in entry:
        parts.append(_how_built(name, entry))
    return "<li>" + "".join(parts) + "</li>"


def _glossary_html(glossary: list[dict]) -> str:
    if not glossary:
        return ""
    items = "".join(
        f'<dt id="glossary-{e(g["key"])}">{e(g["term"])}</dt><dd>{e(g["definition"])}'
        + (f' NCES: “{e(g["nces"]["definition"])}” ({e(g["nces"]["location"])}; {e(g["nces"]["cite"])})' if g.get("nces") else "")
        + "</dd>"
        for g in glossary
    )
    return f'<h2 id="glossary">Glossary</h2><dl class="sro-glossary">{items}</dl>'


# Each kind of district data (district.DATA_KINDS) as the landing page's note names it.
KIND_WORDS = {"published": "published figures", "claims": "claims table", "engagement": "engagement survey data",
              "annual_review": "incident export", "crdc": "CRDC files"}


def fan_out_item(out: Path, name: str, listing: dict, members: dict[str, dict]) -> str:
    """A fan-out on the landing page: one entry linking to its own page, the districts' count and status."""
    from sro_research.build.fanout_page import overall_status, page_name

    statuses = [{"summary": page_summary(out, m)} for m, entry in members.items() if "html" in entry]
    status = overall_status(statuses)
    failed = sum(1 for entry in members.values() if entry.get("last_failure"))
    parts = [f'<h2><a href="{e(page_name(name))}">{e(stamped_title(listing.get("title") or name, status))}</a></h2>']
    if status:
        parts.append(f'<p><span class="sro-data-status sro-data-status-{e(status)}">Data: {e(STATUS_WORDS.get(status, status))}</span></p>')
    parts.append(f"<p>One report per district: {len(listing.get('members', [])) or len(members)} districts, "
                 f"{len(statuses)} built" + (f", {failed} failed" if failed else "") +
                 ". A table of every district, with each one's first key finding, sortable and filterable.</p>")
    return "<li>" + "".join(parts) + "</li>"


def not_built_note(district: str, not_built: list[ReportSpec]) -> str:
    """One plain sentence: the reports a district's data do not allow, and what each lacks."""
    if not not_built:
        return ""
    groups: dict[tuple[str, ...], list[str]] = {}
    for spec in not_built:
        # A fan-out is named by its own page's title, not the per-district title it fills for each member.
        groups.setdefault(spec.missing(), []).append(spec.fan_out.get("title") or spec.title)
    parts = [f"{', '.join(titles)} (no {' or '.join(KIND_WORDS.get(k, k) for k in kinds)} in its profile)"
             for kinds, titles in groups.items()]
    return f"Not built for {district or 'this district'}: " + "; ".join(parts) + "."


def landing_page(out: Path, reports: dict, names: list[str], site: SiteSpec, glossary: list[dict],
                 not_built: list[ReportSpec] = (), fan_outs: dict | None = None) -> str:
    fan_outs = fan_outs or {}
    items = "\n".join(
        fan_out_item(out, name, fan_outs[name], _members(reports, name, fan_outs[name])) if name in fan_outs
        else report_item(out, name, reports[name]) for name in names)
    contact = f"<p>{e(site.contact)}</p>" if site.contact else ""
    intro = f"<p>{e(site.landing)}</p>" if site.landing else ""
    note = not_built_note(site.district, not_built)
    note = f'<p class="sro-not-built">{e(note)}</p>' if note else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(site.project)}: reports</title>
<style>
{stylesheet()}
</style></head>
<body>
<header class="sro-site-header"><span class="sro-project">{e(site.project)}</span></header>
<main id="main">
<h1>Reports</h1>
{intro}
<ul class="sro-report-list">
{items}
</ul>
{note}
</main>
<footer class="sro-footer">
{contact}
{_glossary_html(glossary)}
</footer>
<script>
{scroll_hint_script()}</script>
</body></html>
"""


def _members(reports: dict, fan_out: str, listing: dict) -> dict[str, dict]:
    """The fan-out's reports in the manifest that its current list still names (a district dropped
    from the list is no longer shown, though its last page stays in the folder)."""
    from sro_research.build.fanout import member_name

    listed = {member_name(fan_out, record) for record in listing.get("members", [])}
    return {n: entry for n, entry in reports.items() if entry.get("fan_out", {}).get("of") == fan_out and n in listed}


def write_landing(out: Path, reports: dict, names: list[str], district: str | None = None,
                  not_built: list[ReportSpec] = (), fan_outs: dict | None = None) -> Path:
    """Write out/index.html for the reports in `names` (manifest entries in `reports`), with the site text
    and glossary of the district profile `district` (default: the chosen one), and each fan-out's own
    page (`fan_outs`: its title and list of districts, from manifest.json)."""
    try:
        root = project_root()
        site, profile = load_site(None, district), load_district(None, district)
        glossary = load_glossary(root, profile.glossary if profile else None)
    except (ConfigError, FileNotFoundError):
        root, site, glossary = None, SiteSpec(), []
    from sro_research.build.fanout_page import write_fan_out_page

    for name, listing in (fan_outs or {}).items():
        project = site.project
        if listing.get("district"):  # its reports' district, whose site header they carry
            try:
                project = load_site(None, listing["district"]).project
            except ConfigError:
                pass
        write_fan_out_page(out, name, listing, _members(reports, name, listing), project, root)
    page = without_absolute_paths(landing_page(out, reports, names, site, glossary, not_built, fan_outs), root)
    path = out / "index.html"
    tmp = out / ".index.html.tmp"
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path
