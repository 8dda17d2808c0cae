"""Findings from respondent-level survey answers: shares with Wilson CIs, chi-square tests, and a
check of each published 2017 figure against the data.

Shares use as denominator the respondents who answered the question (partial responses count for
the questions they answered). Percents are compared with the press the way the press printed them:
whole percents, rounded half up.
"""

from __future__ import annotations

import pandas as pd
from scipy.stats import chi2_contingency
from scipy.stats.contingency import association
from statsmodels.stats.proportion import proportion_confint

from sro_research.readers.engagement import MULTI_SEPARATOR, completeness, load_codebook
from sro_research.privacy.suppression import DEFAULT_THRESHOLD, TOTAL, suppress

CONFIDENCE = 0.95
GROUP_NAMES = {"student": "Students", "staff": "Staff", "parent": "Parents", "community": "Community members"}
NOT_GIVEN = "Not given"  # a missing answer of the innermost grouping, kept as its own row in share tables


def percent_as_published(count: int, n: int) -> int:
    """100 * count / n as a whole percent, rounded half up (exact integer arithmetic)."""
    if n <= 0:
        raise ValueError("a percent needs at least one respondent")
    return (200 * count + n) // (2 * n)


def with_agreed(responses: pd.DataFrame) -> pd.DataFrame:
    """`responses` plus `agreed`: True (strongly agree/agree), False, or NA when not answered."""
    out = responses.copy()
    agree_codes = load_codebook().agree_codes()
    answered = out["sro_agree"].notna()
    out["agreed"] = out["sro_agree"].isin(agree_codes).astype(object).where(answered, pd.NA)
    return out


def _wilson(count, n):
    low, high = proportion_confint(count, n, alpha=1 - CONFIDENCE, method="wilson")
    return low, high


def answer_shares(responses: pd.DataFrame, item: str, by: list[str]) -> pd.DataFrame:
    """Share of respondents giving each answer to `item`, within each group of `by`.

    item="agreed" gives two answers, "agreed" (strongly agree or agree) and "did not agree".

    Columns: by..., answer, count, n (answered `item` in the group), share, ci_low, ci_high.
    Respondents who did not answer `item` (or a `by` question) are left out of that table only.
    """
    codes = ["agreed", "did not agree"] if item == "agreed" else load_codebook().codes(item)
    data = with_agreed(responses) if item == "agreed" else responses
    answered = data.dropna(subset=[item, *by])
    if item == "agreed":
        answered = answered.assign(agreed=answered["agreed"].map({True: "agreed", False: "did not agree"}))
    rows = []
    for keys, group in answered.groupby(by, sort=False):
        keys = keys if isinstance(keys, tuple) else (keys,)
        n = len(group)
        for code in codes:
            count = int((group[item] == code).sum())
            low, high = _wilson(count, n)
            rows.append({**dict(zip(by, keys)), "answer": code, "count": count, "n": n,
                         "share": count / n, "ci_low": low, "ci_high": high})
    table = pd.DataFrame(rows)
    return in_codebook_order(table, by)


def hidden_shares(table: pd.DataFrame, by: list[str], threshold: int) -> tuple[pd.Series, pd.Series]:
    """Which rows of an answer_shares table have their count, and which their n, suppressed.

    Within each group of by[:-1], the by[-1] x answer counts with their totals get primary and
    complementary suppression. The report's share tables, its sentences and the published checks
    all use this, so no sentence states a share that a table hides.
    """
    outer, inner = by[:-1], by[-1]
    hidden_count = pd.Series(False, index=table.index)
    hidden_n = pd.Series(False, index=table.index)
    coarse = {}
    if outer:
        # The same answers by the outer groups alone (e.g. by role, the table shown before the one by
        # race within role): what that table hides stays hidden here, or the rows would add up to it.
        totals = table.groupby([*outer, "answer"], sort=False)["count"].sum().reset_index()
        coarse_count, coarse_n = hidden_shares(totals, outer, threshold)
        for i, row in totals.iterrows():
            key = tuple(row[c] for c in outer)
            coarse.setdefault(key, {})[row["answer"]] = bool(coarse_count[i])
            coarse[key][TOTAL] = bool(coarse_n[i])
    parts = table.groupby(outer, sort=False) if outer else [((), table)]
    for keys, part in parts:
        counts = part.pivot(index=inner, columns="answer", values="count").fillna(0).astype("int64")
        keys = keys if isinstance(keys, tuple) else (keys,)
        also_hide = None
        if coarse.get(keys):
            also_hide = pd.DataFrame(False, index=[*counts.index, TOTAL], columns=[*counts.columns, TOTAL])
            for answer, hidden in coarse[keys].items():
                if answer in also_hide.columns:
                    also_hide.loc[TOTAL, answer] = hidden
        result = suppress(counts, threshold, also_hide=also_hide)
        for i, row in part.iterrows():
            hidden_count[i] = bool(result.hidden.loc[row[inner], row["answer"]])
            hidden_n[i] = bool(result.hidden.loc[row[inner], TOTAL])
    return hidden_count, hidden_n


