"""Tables as a reader sees them: column names in words, yes/no, p-values, status words, links.

Pure formatting, used by reporting.show_table: the CSV keeps the machine-readable frame, the page
shows this human version. Every cell is escaped; the only markup added is links, status labels,
data-label attributes (so a narrow screen or a printed page can stack a wide table) and row ids
for sources (so a short citation elsewhere on the page can link to its full entry).
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd

# Statuses a check can end in; each is shown as the word inside a coloured label (never colour alone).
STATUS_WORDS = ("reproduced", "internally consistent", "consistent", "discrepancy", "misleading reasoning", "unverifiable")
URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:)\]]")
_SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")
# Whole column names a reader would not parse, and words inside snake_case names.
COLUMN_WORDS = {
    "p_value": "p-value", "pvalue": "p-value", "p": "p-value", "cramers_v": "Cramér's V", "dof": "Degrees of freedom",
    "ci95_low": "95% CI, low", "ci95_high": "95% CI, high", "ci_low": "95% CI, low", "ci_high": "95% CI, high",
    "se": "Standard error (SE)", "cv": "Coefficient of variation", "n": "Respondents (n)", "weighted_n": "Schools represented",
    "source_id": "Source ID", "claim_id": "Claim ID",
}
TOKEN_WORDS = {
    "ci": "CI", "ci95": "95% CI", "se": "SE", "id": "ID", "pct": "%", "url": "URL", "nces": "NCES", "ssocs": "SSOCS",
    "frss": "FRSS", "sro": "SRO", "sros": "SROs", "dof": "degrees of freedom",
}
WIDE_COLUMNS = 5  # tables with more columns are stacked row by row on phones
WORDY_CELLS = 25  # ... and on paper too when their cells average more characters than this


def column_label(name: str, labels: dict[str, str] | None = None) -> str:
    """A column name in words: the caller's label, a known name, else snake_case split into words."""
    if labels and name in labels:
        return labels[name]
    name = str(name)
    if name in COLUMN_WORDS:
        return COLUMN_WORDS[name]
    if "_" not in name:
        return name[:1].upper() + name[1:] if name.islower() else name
    words = " ".join(TOKEN_WORDS.get(token, token) for token in name.split("_") if token)
    return words[:1].upper() + words[1:]


def is_p_value_column(name: str) -> bool:
    name = str(name).lower().replace("-", "_")
    return name in ("p", "p_value", "pvalue") or name.endswith("_p_value")


def p_value_text(value, missing: str = "—") -> str:
    """The one wording of a p-value: '< 0.001' for tiny ones, else three decimals, never scientific
    notation; `missing` where there is none (a table's dash, or a report's "not tested")."""
    if isinstance(value, str):  # already worded by the report (e.g. "< 0.001", "not tested")
        return value
    if value is None or pd.isna(value) or not np.isfinite(float(value)):
        return missing
    value = float(value)
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def p_statement(value) -> str:
    """A p-value inside a sentence: "p < 0.001" or "p = 0.042"."""
    text = p_value_text(value)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def _is_flag_column(series: pd.Series) -> bool:
    values = series.dropna()
    return not values.empty and all(isinstance(v, (bool, np.bool_)) for v in values)


def _nothing_suppressed(series: pd.Series) -> bool:
    return all(v in (False, 0, "", "no", "False") or pd.isna(v) for v in series)


def readable_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Values as text a reader expects: yes/no, formatted p-values; an empty 'suppressed' column dropped."""
    shown = df.copy()
    for column in list(shown.columns):
        series = shown[column]
        if str(column).lower() == "suppressed" and _nothing_suppressed(series):
            shown = shown.drop(columns=column)
        elif is_p_value_column(column):
            shown[column] = [p_value_text(v) for v in series]
        elif _is_flag_column(series):
            shown[column] = ["—" if pd.isna(v) else ("yes" if v else "no") for v in series]
    return shown


def _cell_text(value) -> str:
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:,.10g}" if abs(value) >= 10_000 else f"{value:.10g}"
    return str(value)


def _link(match: re.Match) -> str:
    url = match.group(0)
    shown = url.replace("/", "/<wbr>")  # a long address may wrap at its slashes
    return f'<a href="{url}">{shown}</a>'


def cell_html(value) -> str:
    """One escaped cell: addresses become links, a status word becomes a labelled status."""
    text = _cell_text(value)
    lowered = text.strip().lower()
    if lowered in STATUS_WORDS:
        slug = lowered.replace(" ", "-")
        return f'<span class="sro-status sro-status-{slug}">{html.escape(text.strip())}</span>'
    escaped = html.escape(text, quote=False)
    year = _SCHOOL_YEAR.match(text)
    if year:  # keep a school year such as 2005-06 on one line (the CSV keeps '-')
        return f"{year.group(1)}&#8209;{year.group(2)}"
    return URL.sub(_link, escaped)


def source_anchor(source_id: str) -> str:
    return "source-" + re.sub(r"[^A-Za-z0-9_\-]", "-", str(source_id))


def table_html(df: pd.DataFrame, caption: str | None = None, labels: dict[str, str] | None = None) -> str:
    """The human table, wrapped in a box that scrolls sideways on its own when it is too wide.

    Column words come from `labels`, else from df.attrs["labels"] (set by a report module), else
    from the names themselves."""
    labels = labels or df.attrs.get("labels")
    shown = readable_frame(df)
    headers = [column_label(c, labels) for c in shown.columns]
    wide = ""
    if len(headers) > WIDE_COLUMNS:
        lengths = [len(_cell_text(v)) for column in shown.columns for v in shown[column]]
        wordy = bool(lengths) and sum(lengths) / len(lengths) > WORDY_CELLS
        wide = " sro-table-wide sro-table-wordy" if wordy else " sro-table-wide"
    # A header may break after a slash (Race/ethnicity), as between words, and nowhere else.
    head = "".join(f'<th scope="col">{html.escape(h).replace("/", "/<wbr>")}</th>' for h in headers)
    rows = []
    for record in shown.itertuples(index=False):
        row_id = ""
        if "source_id" in shown.columns:
            row_id = f' id="{source_anchor(record[list(shown.columns).index("source_id")])}"'
        cells = "".join(
            f'<td data-label="{html.escape(h, quote=True)}">{cell_html(v)}</td>' for h, v in zip(headers, record)
        )
        rows.append(f"<tr{row_id}>{cells}</tr>")
    title = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    label = html.escape(caption or "Table", quote=True)
    return (
        f'<div class="sro-table-box" role="region" aria-label="{label}" tabindex="0">'
        f'<table class="sro-table{wide}">{title}<thead><tr>{head}</tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table></div>'
    )
