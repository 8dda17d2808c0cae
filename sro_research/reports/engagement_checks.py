"""The engagement report's checks of the figures the press printed in 2017 against the data.

Report-specific: how each printed phrase is read ("almost 7,000", "almost half", the ranking of
reasons) lives here, not in the general analysis. Every reproduced number is read from the report's
suppressed tables (EngagementTables), so a check never quotes a count or share a table hides.
"""

from __future__ import annotations

import pandas as pd

from sro_research.analysis import wording
from sro_research.analysis.engagement_stats import AGREED, percent_as_published
from sro_research.privacy.suppression import TOTAL
from sro_research.readers.engagement import Codebook
from sro_research.reports.engagement_tables import EngagementTables

GROUP_NAMES = {"student": "Students", "staff": "Staff", "parent": "Parents", "community": "Community members"}
ALMOST_HALF = (45, 50)  # "almost half": 45% to 49% once rounded
LOWER_BOUND_GROUPS = ("student", "staff", "parent")  # "at least 72% of students, staff and parents"
DISAGREE_REASONS = ["unnecessary", "intimidating"]  # as printed, in order (Alpha News)
AGREE_REASON = ["general_safety"]
KEEP_THE_PROGRAM = "maintain_modify"  # the scenario closest to "keep the program as it is"
WITHHELD = "not shown"  # a check's verdict when its reproduced share is hidden: "yes, = 65%" would reveal it


def _not_shown(threshold: int) -> str:
    return f"not shown (it would reveal a count under {threshold})"


def _group_role(group: str) -> tuple[str | None, str | None]:
    text = group.casefold()
    race = "african_american" if "african american" in text else None
    for role, name in GROUP_NAMES.items():
        if name.casefold() in text or (role == "parent" and "parents" in text):
            return role, race
    return None, race


def _visible_share(tables: EngagementTables, table: str, answer: str, **keys) -> tuple[str, int | None, int | None]:
    """(what to print, whole percent or None, n) for one share, as the report's table shows it."""
    if keys.get("role") in tables.left_out:
        return f"not shown (fewer than {tables.threshold} in this group)", None, None
    shares = tables.shares.get(table)
    if shares is None:
        return "no answers on this question", None, None
    rows = shares.rows(answer, **keys)
    if rows.empty or int(rows["n"].iloc[0]) == 0:
        return "no answers from this group", None, 0
    row = rows.iloc[0]
    pct = percent_as_published(int(row["count"]), int(row["n"]))
    if shares.share_hidden(answer, **keys):
        return _not_shown(tables.threshold), pct, int(row["n"])
    return f"{pct}%", pct, int(row["n"])


def _check_respondents(figure, tables, codebook):
    role, _ = _group_role(figure["group"])
    counts = tables.respondents.counts
    # A group left out of every table (under the threshold) is checked as 0: against a printed
    # count in the hundreds, its verdict gives nothing away.
    n = int(counts.loc[role, TOTAL]) if role in counts.index else 0
    printed, value = str(figure["value_text"]).casefold(), float(figure["value"])
    if wording.is_qualified(printed):  # "almost 7,000", "over 7,000": the one reading analysis/wording gives
        allowed = wording.stated_range(value, printed)
        ok = allowed.contains(n)
        rule = (f"'{printed}' read as {'from' if allowed.includes_low else 'more than'} {allowed.low:,.0f} "
                f"{'to' if allowed.includes_high else 'up to, not including,'} {allowed.high:,.0f}")
    else:
        ok, rule = round(n, -2) == value, f"{value:,.0f} read as rounded to the nearest hundred"
    group = GROUP_NAMES[role].lower()
    if role in tables.left_out:
        return f"fewer than {tables.threshold} {group}", ok, rule
    if tables.respondents.is_hidden(role, TOTAL):
        return f"{group} {_not_shown(tables.threshold)}", ok, rule
    return f"{n:,} {group}", ok, rule