def agreement_shares(responses: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Share who agreed that SROs should work in their school, per group of `by`, with Wilson CIs."""
    table = answer_shares(responses, "agreed", by)
    return table[table["answer"] == "agreed"].drop(columns="answer").reset_index(drop=True)


def in_codebook_order(table: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    codebook = load_codebook()
    for column in reversed(by):
        if column in codebook.names and codebook.item(column).values:
            order = {code: i for i, code in enumerate(codebook.codes(column))}
            table = table.sort_values(column, key=lambda s, o=order: s.map(o).fillna(len(o)), kind="stable")
    return table.reset_index(drop=True)


def crosstab(responses: pd.DataFrame, row: str, column: str) -> pd.DataFrame:
    """Counts of respondents answering both `row` and `column`, in codebook order."""
    data = with_agreed(responses) if "agreed" in (row, column) else responses
    data = data.dropna(subset=[row, column])
    table = pd.crosstab(data[row], data[column])
    codebook = load_codebook()
    for axis, name in ((0, row), (1, column)):
        if name in codebook.names and codebook.item(name).values:
            present = table.index if axis == 0 else table.columns
            order = [c for c in codebook.codes(name) if c in present]
            table = table.reindex(order, axis=axis)
    return table


def chi_square(responses: pd.DataFrame, row: str, column: str) -> dict:
    """Pearson chi-square test of independence of `row` and `column`, with Cramér's V."""
    table = crosstab(responses, row, column)
    table = table.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0]
    if table.shape[0] < 2 or table.shape[1] < 2:
        raise ValueError(f"a chi-square test of {row} by {column} needs at least two answers of each")
    result = chi2_contingency(table.to_numpy(), correction=False)
    return {
        "test": f"{row} by {column}",
        "respondents": int(table.to_numpy().sum()),
        "chi_square": float(result.statistic),
        "dof": int(result.dof),
        "p_value": float(result.pvalue),
        "cramers_v": float(association(table.to_numpy(), method="cramer", correction=False)),
        "smallest_expected": float(result.expected_freq.min()),
    }


def reason_counts(responses: pd.DataFrame, agreed: bool) -> pd.DataFrame:
    """How many respondents who (dis)agreed chose each reason, most chosen first."""
    data = with_agreed(responses)
    subset = data[(data["agreed"] == agreed) & data["reasons"].notna()]
    chosen = subset["reasons"].str.split(MULTI_SEPARATOR).explode()
    counts = chosen.value_counts()
    labels = load_codebook().item("reasons").values
    table = pd.DataFrame({"reason": counts.index, "label": [labels[c] for c in counts.index],
                          "respondents": counts.to_numpy(), "of": len(subset)})
    return table.sort_values(["respondents", "reason"], ascending=[False, True], kind="stable").reset_index(drop=True)


def describe_difference(a_name: str, a: pd.Series, b_name: str, b: pd.Series) -> str:
    """A sentence comparing two shares (rows of agreement_shares), saying whether the CIs overlap."""
    # Whole percents rounded half up, as the press and the published checks round (round() goes half to even).
    pa, pb = (percent_as_published(int(r["count"]), int(r["n"])) for r in (a, b))
    overlap = a["ci_low"] <= b["ci_high"] and b["ci_low"] <= a["ci_high"]
    gap = abs(pa - pb)
    if pa == pb:
        words = f"{a_name} and {b_name} agreed in the same share ({pa}%)"
    else:
        more, less = (a_name, b_name) if pa > pb else (b_name, a_name)
        words = f"{more} agreed more often than {less} ({max(pa, pb)}% vs {min(pa, pb)}%, {gap} points)"
    words = words[0].upper() + words[1:]
    if overlap:
        return words + "; the 95% intervals overlap, so this gap may be chance."
    return words + "; the 95% intervals do not overlap."


