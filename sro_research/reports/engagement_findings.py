"""What the engagement_findings report shows: reader-ready tables, plain-words sentences, the
title, banner and key findings, built from the report's suppressed tables (engagement_tables).

Nothing here decides what is hidden: every table, sentence and check reads the EngagementTables
that build_tables() made once. Nothing here opens a file: the notebook's load-inputs cell passes
the codebook, published figures, sources, mapping, names and themes in.
"""

from __future__ import annotations

import html

import pandas as pd

from sro_research.analysis.engagement_stats import (
    AGREED,
    NOT_GIVEN,
    chi_square,
    percent_as_published,
)
from sro_research.privacy.suppression import SUPPRESSED, TOTAL, check_no_small_counts, check_shares_need_counts
from sro_research.readable_tables import p_statement, p_value_text
from sro_research.readers.engagement import Codebook, Survey
from sro_research.reports.comparison_wording import describe_difference
from sro_research.reports.engagement_checks import GROUP_NAMES
from sro_research.reports.engagement_tables import TESTS, EngagementTables
from sro_research.stats.differences import ALPHA

TITLE = "What students, staff and families said about School Resource Officers"
RECONSTRUCTION_PREFIX = "Illustrative reconstruction: "
SCENARIO_SHORT = {"maintain_modify": "1 Maintain/Modify", "reduce_support": "2 Reduce and Support",
                  "eliminate": "3 Eliminate"}
# Column names a reader sees (and the CSVs carry).
COLUMNS = {"role": "group", "race_ethnicity": "race/ethnicity", "count": "respondents", "n": "answered",
           "ci_low": "95% CI low", "ci_high": "95% CI high"}
PERCENT, CI_LOW, CI_HIGH = "percent", COLUMNS["ci_low"], COLUMNS["ci_high"]
ANCHORS = {"respondents": "respondents", "published": "published", "agreement": "agreement",
           "scenarios": "scenarios", "differences": "differences", "comments": "comments", "method": "method"}


def data_status(survey: Survey) -> str:
    """"reconstruction" for the shipped reconstruction, "real" for a district's export."""
    return "reconstruction" if survey.is_reconstruction else "real"


def data_status_detail(survey: Survey) -> str:
    """The data status's detail line, in words (the file's name is in the method notes)."""
    return ("synthetic respondents built to match the published figures" if survey.is_reconstruction
            else "the district's survey export")


def report_title(survey: Survey, school_year: str) -> str:
    title = f"{TITLE}, {school_year}"
    return RECONSTRUCTION_PREFIX + title[0].lower() + title[1:] if survey.is_reconstruction else title


def title_html(survey: Survey, school_year: str) -> str:
    return f"<h1>{html.escape(report_title(survey, school_year))}</h1>"


def reconstruction_banner_html(about: dict, codebook: Codebook) -> str:
    """A short banner (under 60 words) with the details collapsed: which numbers are published and
    which are illustrative, from data/engagement/reconstruction_2017.yaml (`about`)."""
    def name(key):
        return codebook.item(key).label if key in codebook.names else key.replace("_", " ").capitalize()
    published = "".join(f"<li>{html.escape(text)}</li>" for text in about["published"])
    illustrative = "".join(f"<li><strong>{html.escape(name(k))}</strong>: {html.escape(v)}</li>"
                           for k, v in about["illustrative"].items())
    return (
        '<div class="sro-banner sro-banner-reconstruction" role="note">'
        "<strong>Illustrative reconstruction, not the district's survey responses.</strong> "
        "The respondents are synthetic, built so that the figures the press printed in 2017 come out "
        "exactly. Everything else, including every interval and test, is illustrative."
        "<details><summary>What is published and what is illustrative</summary>"
        f"<p>Built to match:</p><ul>{published}</ul><p>Illustrative:</p><ul>{illustrative}</ul></details></div>"
    )


