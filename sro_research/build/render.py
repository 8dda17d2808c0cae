"""Executed notebook -> one self-contained HTML page a reader can open offline.

nbconvert turns the notebook into HTML with our template (templates/sro_report: code hidden, no
CDN scripts, a small stylesheet). The page is then finished for readers: the data status stamped
on its title and heading, a table of contents, links for every web address, short source ids
linked to their entry in the report's sources table, and no absolute path of the build machine.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime
from pathlib import Path

from typing import TYPE_CHECKING

from bs4 import BeautifulSoup, NavigableString

from sro_research.build.config import ConfigError, load_district, load_reports, load_site
from sro_research.build.glossary import load_glossary
from sro_research.paths import project_root, without_absolute_paths
from sro_research.provenance import INPUTS_MIME
from sro_research.readable_tables import URL
from sro_research.data_status import STATUS_LABELS, STATUS_WORDS, labelled
from sro_research.reporting import PAGE_MIME

if TYPE_CHECKING:  # nbconvert and nbformat are imported when a page is rendered: the index page and
    import nbformat  # an interrupted build's parent need only this module's words (seconds of imports)

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "sro_report"  # lab's cell markup, none of its CSS or scripts; our styles and footer


def readable_date(iso: str) -> str:
    """'2026-11-28T16:46:07+00:00' -> '28 November 2026, 16:46 UTC' (unparseable text is kept)."""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso)
    zone = "UTC" if moment.utcoffset() is not None and moment.utcoffset().total_seconds() == 0 else moment.strftime("%Z")
    return f"{moment.day} {moment.strftime('%B %Y, %H:%M')} {zone}".strip()




def page_summary(nb: nbformat.NotebookNode) -> dict:
    """The last data status and key findings reporting recorded in the notebook's outputs."""
    summary: dict = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if PAGE_MIME in output.get("data", {}):
                summary = dict(output["data"][PAGE_MIME])
    return summary


def stamped_title(title: str, status: str | None) -> str:
    """'Illustrative reconstruction (synthetic): <title>' for data that are not real; else the title."""
    return labelled(title, status or "real")


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def print_label_style(status: str | None) -> str:
    """A running header and footer on every printed page of a reconstruction or synthetic report."""
    label = STATUS_LABELS.get(status or "")
    if not label:
        return ""
    words = _css_string(label.upper())
    margin = "font: 600 9pt system-ui, sans-serif; color: #7a1f1f;"
    return ("@media print { @page { "
            f"@top-center {{ content: {words}; {margin} }} "
            f"@bottom-center {{ content: {words} \" · page \" counter(page) \" of \" counter(pages); {margin} }} "
            "} }")


def _reader_facing(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop what only a developer needs: warnings and logs on stderr stay in the executed notebook."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o for o in cell.outputs
                if not (o.output_type == "stream" and o.get("name") == "stderr")
                and not {PAGE_MIME, INPUTS_MIME} & set(o.get("data", {}))
            ]
    return nb


def _site_context(nb: nbformat.NotebookNode, district: str | None = None) -> dict:
    """Header and footer content: project name, contact, other reports, glossary, readable date, for the
    district profile `district` (default: the chosen one)."""
    prov = nb.metadata.get("sro_research", {})
    context: dict = {"project": "sro-research", "contact": "", "reports": [], "glossary": []}
    try:
        root = project_root()
        site, profile = load_site(None, district), load_district(None, district)
        specs = load_reports(None, district)
    except (ConfigError, FileNotFoundError):
        return context
    context.update(project=site.project, contact=site.contact,
                   glossary=load_glossary(root, profile.glossary if profile else None))
    current = prov.get("report")
    status = page_summary(nb).get("data_status")
    context["reports"] = [
        {"name": name, "title": stamped_title(spec.title, status if name == current else spec.data_status),
         "current": name == current}
        for name, spec in specs.items()
    ]
    if prov.get("built_at"):
        context["built"] = readable_date(prov["built_at"])
    return context


def _heading_text(tag) -> str:
    return tag.get_text().replace("¶", "").strip()  # without nbconvert's anchor mark


def _stamp_status(soup: BeautifulSoup, status: str | None, detail: str = "", title: str | None = None) -> None:
    """The first heading says the report's title (the one <title>, the index and every list of
    reports use, naming its years and scope) with the status label; under it, what the data are."""
    heading = soup.main.find("h1") if soup.main else None
    if heading is None:
        return
    anchor = heading.find("a", class_="anchor-link")
    text = _heading_text(heading)
    stamped = stamped_title(title or text, status)
    if stamped != text:
        heading.clear()
        heading.append(stamped)
        if anchor is not None:
            heading.append(anchor)
    if not status:
        return
    line = soup.new_tag("p", attrs={"class": f"sro-data-status sro-data-status-{status}"})
    line.string = f"Data: {STATUS_WORDS.get(status, status)}" + (f" ({detail})" if detail else "")
    heading.insert_after(line)


def _add_print_label(soup: BeautifulSoup, status: str | None) -> None:
    style = print_label_style(status)
    if style and soup.head is not None:
        tag = soup.new_tag("style", attrs={"class": "sro-print-label"})
        tag.string = style
        soup.head.append(tag)


