"""Reading survey exports onto the codebook, and the engagement analysis functions."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency
from statsmodels.stats.proportion import proportion_confint

from sro_research.readers.engagement import (
    EngagementDataError,
    completeness,
    load_codebook,
    load_mapping,
    read_responses,
)
from sro_research.analysis.engagement_stats import (
    agreement_shares,
    answer_shares,
    chi_square,
    percent_as_published,
    published_checks,
    reason_counts,
)
from sro_research.provenance import file_sha256, recorded_inputs
from sro_research.readers.published import load_published
from sro_research.synthetic.reconstruction import reconstruct_2017, shipped_path

FIXTURES = Path(__file__).parent / "fixtures" / "engagement"
ROOT = Path(__file__).resolve().parents[1]
MAPPING = ROOT / "data" / "engagement" / "mapping_example.yaml"
EXPORTS = ["export_utf8.csv", "export_utf8_bom.csv", "export_cp1252.csv", "export.xlsx"]
HEADER = ("Response ID,I am a,Race/Ethnicity,School,SROs should work in my school,"
          "I want SROs to spend ___ time in my school,Which scenario do you prefer?,"
          "Why? (select all that apply),Comments\n")


@pytest.fixture(scope="module")
def reconstruction():
    return read_responses(shipped_path()).responses


def expected_fixture_rows() -> pd.DataFrame:
    """What the fixture exports hold, in codebook codes (see fixtures/engagement/make_fixtures.py)."""
    data = reconstruct_2017().head(40).copy()
    data["respondent_id"] = [f"T{i:04d}" for i in range(1, 41)]
    data["data_status"] = pd.NA
    data.loc[3, "comment"] = "Our school’s café is where the officer eats — he’s friendly."
    data.loc[5, "sro_time"] = pd.NA
    return data


def write(tmp_path, text: str, name="export.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- reading


@pytest.mark.parametrize("name", EXPORTS)
def test_every_export_format_reads_to_the_same_answers(name):
    survey = read_responses(FIXTURES / name, MAPPING)
    expected = expected_fixture_rows()
    got = survey.responses
    assert list(got.columns) == load_codebook().names
    for column in expected.columns:
        want = expected[column].astype(object).where(expected[column].notna(), None).tolist()
        have = got[column].astype(object).where(got[column].notna(), None).tolist()
        assert have == want, f"{name}: column {column} differs"
    assert not survey.is_reconstruction


@pytest.mark.parametrize("name", EXPORTS)
def test_reading_never_changes_the_input_and_records_its_checksum(name):
    path = FIXTURES / name
    before = file_sha256(path)
    survey = read_responses(path, MAPPING)
    assert file_sha256(path) == before == survey.sha256
    recorded = {entry["path"]: entry["sha256"] for entry in recorded_inputs()}
    assert recorded[str(path.resolve())] == before
    assert str(MAPPING.resolve()) in recorded


def test_partial_responses_are_kept_and_counted():
    survey = read_responses(FIXTURES / "export_utf8.csv", MAPPING)
    assert len(survey.responses) == 40
    table = completeness(survey.responses).set_index("role")
    assert table["respondents"].sum() == 40
    assert table["no_answer_sro_time"].sum() >= 1
    assert (table["partial"] + table["complete"] == table["respondents"]).all()
    assert pd.isna(survey.responses.loc[5, "sro_time"])  # "No answer" became no answer, row kept


def test_unknown_answer_names_file_row_column_and_value(tmp_path):
    path = write(tmp_path, HEADER + "A1,Student,White,S,Agree,Less,1,,\nA2,Student,White,S,Kinda agree,Less,1,,\n")
    with pytest.raises(EngagementDataError) as error:
        read_responses(path, MAPPING)
    message = str(error.value)
    assert str(path) in message and "row 3" in message
    assert "'SROs should work in my school'" in message and "'Kinda agree'" in message


def test_unknown_choice_in_a_multi_select_is_named(tmp_path):
    path = write(tmp_path, HEADER + "A1,Student,White,S,Agree,Less,1,For general safety|Because,\n")
    with pytest.raises(EngagementDataError, match=r"row 2, column 'Why\? \(select all that apply\)': unknown answer 'Because'"):
        read_responses(path, MAPPING)


def test_duplicate_respondent_ids_are_named_with_their_rows(tmp_path):
    rows = "A1,Student,White,S,Agree,Less,1,,\nA2,Staff member,White,S,Agree,Less,1,,\nA1,Student,White,S,Agree,Less,2,,\n"
    path = write(tmp_path, HEADER + rows)
    with pytest.raises(EngagementDataError, match=r"rows 2, 4, column 'Response ID': duplicate respondent id 'A1'"):
        read_responses(path, MAPPING)


def test_missing_required_column_is_named(tmp_path):
    header = HEADER.replace("SROs should work in my school,", "")
    path = write(tmp_path, header + "A1,Student,White,S,Less,1,,\n")
    with pytest.raises(EngagementDataError, match=r"required column 'SROs should work in my school' \(codebook item sro_agree\) is missing"):
        read_responses(path, MAPPING)


def test_empty_files_are_refused(tmp_path):
    with pytest.raises(EngagementDataError, match="empty"):
        read_responses(write(tmp_path, "", "empty.csv"), MAPPING)
    with pytest.raises(EngagementDataError, match="no responses"):
        read_responses(write(tmp_path, HEADER, "header_only.csv"), MAPPING)


def test_every_problem_is_reported_at_once(tmp_path):
    rows = "A1,Pupil,White,S,Agree,Less,1,,\n,Student,White,S,Agree,Sometimes,1,,\n"
    with pytest.raises(EngagementDataError) as error:
        read_responses(write(tmp_path, HEADER + rows), MAPPING)
    problems = error.value.problems
    assert any("row 2" in p and "'Pupil'" in p for p in problems)
    assert any("row 3" in p and "'Sometimes'" in p for p in problems)
    assert any("row 3" in p and "respondent id is empty" in p for p in problems)


def test_mapping_that_points_at_unknown_codes_is_refused(tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("values:\n  sro_agree:\n    Yes: yes_please\n", encoding="utf-8")
    with pytest.raises(EngagementDataError, match="'yes_please', which is not a code of sro_agree"):
        load_mapping(mapping)
    mapping.write_text("columns:\n  shoe_size: Shoe size\n", encoding="utf-8")
    with pytest.raises(EngagementDataError, match="'shoe_size' is not a codebook item"):
        load_mapping(mapping)
    mapping.write_text("colums:\n  role: I am a\n", encoding="utf-8")
    with pytest.raises(EngagementDataError, match="unknown key\\(s\\) 'colums'"):
        load_mapping(mapping)
    mapping.write_text("- role\n", encoding="utf-8")
    with pytest.raises(EngagementDataError, match="found list"):
        load_mapping(mapping)


def test_unsupported_file_type_is_refused(tmp_path):
    with pytest.raises(EngagementDataError, match="unsupported file type"):
        read_responses(write(tmp_path, "x", "export.json"))


def test_codebook_marks_every_item_published_or_assumed():
    table = load_codebook().table()
    assert set(table["status"]) == {"published", "assumed"}
    codebook = load_codebook()
    for name in ("sro_agree", "scenario", "role", "sro_time", "reasons"):
        assert codebook.item(name).status == "published", name
    assert codebook.item("site").status == "assumed"
    scale = table[table["item"] == "sro_agree"]
    assert set(scale["status"]) == {"assumed"}  # only "agreed" is published, not the 4-point scale
    reasons = table[table["item"] == "reasons"].set_index("answer_code")["status"]
    assert reasons["unnecessary"] == "published" and reasons["deterrence"] == "assumed"


# --------------------------------------------------------------------------- analysis


@pytest.mark.parametrize("count, n, percent", [(1, 2, 50), (1, 8, 13), (5, 8, 63), (69, 100, 69), (689, 1000, 69),
                                               (685, 1000, 69), (6849, 10000, 68), (0, 5, 0), (5, 5, 100)])
def test_percent_rounds_half_up_like_the_press(count, n, percent):
    assert percent_as_published(count, n) == percent


def test_agreement_shares_use_answered_denominator_and_wilson_cis():
    responses = pd.DataFrame({
        "role": ["student"] * 5 + ["staff"] * 3,
        "sro_agree": ["agree", "strongly_agree", "disagree", None, "agree", "strongly_disagree", "agree", None],
    })
    table = agreement_shares(responses, ["role"]).set_index("role")
    assert table.loc["student", "count"] == 3 and table.loc["student", "n"] == 4
    assert table.loc["staff", "count"] == 1 and table.loc["staff", "n"] == 2
    low, high = proportion_confint(3, 4, method="wilson")
    assert table.loc["student", "ci_low"] == pytest.approx(low)
    assert table.loc["student", "ci_high"] == pytest.approx(high)
    assert list(table.index) == ["student", "staff"]  # codebook order


def test_answer_shares_add_up_within_each_group(reconstruction):
    table = answer_shares(reconstruction, "scenario", ["role"])
    sums = table.groupby("role")["share"].sum()
    assert np.allclose(sums, 1.0)
    assert (table["ci_low"] <= table["share"]).all() and (table["share"] <= table["ci_high"]).all()


def test_chi_square_matches_scipy_and_cramers_v_is_bounded():
    responses = pd.DataFrame({
        "role": ["student"] * 30 + ["staff"] * 30,
        "scenario": ["maintain_modify"] * 20 + ["eliminate"] * 10 + ["maintain_modify"] * 5 + ["eliminate"] * 25,
    })
    result = chi_square(responses, "role", "scenario")
    expected = chi2_contingency(np.array([[20, 10], [5, 25]]), correction=False)
    assert result["chi_square"] == pytest.approx(expected.statistic)
    assert result["p_value"] == pytest.approx(expected.pvalue)
    assert result["dof"] == 1 and result["respondents"] == 60
    # For a 2x2 table Cramér's V is sqrt(chi2 / n).
    assert result["cramers_v"] == pytest.approx(np.sqrt(expected.statistic / 60))


def test_chi_square_on_perfect_association_gives_v_of_one():
    responses = pd.DataFrame({"role": ["student"] * 12 + ["staff"] * 12,
                              "scenario": ["eliminate"] * 12 + ["maintain_modify"] * 12})
    assert chi_square(responses, "role", "scenario")["cramers_v"] == pytest.approx(1.0)


def test_reason_counts_rank_reasons_among_those_who_chose_any():
    responses = pd.DataFrame({
        "sro_agree": ["disagree", "disagree", "strongly_disagree", "agree"],
        "reasons": ["unnecessary;intimidating", "unnecessary", None, "general_safety"],
    })
    table = reason_counts(responses, agreed=False)
    assert table["reason"].tolist() == ["unnecessary", "intimidating"]
    assert table["respondents"].tolist() == [2, 1] and set(table["of"]) == {2}


# --------------------------------------------------------------------------- published checks


def test_reconstruction_passes_every_published_check_except_the_conflicting_one(reconstruction):
    checks = published_checks(reconstruction, load_published("engagement_2017_press")).set_index("figure_id")
    # "over 7,000" (Alpha News) contradicts "almost 7,000" (Star Tribune); the reconstruction follows the latter.
    assert checks.loc["B02", "check"] == "no"
    assert checks.loc["B14", "check"] == "not checkable"  # engagement sessions are not survey answers
    others = checks.drop(index=["B02", "B14"])
    assert (others["check"] == "yes").all(), others[others["check"] != "yes"]


def test_published_checks_catch_data_that_does_not_match(reconstruction):
    altered = reconstruction.copy()
    african_american_students = altered.index[(altered["role"] == "student")
                                              & (altered["race_ethnicity"] == "african_american")
                                              & (altered["sro_agree"].isin(["disagree", "strongly_disagree"]))]
    altered.loc[african_american_students[:100], "sro_agree"] = "agree"
    altered.loc[altered["role"] == "parent", "scenario"] = "eliminate"
    altered.loc[altered["scenario"] == "maintain_modify", "scenario"] = "reduce_support"
    checks = published_checks(altered, load_published("engagement_2017_press")).set_index("figure_id")
    assert checks.loc["B08", "check"] == "no"  # African American students no longer 69%
    assert checks.loc["B13", "check"] == "no"  # Maintain/Modify no longer the plurality
    assert checks.loc["B09", "check"] == "yes"


# --------------------------------------------------------------------------- report tables

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from scipy.optimize import linprog  # noqa: E402

from sro_research.reports import engagement_findings as er  # noqa: E402
from sro_research.privacy.freetext import load_names, load_themes, personal_info_left  # noqa: E402
from sro_research.privacy.suppression import SUPPRESSED  # noqa: E402

ROLES = ["student", "staff", "parent", "community"]
AGREE = ["strongly_agree", "agree", "disagree", "strongly_disagree", None]
SCENARIOS = ["maintain_modify", "reduce_support", "eliminate", None]


def hidden_count_can_be_worked_out(table: pd.DataFrame, full: pd.DataFrame, threshold: int) -> bool:
    """Independent check of one group's long share table: given the visible counts, visible n's and
    the answer totals (assumed known wherever they could be published, i.e. not under the
    threshold), can any hidden count be pinned to one value?"""
    cells = list(full.index)
    a, b = [], []
    for _role, part in full.groupby("role"):  # counts in a row add up to its n, when n is visible
        if table.loc[part.index[0], "n"] != SUPPRESSED:
            a.append([1.0 if c in part.index else 0.0 for c in cells])
            b.append(float(part["n"].iloc[0]))
    for _answer, part in full.groupby("answer"):  # and to the answer totals a reader could know
        if part["count"].sum() < threshold:
            continue  # a total under the threshold is never published, so cannot be assumed known
        a.append([1.0 if c in part.index else 0.0 for c in cells])
        b.append(float(part["count"].sum()))
    bounds = [(0, None) if table.loc[c, "count"] == SUPPRESSED else (float(full.loc[c, "count"]),) * 2 for c in cells]
    for k, c in enumerate(cells):
        if table.loc[c, "count"] != SUPPRESSED:
            continue
        objective = [0.0] * len(cells)
        objective[k] = 1.0
        equations = {"A_eq": a, "b_eq": b} if a else {}  # nothing known beyond the bounds
        low = linprog(objective, bounds=bounds, method="highs", **equations)
        high = linprog([-x for x in objective], bounds=bounds, method="highs", **equations)
        if high.status == 0 and abs(-high.fun - low.fun) < 1e-6:
            return True
    return False


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(st.sampled_from(ROLES), st.sampled_from(AGREE), st.sampled_from(SCENARIOS)),
                     min_size=20, max_size=120),
       threshold=st.integers(3, 12))
def test_report_share_tables_never_show_or_give_away_a_small_count(rows, threshold):
    responses = pd.DataFrame(rows, columns=["role", "sro_agree", "scenario"])
    # Every group answers both ways at least once, so each table has two answer columns.
    if responses["sro_agree"].dropna().nunique() < 2 or responses["scenario"].dropna().nunique() < 2:
        return
    for item in ("agreed", "scenario"):
        table = er.shares_table(responses, item, ["role"], threshold)
        visible = pd.to_numeric(table["count"], errors="coerce").dropna()
        assert (visible >= threshold).all()
        shown = table["percent"] != SUPPRESSED
        assert (table.loc[shown, "count"] != SUPPRESSED).all() and (table.loc[shown, "n"] != SUPPRESSED).all()
        if item == "scenario":
            full = answer_shares(responses, "scenario", ["role"])
            full["role"] = full["role"].map(er.GROUP_NAMES)
            full["answer"] = full["answer"].map(er.SCENARIO_SHORT)
            assert list(full["role"]) == list(table["role"]) and list(full["answer"]) == list(table["answer"])
            assert not hidden_count_can_be_worked_out(table, full, threshold)


def test_report_tables_on_the_reconstruction_pass_their_guards(reconstruction):
    for item, by in (("agreed", ["role"]), ("agreed", ["role", "race_ethnicity"]),
                     ("scenario", ["role"]), ("sro_time", ["role"])):
        table = er.shares_table(reconstruction, item, by, 10)
        assert len(table) > 0
    by_race = er.shares_table(reconstruction, "agreed", ["role", "race_ethnicity"], 10)
    assert (by_race["percent"] == SUPPRESSED).any()  # small staff/parent groups are hidden
    assert "Not given" in set(by_race["race_ethnicity"])  # rows add up to the group totals
    completeness_shown = er.completeness_table(reconstruction, 10)
    assert completeness_shown.iloc[-1]["group"] == "Total"


def test_examples_and_themes_show_only_scrubbed_text(reconstruction):
    names, themes = load_names(), load_themes()
    theme_table, tagged = er.comment_tables(reconstruction, names, themes, 10)
    examples = er.example_comments(tagged, reconstruction, themes, names, show_scrubbed=True)
    assert len(examples) >= 3
    assert any("[email]" in c or "[phone]" in c or "[id]" in c or "[name]" in c for c in examples["comment (scrubbed)"])
    for text in tagged["comment"]:
        assert personal_info_left(text, names) == []
    counts = theme_table.drop(columns="theme").stack()
    assert (pd.to_numeric(counts, errors="coerce").dropna() >= 10).all()


def test_comparison_sentences_name_groups_and_tests(reconstruction):
    sentences = er.comparison_sentences(reconstruction, 10)
    assert any("Staff agreed more often than students" in s for s in sentences)
    assert any("Cramér's V" in s for s in sentences)


def test_reconstruction_banner_names_published_and_illustrative_parts(reconstruction):
    survey = read_responses(shipped_path())
    text = er.reconstruction_notice(survey)
    assert "reconstruction" in text and "illustrative" in text and "published" in text
    assert er.reconstruction_notice(read_responses(FIXTURES / "export_utf8.csv", MAPPING)) is None


# --------------------------------------------------------------------------- the report, end to end


@pytest.mark.slow
@pytest.mark.parametrize("assignments, reconstruction_data", [
    ([], True),
    ([f"responses_path={FIXTURES / 'export.xlsx'}", f"mapping_path={MAPPING}", "suppression_threshold=5"], False),
])
def test_report_builds_with_a_banner_only_for_the_reconstruction(tmp_path, assignments, reconstruction_data):
    from sro_research.build.pipeline import build

    results = build(["engagement_findings"], assignments, out=tmp_path)
    assert all(r.ok for r in results), [str(r.failure) for r in results]
    page = (tmp_path / "engagement_findings.html").read_text(encoding="utf-8")
    assert ('class="sro-banner sro-banner-reconstruction"' in page) == reconstruction_data
    assert "Traceback" not in page
    for secret in ("parent.contact@example.org", "612-555-0143", "20417386", "555-0178", "Jamal in the front"):
        assert secret not in page
    tables = tmp_path / "tables" / "engagement_findings"
    assert (tables / "published_vs_reproduced.csv").is_file()
    assert (tables / "agreement_by_group.csv").is_file()


def test_codebook_sources_exist_in_the_published_sources():
    from sro_research.readers.published import load_sources
    known = set(load_sources()["source_id"])
    for item in load_codebook().items:
        assert set(item.source_ids) <= known, item.name
        if item.status == "published":
            assert item.source_ids and item.evidence, item.name
    table = er.codebook_table()
    assert "Alpha News (alphanews_2017)" in " ".join(table["sources"])


def test_blank_rows_are_skipped_and_row_numbers_still_match_the_file(tmp_path):
    rows = "A1,Student,White,S,Agree,Less,1,,\n,,,,,,,,\n\nA2,Student,White,S,Nope,Less,1,,\n"
    with pytest.raises(EngagementDataError, match="row 5, column 'SROs should work in my school': unknown answer 'Nope'"):
        read_responses(write(tmp_path, HEADER + rows), MAPPING)
    ok = write(tmp_path, HEADER + "A1,Student,White,S,Agree,Less,1,,\n\n,,,,,,,,\n", "ok.csv")
    assert len(read_responses(ok, MAPPING).responses) == 1


def test_real_data_examples_never_use_comments_that_held_personal_information(reconstruction):
    names, themes = load_names(), load_themes()
    _, tagged = er.comment_tables(reconstruction, names, themes, 10)
    examples = er.example_comments(tagged, reconstruction, themes, names, show_scrubbed=False)
    assert not any("[" in c for c in examples["comment (scrubbed)"])


@settings(max_examples=40, deadline=None)
@given(label=st.sampled_from(["Strongly Agree", "Agree", "Disagree", "Strongly Disagree"]),
       spaces=st.sampled_from(["", " ", "  "]), case=st.sampled_from([str.upper, str.lower, str.title, str]))
def test_labels_match_ignoring_case_and_spacing(tmp_path_factory, label, spaces, case):
    path = tmp_path_factory.mktemp("labels") / "export.csv"
    written = spaces + case(label).replace(" ", " " + spaces) + spaces
    path.write_text(HEADER + f"A1,Student,White,S,{written},Less,2.0,,\n", encoding="utf-8")
    responses = read_responses(path, MAPPING).responses
    assert responses.loc[0, "sro_agree"] == label.lower().replace(" ", "_")
    assert responses.loc[0, "scenario"] == "reduce_support"  # Excel's "2.0" is the label "2"


def test_optional_columns_may_be_absent_and_are_reported(tmp_path):
    header = "Response ID,I am a,SROs should work in my school,I want SROs to spend ___ time in my school,Which scenario do you prefer?\n"
    survey = read_responses(write(tmp_path, header + "A1,Student,Agree,Less,1\n"), MAPPING)
    assert {"race_ethnicity", "site", "reasons", "comment"} <= set(survey.absent_items)
    assert survey.responses["comment"].isna().all()
    assert "Not in this export" in er.input_note(survey)


@pytest.mark.slow
def test_report_builds_from_an_export_with_only_the_required_questions(tmp_path):
    from sro_research.build.pipeline import build

    header = ("Response ID,I am a,SROs should work in my school,I want SROs to spend ___ time in my school,"
              "Which scenario do you prefer?\n")
    answers = [("Student", "Agree", "Less", "1"), ("Staff member", "Disagree", "More", "3"),
               ("Parent or guardian", "Strongly Agree", "About the same", "2")]
    rows = "".join(f"R{i},{','.join(answers[i % 3])}\n" for i in range(90))
    export = write(tmp_path, header + rows)
    results = build(["engagement_findings"], [f"responses_path={export}", f"mapping_path={MAPPING}"], out=tmp_path / "out")
    assert all(r.ok for r in results), [str(r.failure) for r in results]
    page = (tmp_path / "out" / "engagement_findings.html").read_text(encoding="utf-8")
    assert "no written comments" in page and "no answers on race/ethnicity" in page


def test_published_checks_do_not_reveal_small_counts():
    responses = pd.DataFrame({
        "role": ["parent"] * 4 + ["student"] * 30 + ["staff"] * 30,
        "race_ethnicity": ["african_american"] * 4 + ["white"] * 60,
        "sro_agree": ["agree", "agree", "disagree", "agree"] + ["agree"] * 25 + ["disagree"] * 5 + ["agree"] * 30,
        "sro_time": [None] * 64, "scenario": ["eliminate"] * 64, "reasons": [None] * 64,
    })
    checks = published_checks(responses, load_published("engagement_2017_press"), threshold=10).set_index("figure_id")
    assert checks.loc["B05", "reproduced"] == "fewer than 10 parents" and checks.loc["B05", "check"] == "no"
    # 3 of 4 = 75%: neither the percent nor the verdict is shown (a "yes" would give the percent away)
    assert checks.loc["B09", "reproduced"].startswith("not shown") and checks.loc["B09", "check"] == "not shown"
    assert "students not shown" in checks.loc["B07", "reproduced"]  # 5 students disagreed: under 10


def test_tests_table_explains_a_test_it_cannot_run():
    # Every scenario count is at least 10, so the table shows them all and the tie may be said.
    responses = pd.DataFrame({"role": ["student"] * 40, "sro_agree": ["agree"] * 25 + ["disagree"] * 15,
                              "scenario": ["eliminate"] * 15 + ["maintain_modify"] * 15 + ["reduce_support"] * 10})
    table = er.tests_table(responses)
    assert table["note"].str.contains("at least two answers").all()
    sentences = er.comparison_sentences(responses, 10)
    assert all("chi-square" not in s for s in sentences)
    assert "tie" in sentences[-1]  # 15 vs 15: no single most common scenario


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


def test_sentences_and_checks_never_state_a_share_the_agreement_table_hides():
    # 3 community members disagreed: their count is hidden, and the parents' count with it
    # (complementary suppression). Parents' n (52) is shown, so their percent (40/52 = 77%)
    # would give the hidden count away.
    responses = _agreement_responses({"student": (150, 50), "staff": (45, 15), "parent": (40, 12), "community": (27, 3)})
    table = er.shares_table(responses, "agreed", ["role"], 10).set_index("role")
    assert table.loc["Parents", "percent"] == SUPPRESSED and table.loc["Parents", "n"] == 52
    sentences = er.comparison_sentences(responses, 10)
    assert not any("parents" in s.lower() for s in sentences), sentences
    checks = published_checks(responses, load_published("engagement_2017_press"), threshold=10).set_index("figure_id")
    assert "77%" not in checks.loc["B07", "reproduced"] and "parents not shown" in checks.loc["B07", "reproduced"]


def test_comments_sentence_hides_counts_under_the_report_threshold():
    tagged = pd.DataFrame({"comment": ["x"] * 80, "scrubbed": [True] * 20 + [False] * 60})
    text = er.comments_sentence(tagged, threshold=50)
    assert "20" not in text and "fewer than 50" in text and "80" in text
    assert "fewer than 10" not in text
    few = er.comments_sentence(tagged.head(30), threshold=50)  # 30 comments: the total itself is small
    assert "30" not in few and "20" not in few and "Fewer than 50" in few
    most = er.comments_sentence(pd.DataFrame({"comment": ["x"] * 60, "scrubbed": [True] * 55 + [False] * 5}), threshold=10)
    assert "55" not in most  # 60 - 55 = 5 comments without personal information


def test_mapping_labels_are_read_as_written_text(tmp_path):
    # YAML would read Yes/No as true/false and 1 and 01 as the same number; labels are text.
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns:\n  sro_agree: Should SROs work in your school?\n"
                       "values:\n  sro_agree:\n    Yes: agree\n    No: disagree\n    On the fence: disagree\n"
                       "  scenario:\n    1: maintain_modify\n    01: reduce_support\n    3.0: eliminate\n", encoding="utf-8")
    loaded = load_mapping(mapping)
    assert loaded.values["sro_agree"] == {"Yes": "agree", "No": "disagree", "On the fence": "disagree"}
    assert loaded.values["scenario"] == {"1": "maintain_modify", "01": "reduce_support", "3.0": "eliminate"}
    export = write(tmp_path, "respondent_id,role,Should SROs work in your school?,sro_time,scenario\n"
                             "A1,student,Yes,less,1\nA2,student,No,less,01\nA3,student,yes,less,3\n")
    responses = read_responses(export, mapping).responses
    assert responses["sro_agree"].tolist() == ["agree", "disagree", "agree"]
    assert responses["scenario"].tolist() == ["maintain_modify", "reduce_support", "eliminate"]


def test_mapping_sections_of_the_wrong_shape_are_refused_with_the_key_named(tmp_path):
    mapping = tmp_path / "mapping.yaml"
    for text, message in [
        ("columns:\n  - role\n", "columns: expected"),
        ("values:\n  sro_agree: [Agree]\n", "values.sro_agree: expected"),
        ("missing_values: N/A\n", "missing_values: expected a list"),
        ("separators:\n  reasons:\n", "separators.reasons"),
        ("values:\n  sro_agree:\n    Agree: agree\n    Agree: disagree\n", "repeated key 'Agree'"),
        ("values:\n  sro_agree:\n    Agree: agree\n    \" AGREE\": disagree\n", "'Agree' and ' AGREE'"),
    ]:
        mapping.write_text(text, encoding="utf-8")
        with pytest.raises(EngagementDataError, match=re.escape(message)):
            load_mapping(mapping)


def test_blank_cells_are_unanswered_even_when_missing_values_omits_them(tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("missing_values: [N/A]\n", encoding="utf-8")
    export = write(tmp_path, "respondent_id,role,race_ethnicity,sro_agree,sro_time,scenario\n"
                             "A1,student,,agree,,eliminate\nA2,student,N/A,agree,less,eliminate\n")
    responses = read_responses(export, mapping).responses
    assert responses["sro_time"].isna().tolist() == [True, False]
    assert responses["race_ethnicity"].isna().all()


def test_a_hidden_share_keeps_its_check_verdict_hidden_too():
    # 13 of 20 African American parents agreed: 65%, as printed. Their n (20) is shown in the
    # table by race, so "yes, = 65%" would give away 13 and the 7 who did not agree.
    rows = ([("parent", "african_american", "agree")] * 13 + [("parent", "african_american", "disagree")] * 7
            + [("parent", "white", "agree")] * 60 + [("parent", "white", "disagree")] * 25
            + [("student", "white", "agree")] * 80 + [("student", "white", "disagree")] * 20)
    responses = pd.DataFrame(rows, columns=["role", "race_ethnicity", "sro_agree"]).assign(
        sro_time="same", scenario="eliminate", reasons=None, comment=None)
    by_race = er.shares_table(responses, "agreed", ["role", "race_ethnicity"], 10).set_index(["role", "race_ethnicity"])
    assert by_race.loc[("Parents", "African American/Black"), "n"] == 20
    published = load_published("engagement_2017_press")
    checks = published_checks(responses, published, threshold=10).set_index("figure_id")
    assert checks.loc["B09", "reproduced"].startswith("not shown")
    assert checks.loc["B09", "check"] == "not shown"
    sentence = er.checks_sentence(checks.reset_index(), published)
    assert re.search(r"\d+ cannot be shown without revealing a count under the suppression threshold", sentence)


def test_reasons_nobody_chose_are_listed_as_suppressed_not_left_out():
    # The questions table lists every reason; leaving one out of the table would say "chosen by 0".
    responses = pd.DataFrame({"sro_agree": ["agree"] * 40, "reasons": ["general_safety"] * 25 + ["relationships"] * 15})
    table = er.reasons_table(responses, True, 10)
    assert set(table["reason"]) == set(load_codebook().codes("reasons"))
    shown = table[table["respondents"] != SUPPRESSED]
    assert shown["reason"].tolist() == ["general_safety", "relationships"]
    hidden = table[table["respondents"] == SUPPRESSED]
    assert (hidden["percent"] == SUPPRESSED).all()
    codes = load_codebook().codes("reasons")
    assert hidden["reason"].tolist() == [c for c in codes if c not in ("general_safety", "relationships")]  # codebook order


@pytest.mark.parametrize("header", ["scenario,scenario", "Scenario,scenario "])
def test_a_mapped_header_that_appears_twice_is_refused(tmp_path, header):
    path = write(tmp_path, f"respondent_id,role,sro_agree,sro_time,{header}\nA1,student,agree,less,eliminate,maintain_modify\n")
    with pytest.raises(EngagementDataError, match=r"column 'scenario' \(codebook item scenario\) appears 2 times in the header row \(columns 5, 6\)"):
        read_responses(path)


def test_a_mapped_header_that_appears_twice_in_a_workbook_is_refused(tmp_path):
    path = tmp_path / "export.xlsx"
    pd.DataFrame([["A1", "student", "agree", "less", "eliminate", "maintain_modify"]]).to_excel(
        path, index=False, header=["respondent_id", "role", "sro_agree", "sro_time", "scenario", "scenario"])
    with pytest.raises(EngagementDataError, match=r"appears 2 times in the header row \(columns 5, 6\)"):
        read_responses(path)


def test_sentences_round_percents_as_the_checks_do():
    # 29 of 40 = 72.5%: the published checks print 73% (half up, as the press); the sentences must too.
    responses = _agreement_responses({"student": (29, 11), "staff": (30, 10), "parent": (36, 14)})
    sentences = " ".join(er.comparison_sentences(responses, 10))
    checks = published_checks(responses, load_published("engagement_2017_press"), threshold=10).set_index("figure_id")
    assert "students 73%" in checks.loc["B07", "reproduced"]
    assert "73%" in sentences and "72%" in sentences  # students 72.5% -> 73%, parents 36/50 = 72%
    assert "vs 72%" in sentences and "(75% vs 73%, 2 points)" in sentences


def test_published_respondent_counts_stay_hidden_when_the_respondents_table_hides_them():
    # 1 parent: hidden, and with it the students' and staff totals (the grand total 40 is shown).
    # Printing "5 staff" and "34 students" beside it would give the 1 parent away.
    responses = _agreement_responses({"student": (30, 4), "staff": (5, 0), "parent": (1, 0)})
    shown = er.completeness_table(responses, 5).set_index("group")
    assert shown.loc["Staff", "respondents"] == SUPPRESSED and shown.loc["Total", "respondents"] == 40
    checks = published_checks(responses, load_published("engagement_2017_press"), threshold=5).set_index("figure_id")
    assert checks.loc["B03", "reproduced"] == "staff not shown (it would reveal a count under 5)"
    assert checks.loc["B01", "reproduced"] == "students not shown (it would reveal a count under 5)"
    assert checks.loc["B03", "check"] == "no"  # 700 is far from any count under 40: the verdict gives nothing away


def test_the_table_by_race_does_not_add_up_to_a_count_the_table_by_group_hides():
    # As in the test above, the parents' count (40) is hidden by group to protect the 3 community
    # members who did not agree. Every parent answered "White", so a visible parents-White row would
    # show that same 40.
    responses = _agreement_responses({"student": (150, 50), "staff": (45, 15), "parent": (40, 12), "community": (27, 3)})
    responses["race_ethnicity"] = "white"
    by_group = er.shares_table(responses, "agreed", ["role"], 10).set_index("role")
    assert by_group.loc["Parents", "count"] == SUPPRESSED
    by_race = er.shares_table(responses, "agreed", ["role", "race_ethnicity"], 10).set_index(["role", "race_ethnicity"])
    assert by_race.loc[("Parents", "White"), "count"] == SUPPRESSED
    assert by_race.loc[("Students", "White"), "count"] == 150  # nothing hidden where the group's count is shown
