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

from sro_research.paths import REPORT_ENV, TABLES_ENV, reports_dir

INTERACTIVE = "interactive"  # the report name when a researcher runs a notebook by hand
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
_URL = re.compile(r"https?://[^\s<]+")
_SCHOOL_YEAR = re.compile(r">(\d{4})-(\d{2})<")
BANNER_KINDS = ("notice", "warning", "reconstruction", "fallback")

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
    path = tables_dir() / PAGE_SUMMARY
    path.write_text(json.dumps(_page, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


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


def table_html(df: pd.DataFrame, caption: str | None = None) -> str:
    body = df.to_html(index=False, na_rep="—", classes="sro-table", border=0, escape=True)
    # Let long URLs wrap at their slashes, so a table of sources fits the page.
    body = _URL.sub(lambda m: m.group(0).replace("/", "/<wbr>"), body)
    # Keep a school year such as 2005-06 on one line (non-breaking hyphen; the CSV keeps '-').
    body = _SCHOOL_YEAR.sub(r">\1&#8209;\2<", body)
    if caption:
        opening, rest = body.split(">", 1)  # caption must be the table's first child
        body = f"{opening}><caption>{html.escape(caption)}</caption>{rest}"
    return body


def show_table(df: pd.DataFrame, name: str, caption: str | None = None) -> None:
    """Show `df` to the reader and save the same rows as CSV under `name`.

    Returns nothing, so a notebook cell ending in show_table(...) does not show the table twice.
    """
    from IPython.display import HTML, display

    save_table(df, name)
    display(HTML(table_html(df, caption)))


def banner(message: str, kind: str = "notice", title: str | None = None) -> None:
    """A boxed message a reader cannot miss, e.g. that data is a reconstruction."""
    from IPython.display import HTML, display

    if kind not in BANNER_KINDS:
        raise ValueError(f"banner kind {kind!r} is not one of {', '.join(BANNER_KINDS)}")
    heading = f"<strong>{html.escape(title)}</strong> " if title else ""
    display(
        HTML(f'<div class="sro-banner sro-banner-{kind}" role="note">{heading}{html.escape(message)}</div>')
    )


def note(markdown: str) -> None:
    """Plain-words text computed at run time (e.g. a sentence that quotes an estimate)."""
    from IPython.display import Markdown, display

    display(Markdown(markdown))


def show_key_findings(findings: list[tuple[str, str]]) -> None:
    """Open a report with its key findings: (sentence, section anchor) pairs, computed, not typed.

    The sentences are also written to page.json, so the landing page can quote the first one.
    A reconstruction or synthetic report prefixes every sentence with its status.
    """
    from IPython.display import HTML, display

    if not 1 <= len(findings) <= 6:
        raise ValueError(f"a report opens with 1 to 6 key findings, not {len(findings)}")
    status = _page["data_status"]
    prefix = "" if status in (None, "real", "published") else f"{DATA_STATUSES[status].capitalize()}: "
    sentences = [prefix + sentence for sentence, _ in findings]
    _page["key_findings"] = sentences
    _write_page_summary()
    items = "".join(
        f'<li>{html.escape(sentence)} <a href="#{html.escape(anchor, quote=True)}">More</a></li>'
        for sentence, (_, anchor) in zip(sentences, findings)
    )
    display(HTML(f'<section class="sro-key-findings" aria-labelledby="key-findings">'
                 f'<h2 id="key-findings">Key findings</h2><ul>{items}</ul></section>'))


def show_figure(fig, alt: str) -> None:
    """Show a matplotlib figure as a PNG with alternative text (read aloud by screen readers).

    nbconvert's templates drop alt text of plain PNG outputs, so the image goes out as an <img>
    with the PNG embedded; the figure is closed so it is not shown a second time.
    """
    import base64
    import io

    import matplotlib.pyplot as plt
    from IPython.display import HTML, display

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    display(HTML(f'<img class="sro-figure" src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}"/>'))
