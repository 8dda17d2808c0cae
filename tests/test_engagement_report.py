"""The engagement report: tables suppressed once, sentences and checks that read them, group tests,
published-figure checks for any school year, comments only after review, and the built page."""

import copy
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from scipy.stats import chi2_contingency, fisher_exact

from sro_research.privacy.freetext import personal_info_left
from sro_research.privacy.review import Approvals, comment_id, text_fingerprint
from sro_research.readers.word_lists import load_names, load_themes
from sro_research.privacy.suppression import SUPPRESSED, TOTAL, SuppressedShares
from sro_research.readers.engagement import load_codebook, read_responses
from sro_research.readers.published import load_published
from sro_research.reports import engagement_charts as charts
from sro_research.reports import engagement_comments as ec
from sro_research.reports import engagement_context as ctx
from sro_research.reports import engagement_findings as ef
from sro_research.reports.engagement_checks import published_checks
from sro_research.reports.engagement_tables import build_tables
from sro_research.stats.proportions import FISHER_EXACT, MONTE_CARLO, independence_test
from sro_research.synthetic.reconstruction import shipped_path
from tests.test_engagement import _without_optional

FIXTURES = Path(__file__).parent / "fixtures" / "engagement"
ROOT = Path(__file__).resolve().parents[1]
MAPPING = ROOT / "data" / "engagement" / "mapping_example.yaml"
CODEBOOK = load_codebook()
PRESS = load_published("engagement_2017_press")
ROLES = ["student", "staff", "parent", "community"]


@pytest.fixture(scope="module")
def reconstruction():
    return read_responses(shipped_path()).responses


@pytest.fixture(scope="module")
def recon_tables(reconstruction):
    return build_tables(reconstruction, CODEBOOK, 10)


def tables_for(responses: pd.DataFrame, threshold: int = 10):
    return build_tables(responses, CODEBOOK, threshold)


def checks_for(tables):
    return published_checks(tables, PRESS, CODEBOOK).set_index("figure_id")


