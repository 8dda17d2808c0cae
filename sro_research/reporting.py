"""What a report shows a reader: tables (also saved as CSV), banners and notes.

Notebooks call these instead of printing, so every table a reader sees is also written,
machine-readable, to reports/tables/<report>/<name>.csv in a build (scratch/tables/<notebook>/ when a
researcher runs a notebook by hand), and banners look the same everywhere.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import pandas as pd

from sro_research import data_package, readable_tables
from sro_research.data_status import DATA_STATUSES, STATUS_LABELS, check_status
from sro_research.data_status import labelled as _labelled
from sro_research.paths import REPORT_ENV, TABLES_ENV, scratch_dir

INTERACTIVE = "interactive"  # the report name when a researcher runs a notebook by hand
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
BANNER_KINDS = ("notice", "warning", "reconstruction", "fallback")
BANNER_WORDS = 60  # a banner longer than this is not read; the rest goes in a collapsed details element
FIGURE_DPI = 110  # sharp on screens and paper, without megabyte pages
MIN_CHART_TEXT_PX = 9  # no chart text drawn smaller than this on a phone (CSS px)
PAGE_MIME = "application/vnd.sro-research.page+json"  # the page summary, carried in the notebook for render

# What kind of data a report was built from (data_status: one home for the words). The landing
# page, every CSV, caption and chart say it, so a reconstruction or synthetic export can never be
# quoted as the district's real data. Notebooks read DATA_STATUSES from here.
PAGE_SUMMARY = "page.json"  # per report, beside its CSVs: data status and key findings, read by the index
_page = {"data_status": None, "data_status_detail": "", "key_findings": [], "numbers": {}}
MAX_NUMBERS = 4  # headline numbers a report gives lists of reports (a fan-out's table of districts)


def report_name() -> str:
    """The build's report; by hand, the notebook JupyterLab runs (it sets JPY_SESSION_NAME), else 'interactive'."""
    session = os.environ.get("JPY_SESSION_NAME")
    return os.environ.get(REPORT_ENV) or (Path(session).stem if session else INTERACTIVE)