def _check_agree_pct(figure, tables, codebook):
    role, race = _group_role(figure["group"])
    value = int(figure["value"])
    if "lower_bound" in str(figure["flags"]) or str(figure["value_text"]).startswith("at least"):
        rule = f"each group, rounded to a whole percent, >= {value}%"
        shown = {r: _visible_share(tables, "agreement_by_group", AGREED, role=r) for r in LOWER_BOUND_GROUPS}
        empty = [GROUP_NAMES[r].lower() for r, (words, _, n) in shown.items() if n == 0]
        if empty:
            return f"no answers from {', '.join(empty)}", None, rule
        text = ", ".join(f"{GROUP_NAMES[r].lower()} {words}" for r, (words, _, _) in shown.items())
        if "not shown" in text:
            return text, WITHHELD, rule
        return text, all(pct >= value for _, pct, _ in shown.values()), rule
    rule = f"rounded to a whole percent, = {value}%"
    if race:
        words, pct, n = _visible_share(tables, "agreement_by_group_and_race", AGREED, role=role, race_ethnicity=race)
    else:
        words, pct, n = _visible_share(tables, "agreement_by_group", AGREED, role=role)
    if words.startswith("not shown"):
        return words, WITHHELD, rule
    return words, None if pct is None else pct == value, rule


def _check_less_time(figure, tables, codebook):
    low, high = ALMOST_HALF
    rule = f"'almost half' read as {low}% to {high - 1}% (rounded)"
    words, pct, _ = _visible_share(tables, "sro_time_by_group", "less", role="student")
    if words.startswith("not shown"):
        return f"{words} of students", WITHHELD, rule
    return (words, None, rule) if pct is None else (f"{words} of students", low <= pct < high, rule)


def _top_reasons(tables: EngagementTables, codebook: Codebook, agreed: bool, k: int, rule: str):
    """The k reasons chosen most often, unless the reasons table hides one of them."""
    labels = codebook.item("reasons").values
    counts = tables.reason_counts.get(agreed)
    if counts is None or counts.empty:
        return None, ("no reasons given", None, rule)
    top = counts["reason"].head(k).tolist()
    shown = tables.reasons[agreed].set_index("reason")["suppressed"]
    if shown[top].any():
        return None, (_not_shown(tables.threshold), WITHHELD, rule)
    return top, ("; ".join(f"{i} {labels[c].lower()}" for i, c in enumerate(top, 1)) if k > 1 else labels[top[0]].lower(),
                 None, rule)


def _check_disagree_reasons(figure, tables, codebook):
    top, (words, ok, rule) = _top_reasons(tables, codebook, False, len(DISAGREE_REASONS),
                                          "the two reasons chosen most often by disagreers, in order")
    return words, ok if top is None else top == DISAGREE_REASONS, rule


def _check_agree_reason(figure, tables, codebook):
    top, (words, ok, rule) = _top_reasons(tables, codebook, True, len(AGREE_REASON),
                                          "the reason chosen most often by agreers")
    return words, ok if top is None else top == AGREE_REASON, rule


def _check_scenario(figure, tables, codebook):
    counts = tables.responses["scenario"].value_counts()
    labels = codebook.item("scenario").values
    short = labels[KEEP_THE_PROGRAM].split(":")[0]
    rule = f"plurality of all respondents prefers {short} (the closest scenario to 'keep the program')"
    if counts.empty:
        return "no answers", None, rule
    top = counts.index[0]
    tie = len(counts) > 1 and counts.iloc[0] == counts.iloc[1]
    return labels[top].split(":")[0], top == KEEP_THE_PROGRAM and not tie, rule


CHECKS = {
    "respondents": _check_respondents,
    "agree_sros_in_schools_pct": _check_agree_pct,
    "want_less_sro_time": _check_less_time,
    "disagree_reasons_ranked": _check_disagree_reasons,
    "agree_main_reason": _check_agree_reason,
    "preferred_scenario": _check_scenario,
}


def published_checks(tables: EngagementTables, published: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """One row per published figure: what was printed, what the data gives, and whether they agree.

    A reproduced count or percent that the report's tables hide is not shown, and neither is the
    verdict of a percent check (a "yes" against a printed percent would give the percent away).
    `check` is "yes", "no", "not shown", or "not checkable" for figures the survey data cannot
    speak to (not a survey answer, or nobody in the data answered for that group).
    """
    rows = []
    for _, figure in published.iterrows():
        check = CHECKS.get(figure["measure"])
        if check is None:
            reproduced, ok, rule = "", None, "not a survey answer; cannot be checked from respondent data"
        else:
            reproduced, ok, rule = check(figure, tables, codebook)
        rows.append({
            "figure_id": figure["figure_id"],
            "group": figure["group"],
            "measure": figure["measure"],
            "published": figure["value_text"],
            "source_id": figure["source_id"],
            "reproduced": reproduced,
            "rule": rule,
            "check": "not checkable" if ok is None else WITHHELD if ok is WITHHELD else ("yes" if ok else "no"),
        })
    return pd.DataFrame(rows, columns=["figure_id", "group", "measure", "published", "source_id",
                                       "reproduced", "rule", "check"])