def label(code, item: str, codebook: Codebook) -> str:
    if item == "role":
        return GROUP_NAMES.get(code, code)
    if item == "scenario":
        return SCENARIO_SHORT.get(code, code)
    if code == NOT_GIVEN or item not in codebook.names:
        return code
    return codebook.item(item).values.get(code, code)


def _yes_no(flags: pd.Series) -> pd.Series:
    return flags.map({True: "yes", False: "no"})


# --------------------------------------------------------------------------- tables


def shares_table(tables: EngagementTables, name: str, codebook: Codebook) -> pd.DataFrame:
    """One share table as a reader sees it: labels, percents, and the suppression marker wherever
    the table's single suppression (plus the cross-table audit) hides a count, n or share."""
    shares = tables.shares[name]
    table = shares.display()
    item_is_agreed = set(table["answer"]) >= {AGREED}
    if item_is_agreed:
        table = table[table["answer"] == AGREED].drop(columns="answer")
    check_no_small_counts(table, tables.threshold, ["count", "n"])
    check_shares_need_counts(table, ["share", "ci_low", "ci_high"], "count", "n")
    for column in shares.by:
        table[column] = table[column].map(lambda c, col=column: label(c, col, codebook))
    if "answer" in table:
        item = name.removesuffix("_by_group")
        table["answer"] = table["answer"].map(lambda c: label(c, item, codebook))
    for column in ("share", "ci_low", "ci_high"):
        table[column] = [v if v == SUPPRESSED else round(100 * v, 1) for v in table[column]]
    table = table.rename(columns={**COLUMNS, "share": PERCENT, **({"count": "agreed"} if item_is_agreed else {})})
    if table["suppressed"].any():
        table["suppressed"] = _yes_no(table["suppressed"])
    else:
        table = table.drop(columns="suppressed")
    return table.reset_index(drop=True)


def respondents_table(tables: EngagementTables) -> pd.DataFrame:
    """Respondents per group, with the total, as suppressed once."""
    shown = tables.respondents.display()[["respondents"]]
    shown.index = [GROUP_NAMES.get(code, code) for code in shown.index]
    shown.index.name = "group"
    check_no_small_counts(shown, tables.threshold, ["respondents"])
    return shown.reset_index()


def respondents_note(tables: EngagementTables, codebook: Codebook) -> str:
    text = ("Every respondent counts, including those who stopped part-way: each question's results use "
            "everyone who answered it.")
    if tables.left_out:
        groups = ", ".join(GROUP_NAMES.get(r, r).lower() for r in tables.left_out)
        text += (f" Groups with fewer than {tables.threshold} respondents (the suppression threshold) are left "
                 f"out of every table, sentence and test rather than hiding other groups to protect them: {groups}.")
    return text


def _test_results(tables: EngagementTables, codebook: Codebook) -> list[dict]:
    orders = {"role": codebook.codes("role"), **{item: codebook.codes(item) for item, _ in TESTS.values()}}
    results = []
    for test, (item, _) in TESTS.items():
        roles = tables.test_groups[test]
        data = tables.responses[tables.responses["role"].isin(roles)]
        try:
            results.append({**chi_square(data, "role", item, orders), "name": test, "roles": roles})
        except ValueError as error:  # e.g. one group only: say so, do not stop the report
            results.append({"name": test, "roles": roles, "note": str(error)})
    return results


def tests_table(tables: EngagementTables, codebook: Codebook) -> pd.DataFrame:
    """Tests of independence of group and answer, over the groups whose tables show their n."""
    rows = []
    for result in _test_results(tables, codebook):
        row = {"test": result["name"], "groups compared": ", ".join(GROUP_NAMES[r].lower() for r in result["roles"])}
        if "note" in result:
            rows.append({**row, "note": result["note"]})
            continue
        rows.append({**row,
                     "respondents": SUPPRESSED if tables.tests_hidden.get(result["name"]) else result["respondents"],
                     "chi-square": round(result["chi_square"], 2), "degrees of freedom": result["dof"],
                     "p-value": p_value_text(result["p_value"]), "p-value from": result["p_value_method"],
                     "Cramér's V": round(result["cramers_v"], 3),
                     "every expected count at least 5": "yes" if result["expected_ok"] else "no"})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- sentences