def tables_dir() -> Path:
    """The build's staging folder; by hand (JupyterLab, plain papermill) a git-ignored scratch folder
    outside the published reports/, so a trial run never lands beside published tables."""
    folder = Path(os.environ.get(TABLES_ENV) or scratch_dir() / "tables" / report_name())
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _write_page_summary() -> None:
    """page.json for the landing page; the same summary in the notebook, for the page's title."""
    path = tables_dir() / PAGE_SUMMARY
    path.write_text(json.dumps(_page, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    from IPython.core.interactiveshell import InteractiveShell

    if InteractiveShell.initialized():  # in a kernel; renders as nothing, render_html reads it
        from IPython.display import display

        display({PAGE_MIME: dict(_page)}, raw=True)


def set_data_status(status: str, detail: str = "") -> None:
    """Declare what the report's numbers come from; every CSV written after this carries it.

    `status` is one of DATA_STATUSES ("real", "reconstruction", "synthetic", "published").
    """
    if status not in DATA_STATUSES:
        raise ValueError(f"data status {status!r} is not one of {', '.join(DATA_STATUSES)}")
    _page["data_status"] = status
    _page["data_status_detail"] = detail
    _write_page_summary()


def data_status() -> str | None:
    return _page["data_status"]


def status_label(status: str | None = None) -> str:
    """'Synthetic demonstration data' for `status` (default: the report's); '' for real or published data."""
    return STATUS_LABELS.get(status if status is not None else _page["data_status"] or "", "")


def labelled(text: str, status: str | None = None) -> str:
    """`text` prefixed with the data-status label (default: the report's), unless it needs none."""
    return _labelled(text, status if status is not None else _page["data_status"])


def _check_source(source: str | None) -> None:
    check_status(source, "source")


def save_table(df: pd.DataFrame, name: str, labels: dict[str, str] | None = None, caption: str | None = None,
               source: str | None = None) -> Path:
    """Write `df` to <tables_dir>/<name>.csv (UTF-8, no index) and describe it in datapackage.json.

    The CSV's field names are lower-case machine names (data_package.field_name), stable however the
    page words a column; the words go into the schema as titles. Once a data status is set, the CSV
    gets a `data_status` column, so a downloaded table taken out of its page still says whether it
    is real data. `source` ("published", "real") overrides the report's status for a table that
    quotes a real source, e.g. a published series in a report otherwise built from synthetic data.
    """
    if not _SLUG.match(name):
        raise ValueError(f"table name {name!r} must be lower-case letters, digits, '_' or '-'")
    _check_source(source)
    labels = labels or df.attrs.get("labels")
    titles = [readable_tables.column_label(c, labels) for c in df.columns]
    frame = df.copy()
    frame.columns = data_package.field_names(df.columns)
    status = source or _page["data_status"]
    if status is not None and "data_status" not in frame.columns:
        frame = frame.assign(data_status=DATA_STATUSES[status])
        titles.append("Data status")
    folder = tables_dir()
    path = folder / f"{name}.csv"
    frame.to_csv(path, index=False, lineterminator="\n")
    title = labelled(caption, source) if caption else None
    data_package.add_resource(folder, report_name(), data_package.resource(frame, name, titles, title))
    return path


def csv_link(names: str | list[str], what: str = "table") -> str:
    """A line linking the page to CSVs of the report's tables folder (pages sit beside tables/)."""
    names = [names] if isinstance(names, str) else names
    links = ", ".join(f'<a href="{html.escape(f"tables/{report_name()}/{name}.csv", quote=True)}" download>'
                      f'{html.escape(name)}.csv</a>' for name in names)
    return f'<p class="sro-data-link">Data for this {what} (CSV): {links}</p>' if names else ""


def table_html(df: pd.DataFrame, caption: str | None = None, labels: dict[str, str] | None = None) -> str:
    """The table as readers see it (see readable_tables): words for columns, yes/no, links, statuses."""
    return readable_tables.table_html(df, caption, labels)


def show_table(df: pd.DataFrame, name: str, caption: str | None = None, labels: dict[str, str] | None = None,
               collapsed: bool = False, source: str | None = None) -> None:
    """Show `df` to the reader and save the same rows as CSV under `name`, linked under the table.

    `labels` maps column names to the words a reader sees (the CSV keeps the names; a report module
    may instead attach them as df.attrs["labels"]); other snake_case names are turned into words.
    The caption carries the data-status label of a reconstruction or synthetic report, unless
    `source` says the table quotes a real or published source. `collapsed` folds the table under
    its caption (for appendix tables a reader opens on demand). Returns nothing, so a cell ending
    in show_table(...) does not show the table twice.
    """
    from IPython.display import HTML, display

    labels = labels or df.attrs.get("labels")
    save_table(df, name, labels, caption, source)
    # A table of synthetic data always has a caption: the label must be seen where the table is copied.
    caption = labelled(caption, source) if caption else (status_label(source) or None)
    table = table_html(df, caption, labels) + csv_link(name)
    if collapsed:
        summary = html.escape(caption or name)
        table = f'<details class="sro-collapsed"><summary>{summary} ({len(df)} rows)</summary>{table}</details>'
    display(HTML(table))


def show_appendix(summary: str, tables: list[tuple[pd.DataFrame, str, str]]) -> None:
    """Long tables (table, name, caption) in one collapsed block under `summary`; each is also saved
    as CSV under its name, as `show_table` saves it. Empty tables are left out."""
    from IPython.display import HTML, display

    parts = []
    for table, name, caption in tables:
        if table.empty:
            continue
        save_table(table, name, caption=caption)
        caption = labelled(caption) if caption else (status_label() or None)
        parts.append(table_html(table, caption) + csv_link(name))
    if parts:
        display(HTML(f'<details class="sro-appendix"><summary>{html.escape(summary)}</summary>{"".join(parts)}</details>'))


def banner(message: str, kind: str = "notice", title: str | None = None, details: str | None = None) -> None:
    """A short boxed message a reader cannot miss, e.g. that data is a reconstruction.

    Keep `message` to a few sentences (at most BANNER_WORDS words are shown); longer explanation
    goes in `details`, collapsed under "More about this". A longer message is cut after the
    sentence that reaches the limit and the rest moved into the collapsed part.
    """
    from IPython.display import HTML, display

    if kind not in BANNER_KINDS:
        raise ValueError(f"banner kind {kind!r} is not one of {', '.join(BANNER_KINDS)}")
    shown, rest = _short_and_rest(message, BANNER_WORDS)
    details = " ".join(part for part in (rest, details or "") if part)
    heading = f"<strong>{html.escape(title)}</strong> " if title else ""
    more = (f'<details><summary>More about this</summary><p>{html.escape(details)}</p></details>'
            if details else "")
    display(HTML(f'<div class="sro-banner sro-banner-{kind}" role="note"><p>{heading}{html.escape(shown)}</p>{more}</div>'))


def _short_and_rest(message: str, words: int) -> tuple[str, str]:
    """The whole sentences of `message` that fit in `words` words (at least one), and the rest."""
    sentences = re.split(r"(?<=[.!?])\s+", message.strip())
    kept: list[str] = []
    for sentence in sentences:
        if kept and len(" ".join(kept + [sentence]).split()) > words:
            break
        kept.append(sentence)
    return " ".join(kept), " ".join(sentences[len(kept):])


def note(markdown: str) -> None:
    """Plain-words text computed at run time (e.g. a sentence that quotes an estimate)."""
    from IPython.display import Markdown, display

    display(Markdown(markdown))


def status_prefix() -> str:
    """'Illustrative reconstruction (synthetic): ' for a report not built from real or published data."""
    label = status_label()
    return f"{label}: " if label else ""


def show_key_findings(findings: list[tuple[str, str] | tuple[str, str, str]]) -> None:
    """Open a report with its key findings: (sentence, section anchor) pairs, computed, not typed.

    The sentences are also written to page.json, so the landing page can quote the first one.
    A reconstruction or synthetic report prefixes every sentence with its status, except a
    sentence given a third element "published" or "real": it quotes a real source (say, a
    district's published series in a report otherwise built from a synthetic export).
    """
    from IPython.display import HTML, display

    if not 1 <= len(findings) <= 6:
        raise ValueError(f"a report opens with 1 to 6 key findings, not {len(findings)}")
    prefix = status_prefix()
    sentences, anchors = [], []
    for finding in findings:
        sentence, anchor, *source = finding
        if source and source[0] not in DATA_STATUSES:
            raise ValueError(f"key finding source {source[0]!r} is not one of {', '.join(DATA_STATUSES)}")
        real_source = bool(source) and source[0] in ("published", "real")
        sentences.append(sentence if real_source else prefix + sentence)
        anchors.append(anchor)
    _page["key_findings"] = sentences
    _write_page_summary()
    items = "".join(
        f'<li>{html.escape(sentence)} <a href="#{html.escape(anchor, quote=True)}" '
        f'aria-label="More on: {html.escape(sentence[:60], quote=True)}">More</a></li>'
        for sentence, anchor in zip(sentences, anchors)
    )
    display(HTML(f'<section class="sro-key-findings" aria-labelledby="key-findings">'
                 f'<h2 id="key-findings">Key findings</h2><ul>{items}</ul></section>'))


def set_headline_numbers(numbers: dict[str, int | float | None]) -> None:
    """A few numbers that sum the report up ({"Schools": 12, "Students": 8_000, ...}), computed, not
    typed: written to page.json beside the key findings, so a fan-out's index page (one row per
    district) shows them in sortable columns. Nothing is shown on the report's own page."""
    if not 1 <= len(numbers) <= MAX_NUMBERS:
        raise ValueError(f"a report gives 1 to {MAX_NUMBERS} headline numbers, not {len(numbers)}")
    for label, value in numbers.items():
        if not (isinstance(label, str) and label.strip()):
            raise ValueError(f"headline number label {label!r} must be words")
        if value is not None and (isinstance(value, (bool, str)) or not hasattr(value, "__float__")):
            raise ValueError(f"headline number {label!r} must be a number or None, not {type(value).__name__}")
    # numpy numbers too; a missing value (None, NaN) is shown as missing, never as 0
    _page["numbers"] = {label: None if value is None or value != value else
                        (int(value) if hasattr(value, "__index__") else float(value)) for label, value in numbers.items()}
    _write_page_summary()


def watermark(fig, text: str | None = None) -> None:
    """Label `fig` once, from this one place: a line above its title and one large diagonal mark.

    Defaults to the report's data-status label. show_figure applies it to every chart of a
    reconstruction or synthetic report (calling it again changes nothing), so a copied or cropped
    image still says what its numbers are.
    """
    if getattr(fig, "_sro_watermarked", False):
        return
    text = text or status_label()
    if not text:
        raise ValueError("watermark needs a text, or a data status set with set_data_status")
    label = text.upper()
    # Above everything (the figure's own title stays); savefig's tight box grows to take it in.
    # At the left, so a phone shows it before the reader scrolls the chart sideways.
    fig.text(0.01, 1.0, label, color="#a33", fontsize=12, fontweight="bold", ha="left", va="bottom")
    # As large as fits across the figure (bold capitals are about 0.7 em wide), over the data.
    size = max(10, min(40, 0.8 * fig.get_figwidth() * 72 / (0.7 * len(label))))
    fig.text(0.5, 0.5, label, ha="center", va="center", rotation=15, fontsize=size, fontweight="bold",
             color="#a33", alpha=0.25, zorder=10)
    fig._sro_watermarked = True


def figure_image(fig, dpi: int = FIGURE_DPI) -> tuple[str, bytes]:
    """The figure as the smaller of an optimized PNG and an SVG: (mime type, bytes)."""
    import io

    from PIL import Image

    raw = io.BytesIO()
    fig.savefig(raw, format="png", dpi=dpi, bbox_inches="tight")
    # Charts use few colours: a 256-colour palette keeps them sharp at a fraction of the size.
    png = io.BytesIO()
    Image.open(io.BytesIO(raw.getvalue())).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(png, format="PNG", optimize=True)
    svg = io.BytesIO()
    fig.savefig(svg, format="svg", bbox_inches="tight", metadata={"Date": None})
    candidates = [("image/png", min(raw.getvalue(), png.getvalue(), key=len)), ("image/svg+xml", svg.getvalue())]
    return min(candidates, key=lambda item: len(item[1]))


def smallest_text_points(fig) -> float:
    """The size, in points, of the smallest visible text in `fig` (tick labels, legend, notes)."""
    from matplotlib.text import Text

    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    return min(sizes, default=MIN_CHART_TEXT_PX * 72 / 96)


def natural_width(mime: str, picture: bytes) -> float:
    """How wide a browser draws the image at its natural size, in CSS px (an SVG's size is in points)."""
    import io

    from PIL import Image

    if mime == "image/png":
        return float(Image.open(io.BytesIO(picture)).width)
    width = re.search(rb'<svg[^>]*\swidth="([0-9.]+)pt"', picture)
    return float(width.group(1)) * 96 / 72 if width else 0.0


def show_figure(fig, alt: str, table: str | list[str] | None = None, source: str | None = None) -> None:
    """Show a matplotlib figure as an image with alternative text (read aloud by screen readers).

    nbconvert's templates drop alt text of plain image outputs, so the image goes out as an <img>
    with the picture embedded; the figure is closed so it is not shown a second time. A chart of a
    reconstruction or synthetic report is labelled (watermark) and so is its alt text, unless
    `source` says it draws only a real or published series. `table` names the CSV(s) holding the
    chart's numbers (saved with show_table or save_table), linked under the chart. On a narrow
    screen the chart never shrinks below the width at which its smallest text is MIN_CHART_TEXT_PX:
    it scrolls sideways in its box instead.
    """
    import base64
    import math

    import matplotlib.pyplot as plt
    from IPython.display import HTML, display

    if not alt.strip():
        raise ValueError("a figure needs alternative text that says what it shows")
    _check_source(source)
    if status_label(source):
        watermark(fig)
        alt = labelled(alt, source)
    mime, picture = figure_image(fig)
    text_pt = smallest_text_points(fig)  # after drawing: tick labels get their text when drawn
    plt.close(fig)
    # The smallest text in CSS px with the image drawn at its natural width: a PNG pixel is a CSS px.
    text_px = text_pt * (FIGURE_DPI if mime == "image/png" else 96) / 72
    min_width = math.ceil(natural_width(mime, picture) * MIN_CHART_TEXT_PX / text_px)
    data = base64.b64encode(picture).decode("ascii")
    label = html.escape("Chart: " + alt[:80], quote=True)
    links = csv_link(table or [], "chart")
    display(HTML(f'<div class="sro-figure-box" role="region" aria-label="{label}" tabindex="0">'
                 f'<img class="sro-figure" src="data:{mime};base64,{data}" alt="{html.escape(alt, quote=True)}" '
                 f'data-min-text-px="{text_px:.1f}" style="min-width: {min_width}px"/></div>{links}'))
