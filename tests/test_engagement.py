"""Reading survey exports onto the codebook, and the engagement analysis functions."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2_contingency
from statsmodels.stats.proportion import proportion_confint

from sro_research.paths import project_relative
from sro_research.readers.engagement import (
    EngagementDataError,
    completeness,
    load_codebook,
    load_mapping,
    read_responses,
)
from sro_research.analysis.engagement_stats import (
    AGREED,
    NOT_AGREED,
    agreement_answers,
    answer_shares,
    chi_square,
    percent_as_published,
    reason_counts,
)
from sro_research.provenance import file_sha256, recorded_inputs
from sro_research.reports import engagement_context as ctx
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
    # Recorded relative to the project root, so no published record shows a machine path.
    recorded = {entry["path"]: entry["sha256"] for entry in recorded_inputs()}
    assert recorded[project_relative(path)] == before
    assert project_relative(MAPPING) in recorded and not any(Path(p).is_absolute() for p in recorded)


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
    assert "'SROs should work in my school'" in message and "unknown answer for sro_agree" in message
    assert "Kinda agree" not in message  # a cell may be personal: messages never quote one


def test_unknown_choice_in_a_multi_select_is_named(tmp_path):
    path = write(tmp_path, HEADER + "A1,Student,White,S,Agree,Less,1,For general safety|Because,\n")
    with pytest.raises(EngagementDataError, match=r"row 2, column 'Why\? \(select all that apply\)': unknown answer for reasons"):
        read_responses(path, MAPPING)


def test_duplicate_respondent_ids_are_named_with_their_rows(tmp_path):
    rows = "A1,Student,White,S,Agree,Less,1,,\nA2,Staff member,White,S,Agree,Less,1,,\nA1,Student,White,S,Agree,Less,2,,\n"
    path = write(tmp_path, HEADER + rows)
    with pytest.raises(EngagementDataError, match=r"rows 2, 4, column 'Response ID': the same respondent id repeats"):
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
    assert any("row 2" in p and "unknown answer for role" in p for p in problems)
    assert any("row 3" in p and "unknown answer for sro_time" in p for p in problems)
    assert any("row 3" in p and "respondent id is empty" in p for p in problems)


@pytest.mark.parametrize("text, message", [
    ("values:\n  sro_agree:\n    Yes: yes_please\n", "'yes_please', which is not a code of sro_agree"),
    ("columns:\n  shoe_size: Shoe size\n", "'shoe_size' is not a codebook item"),
    ("colums:\n  role: I am a\n", "unknown key\\(s\\) 'colums'"),
    ("- role\n", "found list"),
])
def test_mapping_that_points_at_unknown_codes_is_refused(tmp_path, text, message):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(text, encoding="utf-8")
    with pytest.raises(EngagementDataError, match=message):
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
    data = agreement_answers(responses, load_codebook().agree_codes())
    table = answer_shares(data, "agreed", ["role"], {"role": ["student", "staff", "parent"]}, [AGREED, NOT_AGREED])
    table = table[table["answer"] == AGREED].set_index("role")
    assert table.loc["student", "count"] == 3 and table.loc["student", "n"] == 4
    assert table.loc["staff", "count"] == 1 and table.loc["staff", "n"] == 2
    low, high = proportion_confint(3, 4, method="wilson")
    assert table.loc["student", "ci_low"] == pytest.approx(low)
    assert table.loc["student", "ci_high"] == pytest.approx(high)
    assert list(table.index) == ["student", "staff", "parent"]  # the full grid, in the order given
    assert table.loc["parent", "n"] == 0 and np.isnan(table.loc["parent", "share"])  # listed, not left out


def test_answer_shares_add_up_within_each_group(reconstruction):
    codebook = load_codebook()
    table = answer_shares(reconstruction, "scenario", ["role"], {"role": codebook.codes("role")}, codebook.codes("scenario"))
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
    codebook = load_codebook()
    table = reason_counts(responses, False, codebook.agree_codes(), codebook.item("reasons").values)
    assert table["reason"].tolist() == ["unnecessary", "intimidating"]
    assert table["respondents"].tolist() == [2, 1] and set(table["of"]) == {2}


def test_codebook_sources_exist_in_the_published_sources():
    from sro_research.readers.published import load_sources
    known = set(load_sources()["source_id"])
    for item in load_codebook().items:
        assert set(item.source_ids) <= known, item.name
        if item.status == "published":
            assert item.source_ids and item.evidence, item.name
    table = ctx.questions_table(load_codebook(), load_sources(), None)
    assert "Alpha News (alphanews_2017)" in " ".join(table["sources"])


def test_blank_rows_are_skipped_and_row_numbers_still_match_the_file(tmp_path):
    rows = "A1,Student,White,S,Agree,Less,1,,\n,,,,,,,,\n\nA2,Student,White,S,Nope,Less,1,,\n"
    with pytest.raises(EngagementDataError, match="row 5, column 'SROs should work in my school': unknown answer for sro_agree"):
        read_responses(write(tmp_path, HEADER + rows), MAPPING)
    ok = write(tmp_path, HEADER + "A1,Student,White,S,Agree,Less,1,,\n\n,,,,,,,,\n", "ok.csv")
    assert len(read_responses(ok, MAPPING).responses) == 1


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


def _without_optional(tmp_path):
    """The example mapping, saying the export has no race, school, reasons or comment column (a mapped
    header missing from the file is an error: it is usually a typo)."""
    text = MAPPING.read_text(encoding="utf-8")
    for header in ("Race/Ethnicity", "School", "Why? (select all that apply)", "Comments"):
        text = text.replace(f": {header}\n", ': ""\n', 1)
    path = tmp_path / "mapping_required_only.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_optional_columns_may_be_absent_and_are_reported(tmp_path):
    header = "Response ID,I am a,SROs should work in my school,I want SROs to spend ___ time in my school,Which scenario do you prefer?\n"
    survey = read_responses(write(tmp_path, header + "A1,Student,Agree,Less,1\n"), _without_optional(tmp_path))
    assert {"race_ethnicity", "site", "reasons", "comment"} <= set(survey.absent_items)
    assert survey.responses["comment"].isna().all()
    assert "Not in this export" in ctx.input_note(survey, load_codebook())


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