def _agreement_responses(groups: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """Respondents per role: (agreed, disagreed); every other answer the same."""
    roles, agree = [], []
    for role, (yes, no) in groups.items():
        roles += [role] * (yes + no)
        agree += ["agree"] * yes + ["disagree"] * no
    n = len(roles)
    return pd.DataFrame({"respondent_id": [f"R{i}" for i in range(n)], "role": roles,
                         "race_ethnicity": [None] * n, "sro_agree": agree, "sro_time": ["same"] * n,
                         "scenario": ["maintain_modify"] * n, "reasons": [None] * n, "comment": [None] * n})


def tiny_group_export() -> pd.DataFrame:
    """A small export with tiny groups: 2 community members, 4 American Indian parents, 3 staff who
    wanted more SRO time."""
    rng = np.random.default_rng(7)
    rows = []
    plan = {"student": 80, "staff": 30, "parent": 40, "community": 2}
    for role, n in plan.items():
        for i in range(n):
            race = "american_indian" if role == "parent" and i < 4 else ("african_american" if i % 3 == 0 else "white")
            rows.append({"respondent_id": f"{role}-{i}", "role": role, "race_ethnicity": race,
                         "sro_agree": rng.choice(["strongly_agree", "agree", "disagree", "strongly_disagree"]),
                         "sro_time": "more" if role == "staff" and i < 3 else rng.choice(["same", "less"]),
                         "scenario": rng.choice(["maintain_modify", "reduce_support", "eliminate"]),
                         "reasons": None, "comment": None})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- suppressed once, read everywhere


def _perturbed(tables, bump: int = 7):
    """The same report tables with every HIDDEN count and n changed by `bump` (visible cells as they
    are). Anything that reads only what the tables show cannot tell the two apart."""
    other = copy.copy(tables)
    other.shares = {}
    for name, shares in tables.shares.items():
        table = shares.table.copy()
        table.loc[shares.hidden_count, "count"] += bump
        table.loc[shares.hidden_n, "n"] += 2 * bump
        table["share"] = table["count"] / table["n"].where(table["n"] > 0)
        other.shares[name] = SuppressedShares(table, shares.by, shares.hidden_count, shares.hidden_n, shares.threshold)
    respondents = copy.deepcopy(tables.respondents)
    respondents.counts = respondents.counts.mask(respondents.hidden, respondents.counts + bump)
    other.respondents = respondents
    return other


def _everything_said(tables) -> dict:
    checks = checks_for(tables)
    percent_checks = checks[checks["measure"] != "respondents"]  # count verdicts vs printed hundreds are kept on purpose
    said = {
        "sentences": ef.comparison_sentences(tables, CODEBOOK)[:-2],  # the last two are the tests, from all answers
        "key findings": [s for s, _ in ef.key_findings(tables, CODEBOOK, checks.reset_index(), False)[:3]],
        "intervals": ef.intervals_note(tables),
        "reproduced": checks["reproduced"].tolist(),
        "percent verdicts": percent_checks["check"].tolist(),
        "respondents table": ef.respondents_table(tables).to_dict("records"),
    }
    for name in tables.shares:
        shown = ef.shares_table(tables, name, CODEBOOK)
        said[name] = shown.to_dict("records")
        said[name + " chart"] = charts.chart_description(shown, "group", None, name)
    return said


@pytest.mark.parametrize("which", ["reconstruction", "tiny groups"])
def test_no_sentence_check_or_chart_quotes_a_cell_its_table_hides(which, recon_tables):
    tables = recon_tables if which == "reconstruction" else tables_for(tiny_group_export(), 10)
    assert any(s.hidden_share.any() for s in tables.shares.values())  # something is hidden to protect
    before, after = _everything_said(tables), _everything_said(_perturbed(tables))
    for key in before:
        assert before[key] == after[key], key


def test_tiny_groups_are_left_out_of_every_table_not_protected_by_hiding_large_ones():
    tables = tables_for(tiny_group_export(), 10)
    assert tables.left_out == ["community"]
    assert "community" not in set(tables.responses["role"])
    shown = ef.respondents_table(tables).set_index("group")
    assert "Community members" not in shown.index
    assert shown.loc["Parents", "respondents"] == 40 and shown.loc[TOTAL, "respondents"] == 150
    assert "community members" in ef.respondents_note(tables, CODEBOOK)
    assert all("community" not in roles for roles in tables.test_groups.values())


def test_every_group_and_race_row_is_listed_so_absence_tells_nothing():
    responses = tiny_group_export()
    table = ef.shares_table(tables_for(responses, 10), "agreement_by_group_and_race", CODEBOOK)
    races = {"African American/Black", "American Indian", "White"}
    for group in ("Students", "Staff", "Parents"):
        assert set(table.loc[table["group"] == group, "race/ethnicity"]) == races  # staff have no American Indian row of their own
    zero = table[(table["group"] == "Staff") & (table["race/ethnicity"] == "American Indian")]
    assert (zero["answered"] == SUPPRESSED).all()


def test_every_hidden_cell_of_the_reconstruction_keeps_a_range_at_least_the_threshold(recon_tables):
    audit = recon_tables.audit
    assert audit.hidden_cells > 0 and audit.cells_checked > audit.hidden_cells
    assert audit.smallest_range >= 10
    assert all(high - low >= 10 - 1e-6 for low, high in audit.ranges.values())
    assert "Cross-table disclosure audit" in ctx.method_notes(recon_tables)


def hidden_count_can_be_worked_out(table: pd.DataFrame, full: pd.DataFrame, threshold: int) -> bool:
    """Independent check of one long share table: given the visible counts and n's and the answer
    totals (assumed known where not under the threshold), can a hidden count be pinned to one value?"""
    cells = list(full.index)
    a, b = [], []
    for _, part in full.groupby("role"):
        if table.loc[part.index[0], "answered"] != SUPPRESSED:
            a.append([1.0 if c in part.index else 0.0 for c in cells])
            b.append(float(part["n"].iloc[0]))
    for _, part in full.groupby("answer"):
        if part["count"].sum() < threshold:
            continue
        a.append([1.0 if c in part.index else 0.0 for c in cells])
        b.append(float(part["count"].sum()))
    bounds = [(0, None) if table.loc[c, "respondents"] == SUPPRESSED else (float(full.loc[c, "count"]),) * 2 for c in cells]
    for k, c in enumerate(cells):
        if table.loc[c, "respondents"] != SUPPRESSED:
            continue
        objective = [0.0] * len(cells)
        objective[k] = 1.0
        equations = {"A_eq": a, "b_eq": b} if a else {}
        low = linprog(objective, bounds=bounds, method="highs", **equations)
        high = linprog([-x for x in objective], bounds=bounds, method="highs", **equations)
        if high.status == 0 and abs(-high.fun - low.fun) < 1e-6:
            return True
    return False


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(st.sampled_from(ROLES), st.sampled_from(["agree", "disagree", "strongly_agree", None]),
                               st.sampled_from(["maintain_modify", "reduce_support", "eliminate", None])),
                     min_size=30, max_size=120),
       threshold=st.integers(3, 12))