# --------------------------------------------------------------------------- published checks


def _share(responses, role=None, race=None, item="agreed", answer=True):
    data = with_agreed(responses)
    if role:
        data = data[data["role"] == role]
    if race:
        data = data[data["race_ethnicity"] == race]
    answered = data[data[item].notna()]
    return int((answered[item] == answer).sum()), len(answered)


def _group_role(group: str) -> tuple[str | None, str | None]:
    text = group.casefold()
    race = "african_american" if "african american" in text else None
    for role, name in GROUP_NAMES.items():
        if name.casefold() in text or (role == "parent" and "parents" in text):
            return role, race
    return None, race


WITHHELD = "not shown"  # a check's verdict when its reproduced share is hidden: "yes, = 65%" would reveal it


def _shown_percent(pct: int, count: int, n: int, threshold: int, hidden: bool = False) -> str:
    """The percent, unless it would let a reader work out a count under the threshold: its own
    counts are small, or the report's table hides this share (`hidden`) to protect another cell."""
    if hidden or min(count, n - count, n) < threshold:
        return f"not shown (it would reveal a count under {threshold})"
    return f"{pct}%"


def _table_hides(responses: pd.DataFrame, item: str, by: list[str], keys: tuple, answer: str, threshold: int) -> bool:
    """Whether the report's share table of `item` by `by` hides the share of `answer` in group `keys`."""
    data = responses
    if len(by) > 1:  # as the report's tables: a missing innermost answer is its own row
        data = data.assign(**{by[-1]: data[by[-1]].fillna(NOT_GIVEN)})
    table = answer_shares(data, item, by)
    if table.empty:
        return True
    hidden_count, hidden_n = hidden_shares(table, by, threshold)
    match = table["answer"] == answer
    for column, key in zip(by, keys):
        match &= table[column] == key
    return bool(not match.any() or (hidden_count | hidden_n)[match].any())


def _check_respondents(figure, responses, threshold):
    role, _ = _group_role(figure["group"])
    n = int((responses["role"] == role).sum())
    printed, value = str(figure["value_text"]).casefold(), float(figure["value"])
    if printed.startswith("almost"):
        ok, rule = 0.95 * value <= n < value, f"'almost {value:,.0f}': from 95% of it up to, not including, {value:,.0f}"
    elif printed.startswith("over"):
        ok, rule = n > value, f"'over {value:,.0f}': more than {value:,.0f}"
    else:
        ok, rule = round(n, -2) == value, f"{value:,.0f} read as rounded to the nearest hundred"
    group = GROUP_NAMES[role].lower()
    if n < threshold:
        return f"fewer than {threshold} {group}", ok, rule
    if _respondents_table_hides(responses, role, threshold):
        return f"{group} not shown (it would reveal a count under {threshold})", ok, rule
    return f"{n:,} {group}", ok, rule


def _respondents_table_hides(responses: pd.DataFrame, role: str, threshold: int) -> bool:
    """Whether the report's respondents table (complete and partial by group, suppressed) hides
    this group's total, e.g. to protect a small group: then printing it here would give that away."""
    if not {"role", "sro_agree", "sro_time", "scenario"} <= set(responses.columns):
        return False
    counts = completeness(responses).set_index("role")[["complete", "partial"]]
    return role in counts.index and bool(suppress(counts, threshold).hidden.loc[role, TOTAL])


