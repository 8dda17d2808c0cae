"""The engagement report's reasons and written comments: reason tables, comment themes, and
example comments (for a real export, only comments a person approved in a review file)."""

from __future__ import annotations

import pandas as pd

from sro_research.privacy.freetext import assert_scrubbed, comment_themes, theme_counts
from sro_research.privacy.review import Approvals
from sro_research.privacy.suppression import SUPPRESSED, check_no_small_counts, suppress
from sro_research.readers.engagement import Codebook
from sro_research.reports.engagement_findings import SCENARIO_SHORT, label
from sro_research.reports.engagement_tables import EngagementTables

NOT_ANSWERED = "not answered"
COMMENT_ITEM = "comment"  # the review file's item of the comments shown here


def reasons_table(tables: EngagementTables, agreed: bool) -> pd.DataFrame:
    """Reasons chosen by respondents who agreed (or disagreed), as suppressed once by build_tables."""
    table = tables.reasons[agreed].copy()
    table["share"] = [v if v == SUPPRESSED else round(100 * v, 1) for v in table["share"]]
    return (table.rename(columns={"share": "percent", "of": "chose any reason", "label": "reason (wording)"})
            .drop(columns="suppressed"))


def comment_tables(tables: EngagementTables, names: list[str], themes, codebook: Codebook):
    """Theme counts by preferred scenario (suppressed; None when nobody wrote a comment) and the
    scrubbed comments with their themes, for the respondents the tables describe."""
    responses = tables.responses
    tagged = comment_themes(responses["comment"], names, themes)
    if tagged.empty:
        return None, tagged
    scenario = responses["scenario"].map(lambda c: label(c, "scenario", codebook) if isinstance(c, str) else c)
    counts = theme_counts(tagged, scenario, themes).set_index("theme")
    # Every scenario, zeros included (a missing column would say "none"); comments from respondents
    # who did not answer the scenario question are not in this table.
    counts = counts.reindex(columns=list(SCENARIO_SHORT.values()), fill_value=0)
    # A comment can carry several themes, so we show no totals; they are still protected as if known.
    result = suppress(counts, tables.threshold, totals=False)
    shown = result.display()
    shown.index.name = "theme"
    shown.columns.name = None
    check_no_small_counts(shown, tables.threshold, list(shown.columns))
    return shown.reset_index(), tagged


def example_comments(tagged: pd.DataFrame, responses: pd.DataFrame, themes, names: list[str], codebook: Codebook,
                     approved: Approvals | None, illustrative: bool, k: int = 6) -> pd.DataFrame | None:
    """A few scrubbed comments, one per theme; only the comment, its themes and the preferred
    scenario are shown, nothing about the person.

    Real data: only comments whose id and scrubbed text both match an approval in `approved` (a person
    read exactly this text), never one that held personal information; None without a review file. Reconstruction (`illustrative`): synthetic
    comments, those the scrubber changed first, to show what scrubbing does.
    """
    if illustrative:
        pool = tagged
        chosen = list(pool.index[pool["scrubbed"]][: k // 2])
    elif approved is None:
        return None
    else:
        shown = [approved.shows(respondent, COMMENT_ITEM, text)
                 for respondent, text in zip(responses.loc[tagged.index, "respondent_id"], tagged["comment"])]
        pool = tagged[pd.Series(shown, index=tagged.index, dtype=bool) & ~tagged["scrubbed"]]
        chosen = []
    codes = [t.code for t in themes]
    for code in codes:
        if len(chosen) >= k:
            break
        candidates = [i for i in pool.index[pool[code]] if i not in chosen]
        if candidates:
            chosen.append(candidates[0])
    rows = tagged.loc[chosen]
    labels = {t.code: t.label for t in themes}
    column = "comment (synthetic, illustrative)" if illustrative else "comment (reviewed and approved)"
    table = pd.DataFrame({
        column: rows["comment"],
        "themes": [", ".join(labels[c] for c in codes if row[c]) or "none" for _, row in rows.iterrows()],
        "preferred scenario": responses.loc[chosen, "scenario"].map(
            lambda c: label(c, "scenario", codebook) if isinstance(c, str) else NOT_ANSWERED),
    })
    assert_scrubbed(table[column], names)
    return table.reset_index(drop=True)


def not_reviewed_note() -> str:
    return ("Comments are not shown until a person has reviewed them: run `sro-research comments` on the "
            "export, approve comments in the review file, and pass it as `approved_comments_path`. "
            "The themes and counts above are computed from every comment, after scrubbing.")


def comments_sentence(tagged: pd.DataFrame, threshold: int) -> str:
    """How many wrote a comment and how many comments held personal information, without a count
    (or a difference of counts) under `threshold`."""
    total, scrubbed = len(tagged), int(tagged["scrubbed"].sum())
    if total < threshold:
        return (f"Fewer than {threshold} respondents wrote a comment. Personal information was removed "
                "from any that held it before any use.")
    if scrubbed < threshold:  # zero included: no count under the threshold is shown
        found = f"fewer than {threshold}"
    elif total - scrubbed < threshold:
        found = f"all but fewer than {threshold}"
    else:
        found = f"{scrubbed:,}"
    return f"{total:,} respondents wrote a comment. Personal information was found and removed in {found} of them before any use."


def themes_table(themes) -> pd.DataFrame:
    """The keyword codebook itself, so a reader can see exactly what puts a comment in a theme."""
    return pd.DataFrame({"theme": [t.label for t in themes],
                         "keywords (* = any ending)": [", ".join(t.keywords) for t in themes]})