def test_report_share_tables_never_show_or_give_away_a_small_count(rows, threshold):
    responses = pd.DataFrame(rows, columns=["role", "sro_agree", "scenario"])
    # Some group must reach the threshold (or no table is shown), and answers must vary (or the
    # independent check below assumes an answer total that this report never publishes).
    if responses["role"].value_counts().max() < threshold or responses["scenario"].dropna().nunique() < 2:
        return
    tables = tables_for(responses, threshold)
    for name in ("agreement_by_group", "scenario_by_group"):
        table = ef.shares_table(tables, name, CODEBOOK)
        count = "agreed" if name == "agreement_by_group" else "respondents"
        visible = pd.to_numeric(table[count], errors="coerce").dropna()
        assert (visible >= threshold).all()
        shown = table["percent"] != SUPPRESSED
        assert (table.loc[shown, count] != SUPPRESSED).all() and (table.loc[shown, "answered"] != SUPPRESSED).all()
    full = tables.shares["scenario_by_group"].table
    assert not hidden_count_can_be_worked_out(ef.shares_table(tables, "scenario_by_group", CODEBOOK), full, threshold)
    assert tables.audit.smallest_range >= threshold - 1e-6


def test_the_table_by_race_does_not_add_up_to_a_count_the_table_by_group_hides():
    # The parents' count (40) is hidden by group to protect the 3 community members who did not
    # agree. Every parent answered "White", so a visible parents-White row would show that same 40.
    responses = _agreement_responses({"student": (150, 50), "staff": (45, 15), "parent": (40, 12), "community": (27, 3)})
    responses["race_ethnicity"] = "white"
    tables = tables_for(responses, 10)
    by_group = ef.shares_table(tables, "agreement_by_group", CODEBOOK).set_index("group")
    assert by_group.loc["Parents", "agreed"] == SUPPRESSED
    by_race = ef.shares_table(tables, "agreement_by_group_and_race", CODEBOOK).set_index(["group", "race/ethnicity"])
    assert by_race.loc[("Parents", "White"), "agreed"] == SUPPRESSED
    assert by_race.loc[("Students", "White"), "agreed"] == 150


# --------------------------------------------------------------------------- sentences and checks


def test_sentences_and_checks_never_state_a_share_the_agreement_table_hides():
    responses = _agreement_responses({"student": (150, 50), "staff": (45, 15), "parent": (40, 12), "community": (27, 3)})
    tables = tables_for(responses, 10)
    table = ef.shares_table(tables, "agreement_by_group", CODEBOOK).set_index("group")
    assert table.loc["Parents", "percent"] == SUPPRESSED
    assert not any("parents" in s.lower() for s in ef.comparison_sentences(tables, CODEBOOK)[:-2])
    checks = checks_for(tables)
    assert "77%" not in checks.loc["B07", "reproduced"] and "parents not shown" in checks.loc["B07", "reproduced"]


def test_reconstruction_passes_every_published_check_except_the_conflicting_one(recon_tables):
    checks = checks_for(recon_tables)
    assert checks.loc["B02", "check"] == "no"  # "over 7,000" contradicts "almost 7,000"
    assert checks.loc["B14", "check"] == "not checkable"
    others = checks.drop(index=["B02", "B14"])
    assert set(others["check"]) <= {"yes", "not shown"}, others[others["check"] == "no"]


def test_published_checks_catch_data_that_does_not_match(reconstruction):
    altered = reconstruction.copy()
    altered.loc[altered["role"] == "parent", "scenario"] = "eliminate"
    altered.loc[altered["scenario"] == "maintain_modify", "scenario"] = "reduce_support"
    altered.loc[(altered["role"] == "student") & (altered["sro_time"] == "same"), "sro_time"] = "less"
    checks = checks_for(tables_for(altered, 10))
    assert checks.loc["B13", "check"] == "no"  # Maintain/Modify no longer the plurality
    assert checks.loc["B12", "check"] == "no"  # far more than "almost half" want less time