def _agreement_rows(tables: EngagementTables) -> dict:
    shown = tables.shares["agreement_by_group"].visible(AGREED)
    return {r["role"]: r for _, r in shown.iterrows()}


def _scenario_tops(tables: EngagementTables) -> dict:
    shares = tables.shares["scenario_by_group"]
    tops = {}
    for role, part in shares.table.groupby("role", sort=False):
        if int(part["n"].iloc[0]) == 0:
            continue
        if shares.hidden_share[part.index].any():  # "most common" would compare with a hidden share
            continue
        ranked = part.sort_values("count", ascending=False, kind="stable")
        best = ranked.iloc[0]
        tied = ranked[ranked["count"] == best["count"]]
        names = tied["answer"].map(SCENARIO_SHORT).tolist()
        name = names[0] if len(names) == 1 else "a tie between " + " and ".join(names)
        tops[role] = (name, percent_as_published(int(best["count"]), int(best["n"])))
    return tops


def scenario_sentence(tables: EngagementTables) -> str | None:
    tops = _scenario_tops(tables)
    if not tops:
        return None
    favourites = {name for name, _ in tops.values()}
    if len(favourites) == 1:
        listed = ", ".join(f"{GROUP_NAMES[r].lower()} {pct}%" for r, (_, pct) in tops.items())
        return f"In every group shown, {favourites.pop()} was the most common choice ({listed})."
    return ("The most preferred scenario differed by group: "
            + ", ".join(f"{GROUP_NAMES[r].lower()} {name} ({pct}%)" for r, (name, pct) in tops.items()) + ".")


def _strength(v: float) -> str:
    return "negligible" if v < 0.1 else "small" if v < 0.3 else "moderate" if v < 0.5 else "strong"


def _test_sentence(result: dict) -> str:
    what = "preferred scenario" if result["name"].endswith("scenario") else "agreement"
    v = result["cramers_v"]
    verdict = "differs between groups" if result["p_value"] < ALPHA else "does not clearly differ between groups"
    text = (f"The {what} {verdict} ([chi-square](#glossary-chi-square) {result['chi_square']:.1f}, {result['dof']} "
            f"degrees of freedom, {p_statement(result['p_value'])}); the association is {_strength(v)} "
            f"([Cramér's V](#glossary-cramers-v) = {v:.2f}).")
    if not result["expected_ok"]:
        text += (f" Some expected counts are under 5, so the p-value comes from {result['p_value_method']} "
                 "rather than the chi-square approximation; read it with care.")
    return text


def group_test_finding(result: dict) -> str:
    """A group test for the key findings: never its significance without its size, in plain words."""
    what = "Preferred scenario" if result["name"].endswith("scenario") else "Agreement"
    v, strength = result["cramers_v"], _strength(result["cramers_v"])
    size = f"Cramér's V = {v:.2f}, where 0 means the groups answer alike and 1 that the group decides the answer"
    if result["p_value"] < ALPHA:
        link = "but" if strength in ("negligible", "small") else "and"
        return (f"{what} differs between groups by more than chance would explain ({p_statement(result['p_value'])}), "
                f"{link} the difference is {strength} in size ({size}).")
    return f"{what} does not clearly differ between groups ({p_statement(result['p_value'])}; the difference is {strength}: {size})."


