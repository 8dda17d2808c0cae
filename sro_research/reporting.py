"""What a report shows a reader: tables (also saved as CSV), banners and notes.

Notebooks call these instead of printing, so every table a reader sees is also written,
machine-readable, to reports/tables/<report>/<name>.csv, and banners look the same everywhere.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import pandas as pd

from sro_research import readable_tables
from sro_research.paths import REPORT_ENV, TABLES_ENV, reports_dir

INTERACTIVE = "interactive"  # the report name when a researcher runs a notebook by hand
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
BANNER_KINDS = ("notice", "warning", "reconstruction", "fallback")
BANNER_WORDS = 60  # a banner longer than this is not read; the rest goes in a collapsed details element
FIGURE_DPI = 110  # sharp on screens and paper, without megabyte pages
PAGE_MIME = "application/vnd.sro-research.page+json"  # the page summary, carried in the notebook for render

# What kind of data a report was built from. The landing page and every CSV say it, so a
# reconstruction or synthetic export can never be quoted as the district's real data.
DATA_STATUSES = {
    "real": "real data",
    "reconstruction": "illustrative reconstruction (synthetic)",
    "synthetic": "synthetic demonstration data",
    "published": "published figures only",
}
PAGE_SUMMARY = "page.json"  # per report, beside its CSVs: data status and key findings, read by the index
_page = {"data_status": None, "data_status_detail": "", "key_findings": []}


def report_name() -> str:
    return os.environ.get(REPORT_ENV) or INTERACTIVE


def tables_dir() -> Path:
    folder = Path(os.environ.get(TABLES_ENV) or reports_dir() / "tables" / report_name())
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


def save_table(df: pd.DataFrame, name: str) -> Path:
    """Write `df` to <tables_dir>/<name>.csv (UTF-8, no index) and return the path.

    Once a data status is set, the CSV gets a `data_status` column, so a downloaded table
    taken out of its page still says whether it is real data.
    """
    if not _SLUG.match(name):
        raise ValueError(f"table name {name!r} must be lower-case letters, digits, '_' or '-'")
    path = tables_dir() / f"{name}.csv"
    if _page["data_status"] is not None and "data_status" not in df.columns:
        df = df.assign(data_status=DATA_STATUSES[_page["data_status"]])
    df.to_csv(path, index=False, lineterminator="\n")
    return path


def table_html(df: pd.DataFrame, caption: str | None = None, labels: dict[str, str] | None = None) -> str:
    """The table as readers see it (see readable_tables): words for columns, yes/no, links, statuses."""
    return readable_tables.table_html(df, caption, labels)


def show_table(df: pd.DataFrame, name: str, caption: str | None = None, labels: dict[str, str] | None = None,
               collapsed: bool = False) -> None:
    """Show `df` to the reader and save the same rows as CSV under `name`.

    `labels` maps column names to the words a reader sees (the CSV keeps the names); other
    snake_case names are turned into words. `collapsed` folds the table under its caption (for
    appendix tables a reader opens on demand). Returns nothing, so a cell ending in
    show_table(...) does not show the table twice.
    """
    from IPython.display import HTML, display

    save_table(df, name)
    table = table_html(df, caption, labels)
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
        save_table(table, name)
        parts.append(table_html(table, caption))
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
    status = _page["data_status"]
    return "" if status in (None, "real", "published") else f"{DATA_STATUSES[status].capitalize()}: "


def show_key_findings(findings: list[tuple[str, str] | tuple[str, str, str]]) -> None:
    """Open a report with its key findings: (sentence, section anchor) pairs, computed, not typed.

    The sentences are also written to page.json, so the landing page can quote the first one.
    A reconstruction or synthetic report prefixes every sentence with its status, except a
    sentence given a third element "published" or "real": it quotes a real source (say, a
    published MPS series in a report otherwise built from a synthetic export).
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


def watermark(fig, text: str | None = None) -> None:
    """Stamp every chart area of `fig` with a large, visible label, e.g. that the data are synthetic.

    Defaults to the report's data status. Applied once per figure (show_figure applies it itself
    to every chart of a reconstruction or synthetic report, so calling it again changes nothing).
    """
    if getattr(fig, "_sro_watermarked", False):
        return
    text = text or DATA_STATUSES.get(_page["data_status"] or "", "")
    if not text:
        raise ValueError("watermark needs a text, or a data status set with set_data_status")
    label = text.upper()
    fig.suptitle(label, color="#a33", fontsize=12, fontweight="bold", y=1.0, va="bottom")
    for ax in fig.axes:
        # As large as fits across the chart area (bold capitals are about 0.7 em wide), over the data.
        width_pt = ax.get_position().width * fig.get_figwidth() * 72
        size = max(8, min(28, 0.9 * width_pt / (0.7 * len(label))))
        ax.text(0.5, 0.5, label, transform=ax.transAxes, ha="center", va="center", rotation=15,
                fontsize=size, fontweight="bold", color="#a33", alpha=0.3, zorder=10, clip_on=True)
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


def show_figure(fig, alt: str) -> None:
    """Show a matplotlib figure as an image with alternative text (read aloud by screen readers).

    nbconvert's templates drop alt text of plain image outputs, so the image goes out as an <img>
    with the picture embedded; the figure is closed so it is not shown a second time. A chart of a
    reconstruction or synthetic report is watermarked with its status.
    """
    import base64

    import matplotlib.pyplot as plt
    from IPython.display import HTML, display

    if not alt.strip():
        raise ValueError("a figure needs alternative text that says what it shows")
    if status_prefix():
        watermark(fig)
    mime, picture = figure_image(fig)
    plt.close(fig)
    data = base64.b64encode(picture).decode("ascii")
    display(HTML(f'<img class="sro-figure" src="data:{mime};base64,{data}" alt="{html.escape(alt, quote=True)}"/>'))