def _last_opening_banner(main, sections):
    """The last banner above the first section: the contents go below what the reader must see first."""
    first = sections[0].sourceline if sections else None
    opening = [b for b in main.select(".sro-banner") if first is None or (b.sourceline or 0) < first]
    return opening[-1] if opening else None


def _add_contents(soup: BeautifulSoup) -> None:
    """A table of contents of the report's sections, after the key findings (or the title)."""
    main = soup.main
    if main is None:
        return
    sections = [h for h in main.find_all("h2") if h.get("id") and h["id"] != "key-findings"]
    for heading in sections[1:]:  # printed, each section after the first starts a page
        heading["class"] = heading.get("class", []) + ["sro-new-page"]
    footer_links = [(f["id"], f.get_text()) for f in soup.select("footer #glossary, footer #other-reports")]
    if len(sections) + len(footer_links) < 2:
        return
    nav = soup.new_tag("nav", attrs={"class": "sro-toc", "aria-label": "Contents"})
    details = soup.new_tag("details", attrs={"open": ""})
    summary = soup.new_tag("summary")
    summary.string = "Contents"
    details.append(summary)
    items = soup.new_tag("ol")
    for anchor, text in [(h["id"], _heading_text(h)) for h in sections] + footer_links:
        item = soup.new_tag("li")
        link = soup.new_tag("a", href=f"#{anchor}")
        link.string = text
        item.append(link)
        items.append(item)
    details.append(items)
    nav.append(details)
    after = main.find("section", class_="sro-key-findings") or _last_opening_banner(main, sections) or main.find("h1")
    if after is None:
        main.insert(0, nav)
        return
    while after.parent is not main:  # place it between cells, not inside one
        after = after.parent
    after.insert_after(nav)


def _replace_text(node: NavigableString, pattern: re.Pattern, make_link) -> None:
    """Split a text node around each match of `pattern`, the match replaced by make_link(match)."""
    text = str(node)
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces += [text[last:match.start()], make_link(match.group(0))]
        last = match.end()
    if not pieces:
        return
    pieces.append(text[last:])
    for piece in pieces:
        node.insert_before(piece)
    node.extract()


def _text_nodes(root, skip=("a", "script", "style", "code", "pre", "title", "summary")):
    for node in list(root.find_all(string=True)):
        if node.find_parent(skip) is None and type(node) is NavigableString:
            yield node


def _link_addresses(soup: BeautifulSoup) -> None:
    """Web addresses written as text in notes and markdown become links."""

    def link(url: str):
        tag = soup.new_tag("a", href=url)
        tag.string = url
        return tag

    for node in _text_nodes(soup.body):
        if "http" in node:
            _replace_text(node, URL, link)


def _link_citations(soup: BeautifulSoup) -> None:
    """A short source id (e.g. nces_2015_051) links to its row in the report's sources table."""
    rows = {row["id"][len("source-"):]: row["id"] for row in soup.select('tr[id^="source-"]')}
    if not rows:
        return
    pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(rows, key=len, reverse=True)) + r")\b")

    def link(source_id: str):
        tag = soup.new_tag("a", href=f"#{rows[source_id]}")
        tag.string = source_id
        return tag

    for node in _text_nodes(soup.main):
        if node.find_parent("tr", id=re.compile("^source-")) is None and pattern.search(node):
            _replace_text(node, pattern, link)


def _remove_absolute_paths(soup: BeautifulSoup, root: Path | None) -> None:
    for node in list(soup.find_all(string=True)):
        if type(node) is NavigableString and ("/" in node or "\\" in node) and node.find_parent(("style", "script")) is None:
            cleaned = without_absolute_paths(str(node), root)
            if cleaned != str(node):
                node.replace_with(cleaned)


def finish_page(page: str, status: str | None, root: Path | None = None, detail: str = "",
                title: str | None = None) -> str:
    """Heading, stamp, contents, links, citations and path clean-up on the HTML nbconvert produced."""
    soup = BeautifulSoup(page, "html.parser")
    _stamp_status(soup, status, detail, title)
    _add_print_label(soup, status)
    _add_contents(soup)
    _link_addresses(soup)
    _link_citations(soup)
    _remove_absolute_paths(soup, root)
    return str(soup)


def render_html(nb: nbformat.NotebookNode, title: str, district: str | None = None) -> str:
    """HTML with code hidden, figures embedded as data URIs and no external script, style or font; the site
    header, list of reports and glossary of the district profile `district` (default: the chosen one)."""
    from nbconvert import HTMLExporter

    summary = page_summary(nb)
    status = summary.get("data_status")
    try:
        profile = load_district(None, district)
    except (ConfigError, FileNotFoundError):
        profile = None
    if profile is not None and profile.status == "synthetic":
        status = "synthetic"  # an invented district: the page says so whatever its notebook declared
    nb = _reader_facing(nb)
    nb.metadata["title"] = stamped_title(title, status)
    exporter = HTMLExporter(
        template_name=TEMPLATE,
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    body, _ = exporter.from_notebook_node(nb, resources={"sro": _site_context(nb, district)})
    try:
        root = project_root()
    except FileNotFoundError:
        root = None
    return finish_page(body, status, root, summary.get("data_status_detail", ""), title)
