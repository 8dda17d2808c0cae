"""Findings from respondent-level survey answers: shares with Wilson intervals over full grids of
groups, cross-tabulations, tests of independence and reason counts.

Pure: the codebook's codes and labels are passed in by the caller (loaded once by the notebook).
Shares use as denominator the respondents who answered the question (partial responses count for
the questions they answered). Percents are whole percents rounded half up, as the press printed them.
"""

from __future__ import annotations

import pandas as pd

from sro_research.readers.engagement import MULTI_SEPARATOR
from sro_research.stats.proportions import independence_test, wilson_interval

NOT_GIVEN = "Not given"  # a missing answer of the innermost grouping, kept as its own row in share tables
AGREED, NOT_AGREED = "agreed", "did not agree"  # the two answers of the derived item "agreed"


def percent_as_published(count: int, n: int) -> int:
    """100 * count / n as a whole percent, rounded half up (exact integer arithmetic)."""
    if n <= 0:
        raise ValueError("a percent needs at least one respondent")
    return (200 * count + n) // (2 * n)


def with_agreed(responses: pd.DataFrame, agree_codes: list[str]) -> pd.DataFrame:
    """`responses` plus `agreed`: True (an answer in `agree_codes`), False, or NA when not answered."""
    out = responses.copy()
    answered = out["sro_agree"].notna()
    out["agreed"] = out["sro_agree"].isin(agree_codes).astype(object).where(answered, pd.NA)
    return out


def agreement_answers(responses: pd.DataFrame, agree_codes: list[str]) -> pd.DataFrame:
    """`responses` with `agreed` as an answer: AGREED, NOT_AGREED, or NA when not answered."""
    out = with_agreed(responses, agree_codes)
    out["agreed"] = out["agreed"].map({True: AGREED, False: NOT_AGREED})
    return out


def answer_shares(responses: pd.DataFrame, item: str, by: list[str], levels: dict[str, list],
                  answers: list[str]) -> pd.DataFrame:
    """Share of respondents giving each of `answers` to `item`, in every group of the full grid of
    `levels` (one list of codes per `by` column), so a group nobody is in still has its rows: a
    row left out would tell a reader it is empty.

    Columns: by..., answer, count, n (answered `item` in the group), share, ci_low, ci_high
    (share and interval are NaN when n is 0). Respondents who did not answer `item` or a `by`
    question are left out of this table only.
    """
    answered = responses.dropna(subset=[item, *by])
    counts = answered.groupby([*by, item], sort=False).size()
    rows = []
    for keys in pd.MultiIndex.from_product([levels[c] for c in by]):
        keys = keys if isinstance(keys, tuple) else (keys,)
        found = [int(counts.get((*keys, a), 0)) for a in answers]
        n = sum(found)
        for answer, count in zip(answers, found, strict=True):
            low, high = wilson_interval(count, n)
            rows.append({**dict(zip(by, keys, strict=True)), "answer": answer, "count": count, "n": n,
                         "share": count / n if n else float("nan"), "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows)


def crosstab(responses: pd.DataFrame, row: str, column: str, orders: dict[str, list] | None = None) -> pd.DataFrame:
    """Counts of respondents answering both `row` and `column`, rows and columns in `orders` when given."""
    data = responses.dropna(subset=[row, column])
    table = pd.crosstab(data[row], data[column])
    for axis, name in ((0, row), (1, column)):
        if orders and name in orders:
            present = table.index if axis == 0 else table.columns
            table = table.reindex([c for c in orders[name] if c in present], axis=axis)
    return table


def chi_square(responses: pd.DataFrame, row: str, column: str, orders: dict[str, list] | None = None) -> dict:
    """Test of independence of `row` and `column` (stats.proportions.independence_test), with Cramér's V."""
    try:
        result = independence_test(crosstab(responses, row, column, orders))
    except ValueError as error:
        raise ValueError(f"a test of {row} by {column} needs at least two answers of each") from error
    return {"test": f"{row} by {column}", **result}


def reason_counts(responses: pd.DataFrame, agreed: bool, agree_codes: list[str], labels: dict[str, str]) -> pd.DataFrame:
    """How many respondents who (dis)agreed chose each reason, most chosen first; `of` is how many
    of them chose any reason. `labels` maps reason codes to their wording."""
    data = with_agreed(responses, agree_codes)
    subset = data[(data["agreed"] == agreed) & data["reasons"].notna()]
    counts = subset["reasons"].str.split(MULTI_SEPARATOR).explode().value_counts()
    table = pd.DataFrame({"reason": counts.index, "label": [labels[c] for c in counts.index],
                          "respondents": counts.to_numpy(), "of": len(subset)})
    return table.sort_values(["respondents", "reason"], ascending=[False, True], kind="stable").reset_index(drop=True)
