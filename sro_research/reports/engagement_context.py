"""The engagement report's context sections: what was read, the questions as the export words
them, the published figures (calibration for a reconstruction, a check for real data), and the
method notes with the disclosure audit's result."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sro_research.readers.engagement import Codebook, Mapping, Survey
from sro_research.reports.engagement_tables import EngagementTables

CHECK_COLUMNS = {"figure_id": "figure", "group": "group", "published": "printed", "reproduced": "from the data",
                 "check": "agrees", "rule": "how the printed words were read", "source": "source"}


def input_note(survey: Survey, codebook: Codebook) -> str:
    mapping = f"column mapping `{Path(survey.mapping).name}`" if survey.mapping else "no column mapping (codebook headers and codes)"
    ignored = ""
    if survey.unused_columns:  # counted, never listed: only headers the mapping itself declares are named
        declared = f" (among them, as the mapping declares: {', '.join(survey.ignored_columns)})" if survey.ignored_columns else ""
        ignored = f" Columns not used: {survey.unused_columns:,}{declared}."
    if survey.id_warning:
        ignored += (" The export's respondent ids look like personal values; they are used only as keyed hashes "
                    "and never shown.")
    if survey.absent_items:
        labels = [codebook.item(name).label for name in survey.absent_items]
        ignored += f" Not in this export (left unanswered): {'; '.join(labels)}."
    return (f"Responses read from `{survey.source.name}` (SHA-256 `{survey.sha256[:16]}…`) with {mapping}: "
            f"{len(survey.responses):,} respondents.{ignored}")


def data_note(survey: Survey) -> str:
    """Where this page's numbers come from, in a sentence (how the file was read is in the method notes)."""
    if survey.is_reconstruction:
        return ("Every number on this page that is not marked as published comes from the synthetic respondents of "
                "the [illustrative reconstruction](#glossary-reconstruction), not from the district's survey.")
    return (f"The numbers on this page come from the district's survey export ({len(survey.responses):,} respondents); "
            "how it was read is under *How to read this report*.")


def questions_table(codebook: Codebook, sources: pd.DataFrame, mapping: Mapping | None) -> pd.DataFrame:
    """The survey's questions, worded as the export's own headers when a mapping names them, with
    their answers and whether each is known from a published source."""
    sources = sources.set_index("source_id")
    headers = mapping.columns if mapping is not None else {}
    rows = []
    for item in codebook.items:
        if item.name in ("respondent_id", "data_status"):
            continue
        published = [text for code, text in item.values.items() if item.value_status.get(code, item.status) == "published"]
        row = {"question": headers.get(item.name, item.label)}
        if headers:
            row["codebook item"] = item.label
        rows.append({**row,
                     "answers": "; ".join(item.values.values()) or "(written answer)",
                     "status": item.status,
                     "answers known from sources": "; ".join(published) if item.status == "published" else "",
                     "what the sources show": item.evidence,
                     "sources": "; ".join(f"{sources.loc[s, 'publisher']} ({s})" for s in item.source_ids)})
    return pd.DataFrame(rows)


# What a published measure says, for the key findings (the figures themselves come from the data).
PUBLISHED_MEASURES = {"agree_sros_in_schools_pct": "agreed that SROs should work in their schools",
                      "want_less_sro_time": "wanted SROs to spend less time in their school"}
_COMMON_FIRST_WORDS = {"each", "all", "respondents", "students", "staff", "parents", "community"}


def _in_sentence(group: str) -> str:
    """'Each of students, ...' -> 'each of students, ...'; 'African American students' unchanged."""
    first = group.split()[0] if group.split() else ""
    return group[:1].lower() + group[1:] if first.lower() in _COMMON_FIRST_WORDS else group


def _outlet(source_id: str, sources: dict) -> str:
    """'Star Tribune, 2017-07': the outlet and date a reader can look the figure up by."""
    source = sources.get(source_id, {})
    when = source.get("date") or (str(int(source["year"])) if pd.notna(source.get("year")) and source.get("year") != "" else "")
    return f"{source.get('publisher', source_id)}{', ' + when if when else ''}"


def _measure_sentence(rows: pd.DataFrame, what: str, sources: dict) -> str:
    # A lower bound ("at least 72% of each of ...") first, then the figures for particular groups.
    rows = rows.assign(first=~rows["value_text"].str.startswith("at least")).sort_values("first", kind="stable")
    said = [f"{r.value_text} of {_in_sentence(r.group)}" for r in rows.itertuples()]
    outlets = "; ".join(dict.fromkeys(_outlet(s, sources) for s in rows["source_id"]))
    rest = f", as did {' and '.join(said[1:])}" if len(said) > 1 else ""
    return f"{said[0]} {what}{rest} ({outlets})"


def _respondents_sentence(rows: pd.DataFrame, sources: dict) -> str:
    parts = []
    for group, printed in rows.groupby("group", sort=False):
        texts = printed.drop_duplicates("value_text")
        if len(texts) == 1:
            parts.append(f"{texts['value_text'].iloc[0]} {_in_sentence(group)}")
        else:  # the sources disagree: name each
            parts.append(" or ".join(f"{r.value_text} ({sources.get(r.source_id, {}).get('publisher', r.source_id)})"
                                     for r in texts.itertuples()) + f" {_in_sentence(group)}")
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