def _check_agree_pct(figure, responses, threshold):
    role, race = _group_role(figure["group"])
    value = int(figure["value"])
    if "lower_bound" in str(figure["flags"]) or str(figure["value_text"]).startswith("at least"):
        rule = f"each group, rounded to a whole percent, >= {value}%"
        shares = {r: _share(responses, role=r) for r in ("student", "staff", "parent")}
        empty = [GROUP_NAMES[r].lower() for r, (_, n) in shares.items() if n == 0]
        if empty:
            return f"no answers from {', '.join(empty)}", None, rule
        pcts = {r: percent_as_published(*share) for r, share in shares.items()}
        shown = {r: _shown_percent(pcts[r], *shares[r], threshold,
                                   _table_hides(responses, "agreed", ["role"], (r,), "agreed", threshold)) for r in pcts}
        text = ", ".join(f"{GROUP_NAMES[r].lower()} {shown[r]}" for r in pcts)
        ok = all(p >= value for p in pcts.values())
        return text, WITHHELD if any(v.startswith("not shown") for v in shown.values()) else ok, rule
    rule = f"rounded to a whole percent, = {value}%"
    count, n = _share(responses, role=role, race=race)
    if n == 0:
        return "no answers from this group", None, rule
    pct = percent_as_published(count, n)
    hidden = False
    if role is not None:  # the share appears in the agreement table by group (and race): hidden there, hidden here
        by, keys = (["role", "race_ethnicity"], (role, race)) if race else (["role"], (role,))
        hidden = _table_hides(responses, "agreed", by, keys, "agreed", threshold)
    shown = _shown_percent(pct, count, n, threshold, hidden)
    return shown, WITHHELD if shown.startswith("not shown") else pct == value, rule


def _check_less_time(figure, responses, threshold):
    rule = "'almost half' read as 45% to 49% (rounded)"
    count, n = _share(responses, role="student", item="sro_time", answer="less")
    if n == 0:
        return "no answers from students", None, rule
    pct = percent_as_published(count, n)
    hidden = _table_hides(responses, "sro_time", ["role"], ("student",), "less", threshold)
    shown = _shown_percent(pct, count, n, threshold, hidden)
    return f"{shown} of students", WITHHELD if shown.startswith("not shown") else 45 <= pct < 50, rule


def _check_disagree_reasons(figure, responses, threshold):
    top = reason_counts(responses, agreed=False)["reason"].head(2).tolist()
    labels = load_codebook().item("reasons").values
    if not top:
        return "no reasons given", None, "the two reasons chosen most often by disagreers, in order"
    shown = "; ".join(f"{i} {labels[c].lower()}" for i, c in enumerate(top, 1))
    return shown, top == ["unnecessary", "intimidating"], "the two reasons chosen most often by disagreers, in order"


def _check_agree_reason(figure, responses, threshold):
    top = reason_counts(responses, agreed=True)["reason"].head(1).tolist()
    labels = load_codebook().item("reasons").values
    rule = "the reason chosen most often by agreers"
    if not top:
        return "no reasons given", None, rule
    return labels[top[0]].lower(), top == ["general_safety"], rule


def _check_scenario(figure, responses, threshold):
    counts = responses["scenario"].value_counts()
    labels = load_codebook().item("scenario").values
    if counts.empty:
        return "no answers", None, "plurality of all respondents prefers 1 Maintain/Modify"
    top = counts.index[0]
    tie = len(counts) > 1 and counts.iloc[0] == counts.iloc[1]
    return (labels[top].split(":")[0], top == "maintain_modify" and not tie,
            "plurality of all respondents prefers 1 Maintain/Modify (the closest scenario to 'keep the program')")


CHECKS = {
    "respondents": _check_respondents,
    "agree_sros_in_schools_pct": _check_agree_pct,
    "want_less_sro_time": _check_less_time,
    "disagree_reasons_ranked": _check_disagree_reasons,
    "agree_main_reason": _check_agree_reason,
    "preferred_scenario": _check_scenario,
}


def published_checks(responses: pd.DataFrame, published: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """One row per published figure: what was printed, what the data gives, and whether they agree.

    A reproduced count or percent that would reveal a count under `threshold` is not shown, and
    neither is the verdict of a percent check (a "yes" against a printed percent would give the
    percent away). `check` is "yes", "no", "not shown", or "not checkable" for figures the survey
    data cannot speak to (not a survey answer, or nobody in the data answered for that group).
    """
    rows = []
    for _, figure in published.iterrows():
        check = CHECKS.get(figure["measure"])
        if check is None:
            reproduced, ok, rule = "", None, "not a survey answer; cannot be checked from respondent data"
        else:
            reproduced, ok, rule = check(figure, responses, threshold)
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
    return pd.DataFrame(rows)