def test_published_checks_do_not_reveal_small_counts():
    responses = pd.DataFrame({
        "role": ["parent"] * 4 + ["student"] * 30 + ["staff"] * 30,
        "race_ethnicity": ["african_american"] * 4 + ["white"] * 60,
        "sro_agree": ["agree", "agree", "disagree", "agree"] + ["agree"] * 25 + ["disagree"] * 5 + ["agree"] * 30,
        "sro_time": [None] * 64, "scenario": ["eliminate"] * 64, "reasons": [None] * 64,
    })
    checks = checks_for(tables_for(responses, 10))
    assert checks.loc["B05", "reproduced"] == "fewer than 10 parents" and checks.loc["B05", "check"] == "no"
    assert checks.loc["B09", "check"] in ("not checkable", "not shown") and "%" not in checks.loc["B09", "reproduced"]
    assert "students not shown" in checks.loc["B07", "reproduced"]  # 5 students disagreed: under 10


def test_a_hidden_share_keeps_its_check_verdict_hidden_too():
    rows = ([("parent", "african_american", "agree")] * 13 + [("parent", "african_american", "disagree")] * 7
            + [("parent", "white", "agree")] * 60 + [("parent", "white", "disagree")] * 25
            + [("student", "white", "agree")] * 80 + [("student", "white", "disagree")] * 20)
    responses = pd.DataFrame(rows, columns=["role", "race_ethnicity", "sro_agree"]).assign(
        sro_time="same", scenario="eliminate", reasons=None, comment=None)
    tables = tables_for(responses, 10)
    by_race = ef.shares_table(tables, "agreement_by_group_and_race", CODEBOOK).set_index(["group", "race/ethnicity"])
    assert by_race.loc[("Parents", "African American/Black"), "percent"] == SUPPRESSED
    checks = checks_for(tables)
    assert checks.loc["B09", "reproduced"].startswith("not shown") and checks.loc["B09", "check"] == "not shown"
    sentence = ctx.checks_sentence(checks.reset_index(), PRESS, reconstruction=False)
    assert re.search(r"\d+ cannot be shown without revealing a count under the suppression threshold", sentence)


def test_a_reason_ranking_is_not_quoted_when_the_reasons_table_hides_a_top_reason():
    responses = pd.DataFrame({"role": "student", "sro_agree": ["disagree"] * 40 + ["agree"] * 40,
                              "reasons": ["unnecessary;intimidating"] * 8 + ["prefer_supports"] * 32 + ["general_safety"] * 40})
    tables = tables_for(responses, 10)
    checks = checks_for(tables)
    assert checks.loc["B10", "check"] == "not shown" and "unnecessary" not in checks.loc["B10", "reproduced"]
    # General safety was chosen by all 40 agreers, so its row is hidden (40 - 40 = 0 did not choose it).
    assert checks.loc["B11", "check"] == "not shown" and "general safety" not in checks.loc["B11", "reproduced"]


def test_sentences_round_percents_as_the_checks_do():
    responses = _agreement_responses({"student": (29, 11), "staff": (30, 10), "parent": (36, 14)})
    tables = tables_for(responses, 10)
    sentences = " ".join(ef.comparison_sentences(tables, CODEBOOK))
    assert "students 73%" in checks_for(tables).loc["B07", "reproduced"]
    assert "vs 72%" in sentences and "(75% vs 73%, 2 points)" in sentences


def test_any_school_year_builds_its_checks_only_from_that_years_figures(recon_tables):
    later = PRESS[PRESS["school_year"] == "2019-20"]
    assert later.empty
    assert "2019-20" in ctx.no_published_figures_note("2019-20")
    assert ef.key_findings(recon_tables, CODEBOOK, None, True)  # findings need no published figures


def test_sentences_come_from_the_data_not_from_2017():
    tables = tables_for(_agreement_responses({"student": (30, 15), "staff": (20, 10), "parent": (25, 12)}), 10)
    text = ef.intervals_note(tables) + " ".join(s for s, _ in ef.key_findings(tables, CODEBOOK, None, False))
    assert "thousand" not in text and "45 answered" in text and "112 people answered" in text