def published_findings(published: pd.DataFrame, anchor: str) -> list[tuple[str, str, str]]:
    """What the press printed about the survey, first on the page: (sentence, anchor, "published").

    Built from the published-figures rows of the report's school year; none when there are none."""
    sources = published.attrs.get("sources", {})
    findings = []
    for measure, what in PUBLISHED_MEASURES.items():
        rows = published[published["measure"] == measure]
        if not rows.empty:
            findings.append(_measure_sentence(rows, what, sources))
    respondents = published[published["measure"] == "respondents"]
    counted = (f"The press counted {_respondents_sentence(respondents, sources)} among the respondents; the district's "
               "full results were not published." if not respondents.empty else "")
    if not findings:
        return [(counted, anchor, "published")] if counted else []
    first = f"Published in the press: {findings[0]}."
    rest = " ".join(part for part in (("The press also reported that " + "; and that ".join(findings[1:]) + ".")
                                      if len(findings) > 1 else "", counted) if part)
    return [(first, anchor, "published")] + ([(rest, anchor, "published")] if rest else [])


def published_table(checks: pd.DataFrame, sources: dict) -> pd.DataFrame:
    """The published-vs-reproduced checks with each figure's source named, columns in words."""
    table = checks.copy()
    table["source"] = table["source_id"].map(lambda s: f"{sources[s]['publisher']}, {sources[s]['url']}" if s in sources else s)
    return table[list(CHECK_COLUMNS)].rename(columns=CHECK_COLUMNS)


def published_caption(reconstruction: bool) -> str:
    if reconstruction:
        return ("Calibration: the figures the press printed, which the reconstruction was built to match "
                "(agreement here is by construction, not confirmation)")
    return "The figures the press printed, checked against these data"


def checks_sentence(checks: pd.DataFrame, published: pd.DataFrame, reconstruction: bool) -> str:
    """Plain words for the published-figure table, with the published note for each mismatch."""
    counts = checks["check"].value_counts()
    no = counts.get("no", 0)
    text = (f"Of {len(checks)} published figures, {counts.get('yes', 0)} agree with the data, "
            f"{no} {'does' if no == 1 else 'do'} not, "
            + (f"{counts['not shown']} cannot be shown without revealing a count under the suppression threshold, "
               if counts.get("not shown", 0) else "")
            + f"and {counts.get('not checkable', 0)} cannot be checked from survey answers.")
    if reconstruction:
        text += (" The reconstruction was made to reproduce these figures, so their agreement shows the "
                 "calibration worked; it says nothing about the district's real responses.")
    figures = published.set_index("figure_id")
    for _, row in checks[checks["check"] == "no"].iterrows():
        why = figures["note"].get(row["figure_id"])
        conflict = "conflicting_sources" in str(figures["flags"].get(row["figure_id"], ""))
        text += (f"\n\n- **{row['figure_id']}** ({row['group']}): printed *{row['published']}*, the data give "
                 f"*{row['reproduced']}*." + (f" Source note: {why}" if isinstance(why, str) and why else "")
                 + (" The sources contradict each other here, so no data can agree with both." if conflict else ""))
    return text


def no_published_figures_note(school_year: str) -> str:
    return (f"No published figures for the {school_year} survey are in the project's published-figures data, "
            "so there is nothing to check these results against.")


def method_notes(tables: EngagementTables) -> str:
    """The 'how to read this report' notes, with the disclosure audit's result."""
    audit = tables.audit.describe() if tables.audit else "No cross-table audit was run."
    return "\n".join([
        "- **Denominators.** Each share counts those who answered that question. The press did not say "
        "which denominators it used.",
        f"- **Suppression.** No count under {tables.threshold} is shown: small counts are shown as "
        "*suppressed*, with enough other counts hidden that the hidden ones cannot be worked out from "
        "totals. Every table is suppressed once, and every sentence, check and chart reads that result. "
        "Groups with every possible answer are listed (zeros included, hidden like any small count), so a "
        "missing row tells nothing. The number who skipped a question can be computed as respondents "
        "minus those who answered it; those numbers describe non-response only.",
        f"- **[Disclosure audit](#glossary-disclosure-audit).** {audit} The audit covers the respondents, agreement, scenario and "
        "SRO-time tables and the tests' respondent counts; the reasons and comment-theme tables hold "
        "multiple answers per person and are protected table by table.",
        "- **Uncertainty.** Confidence intervals treat respondents as a simple random sample. The survey "
        "was open to anyone who chose to answer, so the intervals describe sampling noise only, not who "
        "chose to respond.",
        "- **Tests.** Groups whose answered count a table hides are left out of the group tests. When an "
        "expected count is under 5, the p-value comes from Fisher's exact test (2 x 2) or a Monte-Carlo "
        "simulation with the observed totals, not the chi-square approximation.",
    ])
