"""The claims ledger: its checks are computed from the published figures, so its statuses follow the data."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sro_research.reports import claims_ledger as claims
from sro_research.paths import project_root
from sro_research.readers.published import load_published
from sro_research.readers.ssocs import find_ssocs_dir
from tests.test_published import FOLDER, edit_cell

SSOCS = find_ssocs_dir()


@pytest.fixture(scope="module")
def ledger():
    return claims.claims_ledger().set_index("claim_id", drop=False)


def test_ledger_has_the_promised_columns_and_one_row_per_claim(ledger):
    assert list(ledger.columns) == claims.LEDGER_COLUMNS == [
        "claim_id", "claim", "source", "published_value", "checked_value", "status", "reason"
    ]
    assert 18 <= len(ledger) <= 25
    assert ledger["claim_id"].is_unique
    assert set(ledger["status"]) == set(claims.STATUSES)
    for column in claims.LEDGER_COLUMNS:
        assert (ledger[column].str.strip() != "").all(), column
    assert ledger["source"].str.startswith("MPS SRO page").all()
    # Every claim checked against another source names that source's URL.
    checked = ledger[ledger["source"].str.contains("checked against")]
    assert checked["source"].str.contains("http").all()


def test_the_issue_checks_are_in_the_ledger(ledger):
    assert ledger.loc["L16", "checked_value"].startswith("23.7 + 19.3 = 43.0%")
    assert ledger.loc["L16", "status"] == "reproduced"
    assert "30% × 84,100 = 25,230 schools" in ledger.loc["L15", "checked_value"]
    assert "35.7%" in ledger.loc["L15", "checked_value"]
    assert ledger.loc["L15", "status"] == "discrepancy"
    assert ledger.loc["L07", "checked_value"].startswith("15 + 1 = 16")
    assert ledger.loc["L08", "checked_value"].startswith("9 + 3 + 4 = 16")
    assert {ledger.loc["L07", "status"], ledger.loc["L08", "status"]} == {"reproduced"}
    assert "16 - 2 = 14" in ledger.loc["L04", "checked_value"] and "7 + 2 + 5 = 14" in ledger.loc["L04", "checked_value"]
    assert ledger.loc["L03", "checked_value"].startswith("8 + 1 = 9 votes")
    assert ledger.loc["L18", "status"] == "consistent"  # 28% as the DPS survey
    assert ledger.loc["L19", "status"] == "consistent" and "6-in-10" in ledger.loc["L19", "checked_value"]
    assert "unverified" in ledger.loc["L19", "reason"]


def test_almost_30000_arithmetic():
    check = claims.almost_30000_check(claims.Figures.load())
    assert check["schools_at_percent"] == pytest.approx(0.30 * 84_100)
    assert check["highest_plausible"] == pytest.approx(0.305 * (84_100 + 1.959964 * 840), rel=1e-6)
    assert check["implied_percent"] == pytest.approx(30_000 / 84_100 * 100)
    assert check["status"] == "discrepancy"
    # A margin wide enough to call 26,153 "almost 30,000" would make the claim consistent.
    assert claims.almost_30000_check(claims.Figures.load(), margin=0.15)["status"] == "consistent"


def test_almost_means_below(published_copy):
    # "almost 20,000" is below every plausible count (at least 0.295 x (84,100 - 1.96 x 840)).
    edit_cell(published_copy, "mps_program_page.csv", "A24", "value", "20000")
    edit_cell(published_copy, "mps_program_page.csv", "A24", "value_text", "almost 20,000")
    check = claims.almost_30000_check(claims.Figures.load(published_copy))
    assert check["lowest_plausible"] == pytest.approx(0.295 * (84_100 - 1.959964 * 840), rel=1e-6)
    assert check["status"] == "discrepancy"


def test_security_43_bounds_on_the_se():
    check = claims.security_43_check(claims.Figures.load())
    assert check["any"] == 43.0
    assert check["se_lowest"] == pytest.approx(0.08) and check["se_highest"] == pytest.approx(2.28)


@pytest.mark.parametrize(
    "edits, claim_id, status",
    [
        # Part-time-only 19.3 -> 20.3: the parts no longer give 43.
        ([("nces_digest_233_70a.csv", "F02", "value", "20.3"), ("nces_digest_233_70a.csv", "F02", "value_text", "20.3")], "L16", "discrepancy"),
        # "almost 25,000" would fit 30% of 84,100.
        ([("mps_program_page.csv", "A24", "value", "25500"), ("mps_program_page.csv", "A24", "value_text", "almost 25,500")], "L15", "consistent"),
        ([("mps_program_page.csv", "A12", "value", "2"), ("mps_program_page.csv", "A12", "value_text", "2")], "L07", "discrepancy"),
        ([("mps_program_page.csv", "A14", "value", "4"), ("mps_program_page.csv", "A14", "value_text", "4")], "L08", "discrepancy"),
        ([("recommendation_2017.csv", "C03", "value", "6"), ("recommendation_2017.csv", "C03", "value_text", "6")], "L04", "discrepancy"),
        ([("recommendation_2017.csv", "C09", "value", "2")], "L03", "discrepancy"),
        ([("minnesota_sro.csv", "E01", "value", "31"), ("minnesota_sro.csv", "E01", "value_text", "31%")], "L18", "discrepancy"),
        ([("minnesota_sro.csv", "E05", "value", "50"), ("minnesota_sro.csv", "E05", "value_text", "as high as 5-in-10")], "L19", "discrepancy"),
        ([("mps_discipline.csv", "D03", "value", "8.5"), ("mps_discipline.csv", "D03", "value_text", "8.5")], "L21", "discrepancy"),
        ([("nces_frss_2013_14.csv", "F48", "flags", "unverified")], "L14", "consistent"),
    ],
)
def test_statuses_follow_the_data(published_copy, edits, claim_id, status):
    for file, figure_id, column, value in edits:
        edit_cell(published_copy, file, figure_id, column, value)
    ledger = claims.claims_ledger(published_copy).set_index("claim_id")
    assert ledger.loc[claim_id, "status"] == status


def test_missing_figure_is_a_clear_error(published_copy):
    path = published_copy / "mps_program_page.csv"
    path.write_text("".join(line for line in path.read_text(encoding="utf-8").splitlines(True) if not line.startswith("A24,")), encoding="utf-8")
    with pytest.raises(KeyError, match="needs figure A24"):
        claims.claims_ledger(published_copy)


@given(parts=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=6), off=st.integers(min_value=1, max_value=50))
def test_total_status_reproduces_exact_sums_and_flags_others(parts, off):
    assert claims.total_status(sum(parts), sum(parts), 0) == "reproduced"
    assert claims.total_status(sum(parts), sum(parts), 0, approximate=True) == "consistent"
    assert claims.total_status(sum(parts) + off, sum(parts), 0.5) == "discrepancy"


def test_without_microdata_the_ledger_says_which_files_would_help(tmp_path, monkeypatch):
    from sro_research.readers import ssocs

    monkeypatch.delenv("SSOCS_DIR", raising=False)
    monkeypatch.setattr(ssocs, "default_ssocs_dir", lambda: tmp_path / "no-data-ssocs")  # no repository copy either
    assert claims.nearest_national_figures() is None
    assert claims.nearest_national_figures(tmp_path) is None  # a folder without the files
    message = claims.missing_ssocs_message()
    assert "pu_ssocs06_spss.sav (2005-06)" in message and "pu_ssocs16.sas7bdat (2015-16)" in message
    assert "https://nces.ed.gov/surveys/ssocs/data_products.asp" in message
    assert str(tmp_path) in claims.missing_ssocs_message(tmp_path)
    row = claims.claims_ledger().set_index("claim_id").loc["L14"]
    assert "nearest published" in row["checked_value"] and row["status"] == "unverifiable"


@pytest.mark.ssocs
@pytest.mark.skipif(SSOCS is None, reason="SSOCS_DIR is not set to a folder with the NCES files")
def test_nearest_national_figures_from_the_microdata():
    nearest = claims.nearest_national_figures().set_index("year")
    assert list(nearest.index) == ["2005-06", "2015-16"]
    # NCES (via the press) printed 32% and 48%; the microdata gives them back with SEs.
    assert nearest.loc["2005-06", "estimate"] == pytest.approx(32.4, abs=0.05)
    assert nearest.loc["2015-16", "estimate"] == pytest.approx(47.7, abs=0.05)
    assert (nearest["se"] > 0.5).all() and (nearest["se"] < 2).all()
    assert nearest["agrees_with_nces"].all()
    assert nearest["why_not_the_30_percent"].str.len().gt(50).all()
    row = claims.claims_ledger(nearest=claims.nearest_national_figures()).set_index("claim_id").loc["L14"]
    assert "SSOCS microdata" in row["checked_value"] and "SE" in row["checked_value"]


def test_national_context_lists_claim_and_published_neighbours():
    context = claims.national_context()
    assert {"2005-06", "2013-14", "2015-16"} == set(context["year"])
    assert context["percent"].notna().all()
    claimed = context[context["label"].str.startswith("MPS page")]
    assert claimed["percent"].tolist() == [load_published("mps_program_page").set_index("figure_id").loc["A23", "value"]]


def test_notebook_is_saved_clean_with_a_parameters_cell():
    notebook = nbformat.read(project_root() / "notebooks" / "claims_ledger.ipynb", as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code[0].metadata.get("tags") == ["parameters"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    for line in code[0].source.splitlines():
        if line.strip() and not line.startswith("from typing"):
            assert ":" in line.split("=")[0] and "  # " in line, line
    assert 'show_table(ledger, "claims"' in "".join(cell.source for cell in code)


def test_sources_table_says_when_a_year_is_not_recorded():
    table = claims.sources_table().set_index("source_id")
    assert table.loc["alphanews_2017", "year"] == "not recorded"
    assert table.loc["nces_2015_051", "year"] == "2015"
    assert table["url"].str.startswith("http").all()


@pytest.mark.slow
def test_build_fails_on_a_malformed_published_file_naming_file_row_and_field(tmp_path, monkeypatch):
    from sro_research.build.pipeline import build

    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    shutil.copy(project_root() / "notebooks" / "claims_ledger.ipynb", root / "notebooks")
    shutil.copytree(FOLDER, root / "data" / "published")
    (root / "reports.toml").write_text(
        '[reports.claims_ledger]\nnotebook = "notebooks/claims_ledger.ipynb"\ntitle = "Claims ledger"\n', encoding="utf-8"
    )
    edit_cell(root / "data" / "published", "nces_digest_233_70a.csv", "F05", "value", "ten")
    monkeypatch.setenv("SRO_PROJECT_ROOT", str(root))
    monkeypatch.delenv("SSOCS_DIR", raising=False)
    [result] = build(["claims_ledger"], out=tmp_path / "out", config=root / "reports.toml")
    assert not result.ok
    assert "nces_digest_233_70a.csv: row 6, field value: 'ten' is not a valid number" in str(result.failure)


def test_l14_says_where_the_nearest_figures_lie_relative_to_the_30_percent(published_copy):
    # Published neighbours 32% (2005-06) and 42% (2015-16) are both above 30%: they do not bracket it.
    row = claims.claims_ledger(published_copy).set_index("claim_id").loc["L14"]
    assert "bracket" not in row["reason"] and "are all above the 30%" in row["reason"]
    edit_cell(published_copy, "ssocs_published_tables.csv", "G48", "value", "28")
    edit_cell(published_copy, "ssocs_published_tables.csv", "G48", "value_text", "28%")
    row = claims.claims_ledger(published_copy).set_index("claim_id").loc["L14"]
    assert "on both sides of the 30%" in row["reason"]


def test_l21_referral_years_come_from_the_figures(published_copy):
    edit_cell(published_copy, "mps_discipline.csv", "D13", "school_year", "2007-08")
    row = claims.claims_ledger(published_copy).set_index("claim_id").loc["L21"]
    assert "919 (2007-08) to 148 (2015-16)" in row["checked_value"]


def test_almost_30000_sentence_uses_the_page_figures(published_copy):
    edit_cell(published_copy, "mps_program_page.csv", "A24", "value", "25500")
    edit_cell(published_copy, "mps_program_page.csv", "A24", "value_text", "almost 25,500")
    check = claims.almost_30000_check(claims.Figures.load(published_copy))
    sentence = claims.almost_30000_sentence(check)
    assert sentence.startswith("30% of 84,100 schools is about 25,230;")
    assert "25,500 schools would be 30.3% of them" in sentence and "30,000" not in sentence


def test_status_sentence_names_the_discrepancies_only_when_there_are_some(ledger):
    sentence = claims.status_sentence(ledger)
    assert sentence == (
        "Of the 22 factual claims, 4 are reproduced from their published parts, 8 agree with an independent "
        "source, 2 do not add up (L15, L17) and 8 cannot be checked with any source the project can read."
    )
    none = ledger.assign(status=ledger["status"].replace("discrepancy", "consistent"))
    assert "0 do not add up and" in claims.status_sentence(none) and "()" not in claims.status_sentence(none)


def test_national_context_label_shows_the_parts_it_adds(published_copy):
    edit_cell(published_copy, "nces_digest_233_70a.csv", "F02", "value", "20.3")
    edit_cell(published_copy, "nces_digest_233_70a.csv", "F02", "value_text", "20.3")
    context = claims.national_context(published_copy)
    row = context[context["label"].str.startswith("NCES: any security staff")].iloc[0]
    assert row["label"] == "NCES: any security staff (23.7 + 20.3)" and row["percent"] == 44.0


def test_ledger_quotes_the_page_figures_it_reads(published_copy):
    edit_cell(published_copy, "mps_program_page.csv", "A24", "value", "26000")
    edit_cell(published_copy, "mps_program_page.csv", "A24", "value_text", "almost 26,000")
    for figure_id, value in (("A13", "8"), ("A15", "5")):
        edit_cell(published_copy, "mps_program_page.csv", figure_id, "value", value)
        edit_cell(published_copy, "mps_program_page.csv", figure_id, "value_text", value)
    edit_cell(published_copy, "mps_program_page.csv", "A27", "value", "62")
    edit_cell(published_copy, "mps_program_page.csv", "A27", "value_text", "62%")
    ledger = claims.claims_ledger(published_copy).set_index("claim_id")
    assert "26,000 would be 30.9%" in ledger.loc["L15", "checked_value"]
    assert ledger.loc["L08", "published_value"] == "8 White, 3 Asian American, 5 Black"
    assert "the exact 62% is unverified" in ledger.loc["L19", "reason"]


def test_l14_compares_a_found_2013_14_figure_with_the_30_percent(published_copy):
    edit_cell(published_copy, "nces_frss_2013_14.csv", "F48", "flags", "unverified")
    edit_cell(published_copy, "nces_frss_2013_14.csv", "F48", "value", "24")
    edit_cell(published_copy, "nces_frss_2013_14.csv", "F48", "value_text", "24%")
    assert claims.claims_ledger(published_copy).set_index("claim_id").loc["L14", "status"] == "discrepancy"
    edit_cell(published_copy, "nces_frss_2013_14.csv", "F48", "value", "30")
    edit_cell(published_copy, "nces_frss_2013_14.csv", "F48", "value_text", "30%")
    assert claims.claims_ledger(published_copy).set_index("claim_id").loc["L14", "status"] == "consistent"


def test_l19_rounds_tenths_half_up(published_copy):
    edit_cell(published_copy, "mps_program_page.csv", "A27", "value", "65")
    edit_cell(published_copy, "mps_program_page.csv", "A27", "value_text", "65%")
    row = claims.claims_ledger(published_copy).set_index("claim_id").loc["L19"]
    assert "65% rounds to 7-in-10" in row["checked_value"] and row["status"] == "discrepancy"