def test_the_questions_table_uses_the_exports_own_wording():
    from sro_research.readers.engagement import load_mapping
    from sro_research.readers.published import load_sources

    table = ctx.questions_table(CODEBOOK, load_sources(), load_mapping(MAPPING))
    assert "Which scenario do you prefer?" in set(table["question"])
    assert "codebook item" in table.columns
    plain = ctx.questions_table(CODEBOOK, load_sources(), None)
    assert "codebook item" not in plain.columns


# --------------------------------------------------------------------------- group tests


def test_group_tests_leave_out_tiny_groups_and_say_how_the_p_value_was_found():
    # 2 community members who all chose "eliminate" would drive the test; they are left out.
    responses = _agreement_responses({"student": (40, 20), "staff": (20, 10), "community": (2, 0)})
    responses["scenario"] = ["maintain_modify", "reduce_support", "eliminate"] * 30 + ["eliminate"] * 2
    tables = tables_for(responses, 10)
    table = ef.tests_table(tables, CODEBOOK).set_index("test")
    assert "community" not in table.loc["group by preferred scenario", "groups compared"]
    assert table.loc["group by preferred scenario", "respondents"] == 90


def test_small_expected_counts_get_an_exact_or_monte_carlo_p_value_and_a_caveat():
    two_by_two = pd.DataFrame([[8, 2], [1, 9]])
    result = independence_test(two_by_two)
    assert result["p_value_method"] == FISHER_EXACT and not result["expected_ok"]
    assert result["p_value"] == pytest.approx(fisher_exact([[8, 2], [1, 9]]).pvalue)
    bigger = pd.DataFrame([[8, 2, 1], [1, 9, 3]])
    mc = independence_test(bigger)
    assert mc["p_value_method"].startswith(MONTE_CARLO) and 0 < mc["p_value"] <= 1
    assert independence_test(bigger)["p_value"] == mc["p_value"]  # seeded: the same page every build
    large = pd.DataFrame([[80, 20], [50, 50]])
    ok = independence_test(large)
    assert ok["p_value_method"] == "chi-square" and ok["expected_ok"]
    assert ok["p_value"] == pytest.approx(chi2_contingency(large.to_numpy(), correction=False).pvalue)
    sentence = ef._test_sentence({**mc, "name": "group by agreement (4-point scale)"})
    assert "expected counts are under 5" in sentence and MONTE_CARLO in sentence


def test_tests_table_explains_a_test_it_cannot_run():
    responses = pd.DataFrame({"role": ["student"] * 40, "sro_agree": ["agree"] * 25 + ["disagree"] * 15,
                              "scenario": ["eliminate"] * 15 + ["maintain_modify"] * 15 + ["reduce_support"] * 10})
    tables = tables_for(responses, 10)
    table = ef.tests_table(tables, CODEBOOK)
    assert table["note"].str.contains("at least two answers").all()
    sentences = ef.comparison_sentences(tables, CODEBOOK)
    assert all("chi-square" not in s for s in sentences)
    assert "tie" in sentences[-1]  # 15 vs 15: no single most common scenario


def test_human_tables_use_words_yes_no_and_readable_p_values(recon_tables):
    tests = ef.tests_table(recon_tables, CODEBOOK)
    assert set(tests["every expected count at least 5"]) <= {"yes", "no"}
    assert all(re.fullmatch(r"< 0\.001|\d\.\d{3}", p) for p in tests["p-value"])
    agreement = ef.shares_table(recon_tables, "agreement_by_group", CODEBOOK)
    assert "suppressed" not in agreement.columns  # nothing hidden: no empty column
    by_race = ef.shares_table(recon_tables, "agreement_by_group_and_race", CODEBOOK)
    assert set(by_race["suppressed"]) == {"yes", "no"}
    assert not any(c in agreement.columns for c in ("ci95_low", "count", "n"))


# --------------------------------------------------------------------------- comments


