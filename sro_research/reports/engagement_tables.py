"""The engagement report's respondent-level tables, each suppressed ONCE, then audited together.

build_tables() leaves groups under the threshold out of every table, suppresses each table once
(privacy.suppression), runs the cross-table disclosure audit (privacy.disclosure) over all of them
and the group tests' respondent counts, and applies what the audit hides. Every table, sentence,
published-figure check and chart of the report then reads the one EngagementTables it returns:
nothing recomputes what is hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from sro_research.analysis.engagement_stats import (
    AGREED,
    NOT_AGREED,
    NOT_GIVEN,
    agreement_answers,
    answer_shares,
    reason_counts,
)
from sro_research.privacy.disclosure import MISSING, Audit, Cell, cell, protect
from sro_research.privacy.suppression import (
    TOTAL,
    SuppressedShares,
    SuppressedTable,
    check_no_small_counts,
    suppress,
    suppress_share_table,
    suppress_shares,
)
from sro_research.readers.engagement import Codebook

AUDITED = ("role", "race_ethnicity", "sro_agree", "scenario", "sro_time")  # the single-answer questions the tables use
SHARE_TABLES = {  # name -> (item, by): the report's share tables
    "agreement_by_group": ("agreed", ["role"]),
    "agreement_by_group_and_race": ("agreed", ["role", "race_ethnicity"]),
    "scenario_by_group": ("scenario", ["role"]),
    "sro_time_by_group": ("sro_time", ["role"]),
}
TESTS = {  # group test -> (item tested against role, share table whose hidden n's leave a group out)
    "group by preferred scenario": ("scenario", "scenario_by_group"),
    "group by agreement (4-point scale)": ("sro_agree", "agreement_by_group"),
}
RESPONDENTS = "respondents"


@dataclass
class EngagementTables:
    threshold: int
    responses: pd.DataFrame  # the respondents the tables describe (groups left out are not in it)
    left_out: list[str]  # role codes with fewer than `threshold` respondents, left out of every table
    # Respondents by role, with the total. Not split into complete and partial: with the answered
    # counts (n) of the share tables, that split pins small non-response counts.
    respondents: SuppressedTable
    shares: dict[str, SuppressedShares]
    test_groups: dict[str, list[str]]  # group test -> roles it compares (groups with a hidden n left out)
    tests_hidden: dict[str, bool] = field(default_factory=dict)  # a test whose respondent count the audit hides
    # Reasons chosen by those who agreed (True) or not (False): every count (never show it) and
    # the suppressed table (a reason's count, n and share hidden together when any is small).
    reason_counts: dict[bool, pd.DataFrame] = field(default_factory=dict)
    reasons: dict[bool, pd.DataFrame] = field(default_factory=dict)
    audit: Audit | None = None


def _item_levels(codebook: Codebook, item: str, agree_codes: list[str]) -> list[str]:
    return [AGREED, NOT_AGREED] if item == "agreed" else codebook.codes(item)


def _audit_frame(responses: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame({c: responses[c] if c in responses else pd.NA for c in AUDITED}, index=responses.index)
    frame["race_ethnicity"] = frame["race_ethnicity"].fillna(NOT_GIVEN)
    return frame.fillna(MISSING).astype(object)


def build_tables(responses: pd.DataFrame, codebook: Codebook, threshold: int) -> EngagementTables:
    """Every respondent-level table of the report, suppressed once and audited across tables."""
    if threshold < 1:
        raise ValueError(f"suppression threshold must be at least 1, got {threshold}")
    sizes = responses["role"].value_counts()
    roles = [r for r in codebook.codes("role") if sizes.get(r, 0) >= threshold]
    left_out = [r for r in codebook.codes("role") if r not in roles]
    if not roles:
        raise ValueError(f"every group has fewer than {threshold} respondents (the suppression threshold); "
                         "no table can be shown")
    kept = responses[responses["role"].isin(roles)].copy()
    for column in (*AUDITED, "reasons", "comment"):
        if column not in kept:  # an optional question the export lacks: nobody answered it
            kept[column] = pd.NA
    agree_codes = list(codebook.agree_codes())
    data = agreement_answers(kept, agree_codes)
    # Full grids: every group x race row is listed, zeros included (hidden like any small count), so a
    # missing row tells nothing. Races nobody in the export chose are left out of every group alike.
    race = kept["race_ethnicity"] if "race_ethnicity" in kept else pd.Series(pd.NA, index=kept.index)
    races = [c for c in codebook.codes("race_ethnicity") if (race == c).any()] + ([NOT_GIVEN] if race.isna().any() else [])
    levels = {"role": roles, "race_ethnicity": races}

    counts = kept["role"].value_counts().reindex(roles, fill_value=0).to_frame(RESPONDENTS)
    respondents = suppress(counts, threshold)
    shares = {}
    for name, (item, by) in SHARE_TABLES.items():
        if "race_ethnicity" in by and race.isna().all():
            continue  # no race answers: the report says so instead of a table
        table_data = data.assign(**{by[-1]: data[by[-1]].fillna(NOT_GIVEN)}) if len(by) > 1 else data
        table = answer_shares(table_data, item, by, levels, _item_levels(codebook, item, agree_codes))
        shares[name] = suppress_share_table(table, by, threshold)
    test_groups = {}
    for test, (_, table_name) in TESTS.items():
        table = shares[table_name]
        test_groups[test] = [r for r in roles if not table.hidden_n[table.rows(role=r).index].any()]
    tables = EngagementTables(threshold, kept, left_out, respondents, shares, test_groups)
    if kept["reasons"].notna().any():
        for agreed in (True, False):
            counts, shown = _reasons(kept, agreed, codebook, threshold)
            tables.reason_counts[agreed], tables.reasons[agreed] = counts, shown
    _audit(tables, codebook, agree_codes)
    return tables


def _reasons(responses: pd.DataFrame, agreed: bool, codebook: Codebook, threshold: int):
    """Every reason in the codebook (one left out would say nobody chose it), most chosen first,
    suppressed; hidden reasons follow the shown ones in codebook order, so their order says nothing."""
    labels = codebook.item("reasons").values
    counts = reason_counts(responses, agreed, list(codebook.agree_codes()), labels)
    unchosen = [code for code in labels if code not in set(counts["reason"])]
    of = int(counts["of"].iloc[0]) if len(counts) else 0
    table = pd.concat([counts, pd.DataFrame({"reason": unchosen, "label": [labels[c] for c in unchosen],
                                             "respondents": 0, "of": of})], ignore_index=True)
    table = table.assign(share=table["respondents"] / table["of"].where(table["of"] > 0))
    table = suppress_shares(table, "respondents", "of", threshold, dependent=("share",))
    order = {code: i for i, code in enumerate(labels)}
    rank = [order[c] if hidden else -1 for c, hidden in zip(table["reason"], table["suppressed"], strict=True)]
    table = table.assign(_rank=rank).sort_values("_rank", kind="stable").drop(columns="_rank").reset_index(drop=True)
    check_no_small_counts(table, threshold, ["respondents", "of"], total_column="of")
    return counts, table


def _cells(tables: EngagementTables, codebook: Codebook, agree_codes: list[str]) -> list[Cell]:
    answered = {item: set(codebook.codes(item)) for item in ("sro_agree", "scenario", "sro_time")}
    cells = []
    roles = list(tables.respondents.counts.index.drop(TOTAL))
    for row in [*roles, TOTAL]:
        who = {"role": {row}} if row != TOTAL else {"role": set(roles)}
        cells.append(cell(RESPONDENTS, (row, TOTAL), tables.respondents.hidden.loc[row, TOTAL], **who))
    for name, shares in tables.shares.items():
        item, by = SHARE_TABLES[name]
        column = "sro_agree" if item == "agreed" else item
        seen_groups = set()
        for i, row in shares.table.iterrows():
            who = {c: {row[c]} for c in by}
            if item != "agreed" or row["answer"] == AGREED:  # "did not agree" rows are not shown
                answer = set(agree_codes) if item == "agreed" else {row["answer"]}
                cells.append(cell(name, ("count", i), shares.hidden_count[i], **who, **{column: answer}))
            group = tuple(row[c] for c in by)
            if group not in seen_groups:
                seen_groups.add(group)
                cells.append(cell(name, ("n", i), shares.hidden_n[i], **who, **{column: answered[column]}))
    for test, roles_tested in tables.test_groups.items():
        item = TESTS[test][0]
        if len(roles_tested) > 1:
            cells.append(cell("group_tests", (test,), False, role=set(roles_tested), **{item: answered[item]}))
    return cells


def _audit(tables: EngagementTables, codebook: Codebook, agree_codes: list[str]) -> None:
    """Run the cross-table audit and hide, in the tables themselves, whatever it adds."""
    categories = {
        "role": list(tables.respondents.counts.index.drop(TOTAL)),
        "race_ethnicity": [*codebook.codes("race_ethnicity"), NOT_GIVEN],
        **{item: [*codebook.codes(item), MISSING] for item in ("sro_agree", "scenario", "sro_time")},
    }
    cells, audit = protect(_audit_frame(tables.responses), categories, _cells(tables, codebook, agree_codes),
                           tables.threshold)
    tables.audit = audit
    for added in audit.newly_hidden:
        if added.table == RESPONDENTS:
            tables.respondents.hidden.loc[added.key[0], added.key[1]] = True
        elif added.table == "group_tests":
            tables.tests_hidden[added.key[0]] = True
        else:
            shares = tables.shares[added.table]
            mask = pd.Series(shares.table.index == added.key[1], index=shares.table.index)
            kind = added.key[0]
            tables.shares[added.table] = shares.also_hide(counts=mask if kind == "count" else None,
                                                          ns=mask if kind == "n" else None)
