"""reports/<fan-out>.html: a fan-out's own index page, one row per district.

Made by the build from what each district's report recorded (page.json: data status, key findings,
headline numbers) and from its manifest entry (page, failure). A plain table that works with
JavaScript off, sorted by district name; a small inline script adds sorting by any column (each
header a button; `aria-sort` says the order) and a filter box. On a phone each row is stacked under
its column names. Like every list of reports, it says when the data are synthetic.
"""

from __future__ import annotations

import html
from pathlib import Path

from sro_research.build.landing import page_summary, scroll_hint_script, stylesheet
from sro_research.build.render import readable_date, stamped_title, without_absolute_paths
from sro_research.data_status import STATUS_LABELS, STATUS_WORDS

e = html.escape
SCRIPT = Path(__file__).parent / "templates" / "sro_report" / "static" / "sortable_table.js"


def page_name(name: str) -> str:
    return f"{name}.html"


def _rows(out: Path, members: dict[str, dict]) -> list[dict]:
    """Per district: its record, page.json, page and failure, sorted by name."""
    rows = []
    for name, entry in members.items():
        summary = page_summary(out, name) if "html" in entry else {}
        record = entry.get("fan_out", {})
        rows.append({"name": name, "entry": entry, "summary": summary,
                     "district": str(record.get("district_name") or record.get("leaid") or name),
                     "leaid": str(record.get("leaid", ""))})
    return sorted(rows, key=lambda r: (r["district"].lower(), r["leaid"]))


def overall_status(rows: list[dict]) -> str | None:
    """The label the page carries: synthetic (or reconstruction) when any district's data are."""
    statuses = {r["summary"].get("data_status") for r in rows} - {None}
    labelled = [s for s in STATUS_LABELS if s in statuses]
    if labelled:
        return labelled[0]
    return statuses.pop() if len(statuses) == 1 else None


def _number(value) -> tuple[str, str]:
    """(shown, sort key) of a headline number; a missing one sorts last and shows a dash."""
    if value is None:
        return "–", ""
    return (f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"), repr(value)


def _row(row: dict, labels: list[str]) -> str:
    entry, summary = row["entry"], row["summary"]
    district = (f'<a href="{e(entry["html"])}">{e(row["district"])}</a>' if "html" in entry else e(row["district"]))
    cells = [f'<th scope="row" data-label="District" data-sort="{e(row["district"].lower())}">{district}</th>',
             f'<td data-label="LEA id">{e(row["leaid"])}</td>']
    numbers = summary.get("numbers") or {}
    for label in labels:
        shown, key = _number(numbers.get(label))
        cells.append(f'<td data-label="{e(label)}" data-sort="{e(key)}" class="sro-number">{shown}</td>')
    status = summary.get("data_status")
    cells.append(f'<td data-label="Data">{e(STATUS_WORDS.get(status, "not built") if status else "not built")}</td>')
    failure = entry.get("last_failure")
    findings = summary.get("key_findings") or []
    if failure:
        said = f"Last build failed at {readable_date(failure['at'])}: {failure['error']}."
        if "html" in entry:
            said += " The page linked is the previous successful build."
        finding = f'<span class="sro-failed">{e(said)}</span>'
    else:
        finding = e(findings[0]) if findings else ("No key finding recorded." if "html" in entry else "Not built yet.")
    cells.append(f'<td data-label="Key finding">{finding}</td>')
    return "<tr>" + "".join(cells) + "</tr>"


def _header_attributes(index: int, header: str, numeric: set[int]) -> str:
    """The table starts sorted by district name; number columns sort as numbers; findings do not sort."""
    return ((' aria-sort="ascending"' if index == 0 else "") + (' data-type="number"' if index in numeric else "")
            + (' data-sortable="no"' if header == "Key finding" else ""))


def fan_out_page(out: Path, name: str, listing: dict, members: dict[str, dict], project: str) -> str:
    from sro_research.build.fanout import member_name

    unbuilt = {member_name(name, r): {"fan_out": {"of": name, **r}} for r in listing.get("members", [])}
    rows = _rows(out, {**unbuilt, **members})
    status = overall_status(rows)
    title = stamped_title(listing.get("title") or name, status)
    labels = list(dict.fromkeys(label for r in rows for label in (r["summary"].get("numbers") or {})))
    failed = sum(1 for r in rows if r["entry"].get("last_failure"))
    built = sum(1 for r in rows if "html" in r["entry"])
    listed = len(listing.get("members", [])) or len(rows)
    headers = ["District", "LEA id", *labels, "Data", "Key finding"]
    numeric = {2 + i for i in range(len(labels))}
    head = "".join(f'<th scope="col"{_header_attributes(i, h, numeric)}>{e(h)}</th>' for i, h in enumerate(headers))
    badge = (f'<p><span class="sro-data-status sro-data-status-{e(status)}">Data: {e(STATUS_WORDS[status])}</span></p>'
             if status else "")
    caption = stamped_title(f"{listed} districts, one report each", status)
    summary = (f"{listed} districts listed; {built} with a page"
               + (f"; {failed} whose last build failed (listed in the table)" if failed else "") + ".")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>
<style>
{stylesheet()}
.sro-fan-out-controls[hidden] {{ display: none; }}
.sro-fan-out-controls {{ display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; align-items: end; margin: 1rem 0 0.5rem; }}
.sro-fan-out-controls label {{ display: block; font-weight: 600; }}
.sro-fan-out-controls input, .sro-fan-out-controls select {{ font: inherit; padding: 0.3rem; max-width: 100%; }}
th button {{ font: inherit; font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer; text-align: left; text-decoration: underline dotted; }}
th[aria-sort] button::after {{ content: " \\25B2"; }}
th[aria-sort="descending"] button::after {{ content: " \\25BC"; }}
td.sro-number {{ text-align: right; white-space: nowrap; }}
</style></head>
<body>
<header class="sro-site-header"><span class="sro-project">{e(project)}</span> · <a href="index.html">All reports</a></header>
<main id="main">
<h1>{e(title)}</h1>
{badge}
<p>{e(summary)} Each district's report is built from the same notebook; its page says what it found and from which files.</p>
<form class="sro-fan-out-controls" hidden role="search" onsubmit="return false">
<div><label for="sro-filter">Find a district</label><input id="sro-filter" type="search" autocomplete="off" placeholder="Name, LEA id or words of a finding"></div>
<div><label for="sro-sort">Sort by</label><select id="sro-sort"></select></div>
<p id="sro-count" aria-live="polite"></p>
</form>
<div class="sro-table-box" role="region" aria-label="Districts" tabindex="0">
<table class="sro-table sro-table-wide sro-fan-out" id="sro-districts">
<caption>{e(caption)}</caption>
<thead><tr>{head}</tr></thead>
<tbody>
{chr(10).join(_row(r, labels) for r in rows)}
</tbody></table></div>
<p class="sro-meta">Listed at the last build from {e(listing.get("over", "the fan-out's list"))}; each row links to the district's own page.</p>
</main>
<script>
{scroll_hint_script()}
{SCRIPT.read_text(encoding="utf-8")}</script>
</body></html>
"""


def write_fan_out_page(out: Path, name: str, listing: dict, members: dict[str, dict], project: str,
                       root: Path | None) -> Path:
    page = without_absolute_paths(fan_out_page(out, name, listing, members, project), root)
    path = out / page_name(name)
    tmp = out / f".{path.name}.tmp"
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path