def comparison_sentences(tables: EngagementTables, codebook: Codebook) -> list[str]:
    """Plain-words comparisons, quoting only shares the tables show."""
    rows = _agreement_rows(tables)
    sentences = []
    roles = list(rows)
    for i, a in enumerate(roles):
        for b in roles[i + 1:]:
            if "community" not in (a, b):  # the press compared students, staff and parents
                sentences.append(describe_difference(GROUP_NAMES[a].lower(), rows[a], GROUP_NAMES[b].lower(), rows[b]))
    scenario = scenario_sentence(tables)
    if scenario:
        sentences.append(scenario)
    sentences += [_test_sentence(r) for r in _test_results(tables, codebook) if "note" not in r]
    return sentences


def intervals_note(tables: EngagementTables) -> str:
    """How wide the intervals are, from who answered (not typed: a district export may be small)."""
    rows = _agreement_rows(tables)
    if not rows:
        return "No group's agreement share can be shown without revealing a count under the threshold."
    ns = {role: int(row["n"]) for role, row in rows.items()}
    largest, smallest = max(ns, key=ns.get), min(ns, key=ns.get)
    text = (f"Intervals are narrowest for {GROUP_NAMES[largest].lower()} ({ns[largest]:,} answered)")
    if smallest != largest:
        text += f" and widest for {GROUP_NAMES[smallest].lower()} ({ns[smallest]:,} answered)"
    return text + "."


def key_findings(tables: EngagementTables, codebook: Codebook, checks: pd.DataFrame | None,
                 reconstruction: bool, published: list[tuple[str, str, str]] | None = None) -> list[tuple]:
    """3-6 plain sentences for the top of the page, each with the anchor of its section.

    What was published comes first (`published`: engagement_context.published_findings, marked as
    published so no reconstruction label is put on it); then what these data show, which for the
    reconstruction is an illustration and is labelled so."""
    findings: list[tuple] = list(published or [])
    counts = tables.respondents.counts
    checked = ""
    if checks is not None and not checks.empty:
        agree, checkable = int((checks["check"] == "yes").sum()), int((checks["check"] != "not checkable").sum())
        checked = (f"{agree} of the {checkable} published figures respondent data can speak to come out as printed "
                   "(calibration, not confirmation)" if reconstruction else
                   f"{agree} of {checkable} checkable figures the press printed agree with these data")
    if not tables.respondents.is_hidden(TOTAL, TOTAL):
        total = int(counts.loc[TOTAL, TOTAL])
        shown = [r for r in counts.index.drop(TOTAL) if not tables.respondents.is_hidden(r, TOTAL)]
        parts = ", ".join(f"{int(counts.loc[r, TOTAL]):,} {GROUP_NAMES[r].lower()}" for r in shown)
        left_out = (f"; groups with fewer than {tables.threshold} respondents are left out" if tables.left_out else "")
        if reconstruction:
            text = (f"The reconstruction has {total:,} synthetic respondents ({parts}{left_out}), built so that the "
                    f"published figures come out" + (f": {checked}." if checked else "."))
        else:
            text = f"{total:,} people answered ({parts}{left_out})" + (f"; {checked}." if checked else ".")
        findings.append((text, ANCHORS["respondents"]))
    elif checked:
        findings.append((checked[0].upper() + checked[1:] + ".", ANCHORS["published"]))
    rows = _agreement_rows(tables)
    if len(rows) >= 2:
        pct = {r: percent_as_published(int(row["count"]), int(row["n"])) for r, row in rows.items()}
        high, low = max(pct, key=pct.get), min(pct, key=pct.get)
        findings.append((f"{GROUP_NAMES[high]} agreed most often that SROs should work in their school "
                         f"({pct[high]}%), {GROUP_NAMES[low].lower()} least often ({pct[low]}%).", ANCHORS["agreement"]))
    scenario = scenario_sentence(tables)
    if scenario:
        findings.append((scenario, ANCHORS["scenarios"]))
    tests = [r for r in _test_results(tables, codebook) if "note" not in r]
    if tests:
        findings.append((group_test_finding(tests[-1]), ANCHORS["differences"]))
    return findings[:6]