def test_real_export_shows_verbatim_comments_only_when_approved(recon_tables):
    names, themes = load_names(), load_themes()
    tables = recon_tables
    _, tagged = ec.comment_tables(tables, names, themes, CODEBOOK)
    responses = tables.responses
    assert ec.example_comments(tagged, responses, themes, names, CODEBOOK, None, illustrative=False) is None
    assert "not shown until a person has reviewed" in ec.not_reviewed_note()
    clean = tagged.index[~tagged["scrubbed"]][:2]
    key = b"k" * 32
    approved = Approvals(key, {comment_id(key, responses.loc[i, "respondent_id"], ec.COMMENT_ITEM):
                               text_fingerprint(key, ec.COMMENT_ITEM, tagged.loc[i, "comment"]) for i in clean})
    shown = ec.example_comments(tagged, responses, themes, names, CODEBOOK, approved, illustrative=False)
    assert len(shown) and set(shown["comment (reviewed and approved)"]) <= set(tagged.loc[clean, "comment"])
    none = ec.example_comments(tagged, responses, themes, names, CODEBOOK, Approvals(key, {}), illustrative=False)
    assert none.empty
    # an approval of another text (a fingerprint that does not match) shows nothing
    moved = Approvals(key, {cid: text_fingerprint(key, ec.COMMENT_ITEM, "another text") for cid in approved.fingerprints})
    assert ec.example_comments(tagged, responses, themes, names, CODEBOOK, moved, illustrative=False).empty


def test_reconstruction_examples_are_labelled_illustrative_and_scrubbed(recon_tables):
    names, themes = load_names(), load_themes()
    theme_table, tagged = ec.comment_tables(recon_tables, names, themes, CODEBOOK)
    examples = ec.example_comments(tagged, recon_tables.responses, themes, names, CODEBOOK, None, illustrative=True)
    column = "comment (synthetic, illustrative)"
    assert len(examples) >= 3 and any("[" in c for c in examples[column])
    for text in tagged["comment"]:
        assert personal_info_left(text, names) == []
    counts = theme_table.drop(columns="theme").stack()
    assert (pd.to_numeric(counts, errors="coerce").dropna() >= 10).all()


def test_comments_sentence_hides_counts_under_the_report_threshold():
    tagged = pd.DataFrame({"comment": ["x"] * 80, "scrubbed": [True] * 20 + [False] * 60})
    text = ec.comments_sentence(tagged, threshold=50)
    assert "20" not in text and "fewer than 50" in text and "80" in text
    few = ec.comments_sentence(tagged.head(30), threshold=50)
    assert "30" not in few and "20" not in few and "Fewer than 50" in few


def test_reasons_nobody_chose_are_listed_as_suppressed_not_left_out():
    responses = pd.DataFrame({"role": "student", "sro_agree": ["agree"] * 40,
                              "reasons": ["general_safety"] * 25 + ["relationships"] * 15})
    table = ec.reasons_table(tables_for(responses, 10), True)
    assert set(table["reason"]) == set(CODEBOOK.codes("reasons"))
    shown = table[table["respondents"] != SUPPRESSED]
    assert shown["reason"].tolist() == ["general_safety", "relationships"]
    hidden = table[table["respondents"] == SUPPRESSED]
    assert (hidden["percent"] == SUPPRESSED).all()
    assert hidden["reason"].tolist() == [c for c in CODEBOOK.codes("reasons") if c not in ("general_safety", "relationships")]


# --------------------------------------------------------------------------- page


def test_reconstruction_title_banner_and_watermark(reconstruction):
    survey = read_responses(shipped_path())
    assert ef.data_status(survey) == "reconstruction"
    assert ef.report_title(survey, "2016-17").startswith("Illustrative reconstruction: ")
    about = {"published": ["students: 6,950"], "illustrative": {"role": "the community group"}}
    banner = ef.reconstruction_banner_html(about, CODEBOOK)
    visible = re.sub(r"<details>.*</details>", "", banner)
    assert len(re.sub(r"<[^>]+>", " ", visible).split()) <= 60 and "<details>" in banner
    assert charts.watermark(survey) == charts.WATERMARK
    real = read_responses(FIXTURES / "export_utf8.csv", MAPPING)
    assert ef.data_status(real) == "real" and charts.watermark(real) is None
    assert not ef.report_title(real, "2016-17").startswith("Illustrative")


@pytest.fixture(scope="module")
def export_site(tmp_path_factory):
    from sro_research.build.pipeline import build

    out = tmp_path_factory.mktemp("export")
    results = build(["engagement_findings"], [f"responses_path={FIXTURES / 'export.xlsx'}", f"mapping_path={MAPPING}",
                                              "suppression_threshold=5"], out=out)
    assert all(r.ok for r in results), [str(r.failure) for r in results]
    return out


@pytest.mark.slow
@pytest.mark.parametrize("site, reconstruction_data", [("built_site", True), ("export_site", False)])
def test_report_builds_with_a_banner_only_for_the_reconstruction(request, site, reconstruction_data):
    tmp_path = request.getfixturevalue(site)  # the shipped reconstruction (the session's site), or a real-layout export
    page = (tmp_path / "engagement_findings.html").read_text(encoding="utf-8")
    assert ('class="sro-banner sro-banner-reconstruction"' in page) == reconstruction_data
    # The heading is the report's title (reports.toml), labelled only when the data are the reconstruction.
    assert ("<h1>Illustrative reconstruction (synthetic): The 2017 district engagement survey" in page) == reconstruction_data
    assert "Traceback" not in page and "Key findings" in page and "Cross-table disclosure audit" in page
    for secret in ("parent.contact@example.org", "612-555-0143", "20417386", "555-0178", "Jamal in the front"):
        assert secret not in page
    if not reconstruction_data:
        assert "not shown until a person has reviewed them" in page
    tables = tmp_path / "tables" / "engagement_findings"
    assert (tables / "published_vs_reproduced.csv").is_file()
    assert (tables / "agreement_by_group.csv").is_file()


@pytest.mark.slow
def test_report_builds_from_an_export_with_only_the_required_questions(tmp_path):
    from sro_research.build.pipeline import build

    header = ("Response ID,I am a,SROs should work in my school,I want SROs to spend ___ time in my school,"
              "Which scenario do you prefer?\n")
    answers = [("Student", "Agree", "Less", "1"), ("Staff member", "Disagree", "More", "3"),
               ("Parent or guardian", "Strongly Agree", "About the same", "2")]
    export = tmp_path / "export.csv"
    export.write_text(header + "".join(f"R{i},{','.join(answers[i % 3])}\n" for i in range(90)), encoding="utf-8")
    results = build(["engagement_findings"], [f"responses_path={export}", f"mapping_path={_without_optional(tmp_path)}",
                                              "school_year=2019-20"], out=tmp_path / "out")
    assert all(r.ok for r in results), [str(r.failure) for r in results]
    page = (tmp_path / "out" / "engagement_findings.html").read_text(encoding="utf-8")
    assert "no written comments" in page and "no answers on race/ethnicity" in page
    assert "No published figures for the 2019-20 survey" in page and "thousands" not in page


def test_the_notebook_default_threshold_is_the_package_default():
    import nbformat

    from sro_research.privacy.suppression import DEFAULT_THRESHOLD

    nb = nbformat.read(ROOT / "notebooks" / "engagement_findings.ipynb", as_version=4)
    parameters = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert f"suppression_threshold: int = {DEFAULT_THRESHOLD} " in parameters.source
    loading = [c for c in nb.cells if "load-inputs" in c.metadata.get("tags", [])]
    assert len(loading) == 1 and "load_codebook()" in loading[0].source


# --------------------------------------------------------------------------- key findings: published first


def test_key_findings_lead_with_the_published_figures_and_their_sources(recon_tables):
    published = PRESS[PRESS["school_year"] == "2016-17"]
    led = ctx.published_findings(published, ef.ANCHORS["published"])
    findings = ef.key_findings(recon_tables, CODEBOOK, checks_for(recon_tables).reset_index(), True, led)
    assert findings[: len(led)] == led and all(f[2] == "published" for f in led)
    first = findings[0][0]
    for figure in published[published["measure"] == "agree_sros_in_schools_pct"].itertuples():
        assert figure.value_text in first  # "at least 72%", "69%", "65%", as printed
    assert published.attrs["sources"]["alphanews_2017"]["publisher"] in first
    less_time = published[published["measure"] == "want_less_sro_time"].iloc[0]
    assert f"{less_time['value_text']} of students" in findings[1][0]
    assert all(len(f) == 2 for f in findings[len(led):])  # the reconstruction's own findings are labelled by the page
    assert len(findings) <= 6
    assert ctx.published_findings(published.iloc[:0], "x") == []


def test_a_significant_group_test_is_never_stated_without_its_size():
    for p, v in ((0.0001, 0.04), (0.2, 0.35), (0.01, 0.6)):
        result = {"name": "group by agreement", "p_value": p, "cramers_v": v, "chi_square": 1.0, "dof": 1, "expected_ok": True,
                  "p_value_method": "chi-square"}
        text = ef.group_test_finding(result)
        assert f"Cramér's V = {v:.2f}" in text and ef._strength(v) in text
    assert "but the difference is negligible" in ef.group_test_finding({**result, "p_value": 0.0001, "cramers_v": 0.04})
