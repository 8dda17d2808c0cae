"""The claims ledger: claims are data, each kind of check is a small function, statuses follow the data."""

from __future__ import annotations

import json
import math
import shutil

import matplotlib.pyplot as plt
import nbformat
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sro_research.analysis import ssocs_estimates, wording
from sro_research.paths import project_root
from sro_research.readers import ssocs
from sro_research.readers.published import Figures, PublishedDataError, load_published
from sro_research.reports import claim_checks as checks
from sro_research.reports import claims_display as display
from sro_research.reports import claims_ledger as claims
from sro_research.reporting import table_html
from sro_research.district import load_profile
from tests.conftest import PROJECT_ROOT
from tests.test_published import FOLDER, edit_cell

DISTRICT = load_profile("minneapolis", PROJECT_ROOT / "reports.toml")

SSOCS = ssocs.find_ssocs_dir()


def build_ledger(folder=None, nearest=None) -> pd.DataFrame:
    return claims.claims_ledger(Figures.load(folder), load_published("claims", folder), nearest).set_index("claim_id", drop=False)


@pytest.fixture(scope="module")
def ledger():
    return build_ledger()


def test_ledger_columns_one_row_per_claim_and_computed_statuses(ledger):
    assert list(ledger.columns)[:7] == claims.LEDGER_COLUMNS
    assert len(ledger) == len(load_published("claims")) == 22
    assert set(ledger["status"]) == set(checks.STATUSES)
    for column in claims.LEDGER_COLUMNS:
        assert (ledger[column].str.strip() != "").all(), column
        assert not ledger[column].str.contains(r"\{[A-Z]\d{2}", regex=True).any(), column  # templates all filled
    assert ledger["source"].str.startswith("Minneapolis Public Schools, 2017, http").all()
    checked = ledger[ledger["source"].str.contains("checked against")]
    assert checked["source"].str.count("http").gt(1).all()


def test_reader_table_has_status_second_and_words_for_columns(ledger):
    table = display.reader_ledger(ledger)
    assert list(table.columns)[:2] == ["claim_id", "status"]  # claims.csv keeps the field names scripts read
    page = table_html(table, "Claims")
    assert '<th scope="col">Claim</th><th scope="col">Status</th>' in page
    assert all(" " in w or w[0].isupper() for w in table.attrs["labels"].values())


def test_verdicts_of_the_issue_checks(ledger):
    status = ledger["status"]
    assert ledger.loc["L16", "checked_value"].startswith("23.7 + 19.3 = 43.0 (SE of the sum between 0.08 and 2.28")
    assert status["L16"] == "reproduced"  # Digest parts give back the page's 43% and the press release's
    assert "30% × 84,100 = 25,230 schools" in ledger.loc["L15", "checked_value"] and "35.7%" in ledger.loc["L15", "checked_value"]
    assert status["L15"] == "discrepancy"
    assert status["L17"] == "misleading reasoning"  # a critique of the page's reasoning, not of its arithmetic
    assert ledger.loc["L07", "checked_value"].startswith("15 + 1 = 16") and ledger.loc["L08", "checked_value"].startswith("9 + 3 + 4 = 16")
    assert status["L07"] == status["L08"] == "internally consistent"  # the page agrees with itself only
    assert "16 - 2 = 14" in ledger.loc["L04", "checked_value"] and "7 + 2 + 5 = 14" in ledger.loc["L04", "checked_value"]
    assert status["L04"] == status["L03"] == status["L18"] == "reproduced"
    assert status["L19"] == "consistent" and "6-in-10" in ledger.loc["L19", "checked_value"]
    assert "The page's exact 61% is unverified" in ledger.loc["L19", "reason"]
    assert status["L21"] == "unverifiable" and "causal" in ledger.loc["L21", "reason"]  # falling figures, untestable cause
    assert status["L22"] == "consistent"  # "almost $1.28 million": the match can only be approximate
    assert status["L06"] == "consistent"  # same counts, but for the next school year
    assert ledger.loc["L08", "claim"] == "Of the 16 SROs, 9 are White, 3 Asian American and 4 Black."


@pytest.mark.parametrize(
    "edits, claim_id, status",
    [
        # sum: part-time-only 19.3 -> 20.3, the parts no longer give 43.
        ([("nces_digest_233_70a.csv", "F02", "value", "20.3"), ("nces_digest_233_70a.csv", "F02", "value_text", "20.3")], "L16", "discrepancy"),
        ([("district_program_page.csv", "A12", "value", "2"), ("district_program_page.csv", "A12", "value_text", "2")], "L07", "discrepancy"),
        ([("district_program_page.csv", "A14", "value", "4"), ("district_program_page.csv", "A14", "value_text", "4")], "L08", "discrepancy"),
        ([("recommendation_2017.csv", "C03", "value", "6"), ("recommendation_2017.csv", "C03", "value_text", "6")], "L04", "discrepancy"),
        # sum with a qualified term: "almost $1.20 million" cannot leave $130,000 of savings.
        ([("recommendation_2017.csv", "C05", "value", "1200000"), ("recommendation_2017.csv", "C05", "value_text", "almost $1.20 million")], "L22", "discrepancy"),
        # product: "almost 25,500" fits 30% of 84,100.
        ([("district_program_page.csv", "A24", "value", "25500"), ("district_program_page.csv", "A24", "value_text", "almost 25,500")], "L15", "consistent"),
        # match
        ([("recommendation_2017.csv", "C09", "value", "2")], "L03", "discrepancy"),
        ([("state_sro.csv", "E01", "value", "31"), ("state_sro.csv", "E01", "value_text", "31%")], "L18", "discrepancy"),
        ([("state_sro.csv", "E05", "value", "50"), ("state_sro.csv", "E05", "value_text", "as high as 5-in-10")], "L19", "discrepancy"),
        ([("recommendation_2017.csv", "C01", "school_year", "2016-17"), ("recommendation_2017.csv", "C02", "school_year", "2016-17")], "L06", "reproduced"),
        # causal: a rise in the series contradicts the "continuing fall" the cause is credited with.
        ([("district_discipline.csv", "D03", "value", "8.5"), ("district_discipline.csv", "D03", "value_text", "8.5")], "L21", "discrepancy"),
        # nearest_ssocs: a 2013-14 figure that is found (no longer flagged not_found).
        ([("nces_frss_2013_14.csv", "F48", "flags", "unverified")], "L14", "consistent"),
        # weighting: a "total" no larger than the sample would not contradict the page.
        ([("nces_frss_2013_14.csv", "F41", "value", "1500"), ("nces_frss_2013_14.csv", "F41", "value_text", "1,500")], "L17", "unverifiable"),
        # source_date: a report from another year.
        ([("sources.csv", "nces_2015_051", "year", "2016")], "L13", "discrepancy"),
        # mention: a source that no longer dates the sessions.
        ([("engagement_2017_press.csv", "B14", "note", "Community feedback sessions.")], "L01", "unverifiable"),
    ],
)
def test_statuses_follow_the_data(published_copy, edits, claim_id, status):
    for file, key, column, value in edits:
        edit_cell(published_copy, file, key, column, value)
    assert build_ledger(published_copy).loc[claim_id, "status"] == status


def test_edited_claims_table_changes_the_check(published_copy):
    # The claims are data: pointing L07 at the race counts makes the same check fail.
    edit_cell(published_copy, "claims.csv", "L07", "inputs", "equation=A11 + A12 + A13 = A05")
    row = build_ledger(published_copy).loc["L07"]
    assert row["status"] == "discrepancy" and row["checked_value"].startswith("15 + 1 + 9 = 25")
    edit_cell(published_copy, "claims.csv", "L07", "check", "unverifiable")
    assert build_ledger(published_copy).loc["L07", "status"] == "unverifiable"


@pytest.mark.parametrize(
    "column, value, expected",
    [
        ("check", "guess", r"claims\.csv: row 8, field check"),
        ("inputs", "A11 + A12", r"claims\.csv: row 8, field inputs"),
        ("source_id", "nowhere", r"claims\.csv: row 8, field source_id: 'nowhere' is not a source_id"),
    ],
)
def test_malformed_claims_table_names_file_row_and_field(published_copy, column, value, expected):
    edit_cell(published_copy, "claims.csv", "L07", column, value)
    with pytest.raises(PublishedDataError, match=expected):
        load_published("claims", published_copy)


def test_missing_figure_is_a_clear_error(published_copy):
    path = published_copy / "district_program_page.csv"
    path.write_text("".join(line for line in path.read_text(encoding="utf-8").splitlines(True) if not line.startswith("A24,")), encoding="utf-8")
    with pytest.raises(KeyError, match="A24"):
        build_ledger(published_copy)


# --- each kind of check, on its own -------------------------------------------------------------


def _claim(check: str, inputs: str, source_id: str = "mps_sro_page") -> checks.Claim:
    return checks.Claim.from_row({"claim_id": "T01", "source_id": source_id, "check": check, "inputs": inputs})


@pytest.fixture(scope="module")
def figures():
    return Figures.load()


def test_sum_check_kinds_of_agreement(figures):
    assert checks.check_sum(figures, _claim("sum", "equation=A11 + A12 = A05")).status == "internally consistent"
    assert checks.check_sum(figures, _claim("sum", "equation=C01 + C02 + C03 = A06")).status == "reproduced"
    assert checks.check_sum(figures, _claim("sum", "equation=A13 + A14 = A05")).status == "discrepancy"
    assert checks.check_sum(figures, _claim("sum", "equation=C05 - C06 = C07")).status == "consistent"


def test_match_check_distinguishes_same_figure_from_coarser_one(figures):
    assert checks.check_match(figures, _claim("match", "equation=A26 = E01")).status == "reproduced"
    assert checks.check_match(figures, _claim("match", "equation=A27 = E05")).status == "consistent"
    found = checks.check_match(figures, _claim("match", "equation=A26 = E02"))
    assert found.status == "discrepancy" and "28% on the page; 36% in" in found.finding


def test_product_check_arithmetic(figures):
    c = checks.product_check(figures, _claim("product", "percent=A23; total=F41; claimed=A24"))
    assert math.isnan(c["percent_se"]) and "not included" in checks.product_sentence(c)
    assert c["schools_at_percent"] == pytest.approx(0.30 * 84_100)
    assert c["highest_plausible"] == pytest.approx(0.305 * (84_100 + 1.959964 * 840), rel=1e-6)
    assert c["lowest_plausible"] == pytest.approx(0.295 * (84_100 - 1.959964 * 840), rel=1e-6)
    assert c["implied_percent"] == pytest.approx(30_000 / 84_100 * 100)
    assert c["lowest_read_as_claimed"] == pytest.approx(30_000 * (1 - wording.NEAR))
    assert c["status"] == "discrepancy"
    assert checks.product_sentence(c).startswith("30% of 84,100 schools is about 25,230;")


def test_the_percentages_sampling_error_widens_the_product_bound(figures):
    """NCES printed no SE for the 30%: it is estimated from the responding schools and the design
    effect of the SSOCS estimate of the same measure, and the bound grows with it."""
    claim = _claim("product", "percent=A23; total=F41; claimed=A24; sample=F45; response=F46; like=any_sro")
    without = checks.product_check(figures, claim)
    nearest = pd.DataFrame([{"indicator": "any_sro", "measure": "any SRO", "year": "2005-06", "deff": 1.5, "estimate": 32.0, "se": 1.0}])
    c = checks.product_check(figures, claim, nearest)
    responding = 1_600 * 0.86
    assert c["responding"] == pytest.approx(responding)
    assert c["percent_se"] == pytest.approx(100 * math.sqrt(1.5 * 0.3 * 0.7 / responding))
    share, total, total_se = 0.305, 84_100, 840
    spread = 1.959964 * math.sqrt((total * c["percent_se"] / 100) ** 2 + (share * total_se) ** 2)
    assert c["highest_plausible"] == pytest.approx(share * total + spread, rel=1e-6)
    assert c["highest_plausible"] > without["highest_plausible"]
    sentence = checks.product_sentence(c)
    assert f"an estimated standard error of {checks.fmt(c['percent_se'], 1)} points" in sentence and "not included" not in sentence
    # a design effect large enough brings 'almost 30,000' within reach: the status follows the numbers
    assert checks.product_check(figures, claim, nearest.assign(deff=4.0))["status"] == "consistent"


def test_a_source_without_its_real_title_is_cited_by_outlet_date_and_url(figures):
    sources = figures.sources
    assert not sources["title"].str.contains("title not recorded", case=False).any()  # no paraphrase stands as a title
    untitled = sources[sources["title"] == ""]
    assert len(untitled) >= 10 and untitled["note"].str.startswith("Title not recorded").all()
    for source_id, row in untitled.iterrows():
        text = figures.cite(source_id, short=False)
        assert text == f"{row['publisher']}, {row['date'] or 'date not recorded'} (title not recorded), {row['url']}"


def test_nearest_ssocs_check_says_where_the_neighbours_lie(published_copy):
    row = build_ledger(published_copy).loc["L14"]
    assert "are all above the 30%" in row["reason"] and "nearest published" in row["checked_value"]
    assert row["status"] == "unverifiable"
    edit_cell(published_copy, "ssocs_published_tables.csv", "G48", "value", "28")
    edit_cell(published_copy, "ssocs_published_tables.csv", "G48", "value_text", "28%")
    assert "on both sides of the 30%" in build_ledger(published_copy).loc["L14", "reason"]
    for value, status in (("24", "discrepancy"), ("30", "reproduced")):
        edit_cell(published_copy, "nces_frss_2013_14.csv", "F48", "flags", "unverified")
        edit_cell(published_copy, "nces_frss_2013_14.csv", "F48", "value", value)
        edit_cell(published_copy, "nces_frss_2013_14.csv", "F48", "value_text", f"{value}%")
        assert build_ledger(published_copy).loc["L14", "status"] == status


def test_weighting_source_date_mention_causal_and_unverifiable_checks(figures):
    weighting = checks.check_weighting(figures, _claim("weighting", "sample=F45; response=F46; total=F41"))
    assert weighting.status == "misleading reasoning" and "about 1,376 responded" in weighting.checked
    dated = checks.check_source_date(figures, _claim("source_date", "page=A23; source=nces_2015_051; year=2015; survey=F45; also=F46"))
    assert dated.status == "consistent" and "(2015)" in dated.checked
    mention = checks.check_mention(figures, _claim("mention", "page=A01; other=B14; phrase=June 2017"))
    assert mention.status == "consistent" and mention.used == ["B14"]
    causal = checks.check_causal(figures, _claim("causal", "series=D01 D02 D03 D04"))
    assert causal.status == "unverifiable" and causal.checked.startswith("black students suspended: 10.5 > 8.1 > 7.4 > 6.5%")
    assert checks.check_causal(figures, _claim("causal", "series=D04 D01")).status == "discrepancy"
    assert checks.check_unverifiable(figures, _claim("unverifiable", "page=A08")).status == "unverifiable"
    assert set(checks.CHECKS) == set(json.loads((FOLDER / "datapackage.json").read_text())["resources"][-1]["schema"]["fields"][4]["constraints"]["enum"])


def test_unknown_check_kind_is_a_clear_error(figures):
    with pytest.raises(ValueError, match="claim T01, field check: 'guess'"):
        checks.run_check(figures, _claim("guess", "page=A01"))


# --- wording: the one place that says what "almost", "over" and rounding allow -------------------


def test_wording_reads_the_printed_qualifier():
    assert wording.qualifier("almost 30,000") == "almost" and wording.qualifier("30%") is None
    assert wording.qualifier("more than 300") == "more than" and wording.qualifier("as high as 6-in-10") == "as high as"
    assert wording.half_unit("30%") == 0.5 and wording.half_unit("23.7") == pytest.approx(0.05)
    assert wording.half_unit("6-in-10") == 5
    almost = wording.stated_range(30_000, "almost 30,000")
    assert almost.contains(28_500) and not almost.contains(30_000) and not almost.contains(28_000)
    assert wording.fits(7_100, 7_000, "over 7,000") and not wording.fits(7_000, 7_000, "over 7,000")
    assert wording.fits(61, 60, "as high as 6-in-10") and not wording.fits(65, 60, "as high as 6-in-10")
    assert wording.fits(14.5, 14, "at least 14") and not wording.fits(13, 14, "at least 14")
    assert wording.is_qualified("about 315") and not wording.is_qualified("as high as 6-in-10")


@given(value=st.integers(min_value=1, max_value=10**6), decimals=st.integers(min_value=0, max_value=2))
def test_a_plain_figure_covers_what_rounds_to_it(value, decimals):
    text = f"{value / 10**decimals:.{decimals}f}"
    number = float(text)
    stated = wording.stated_range(number, text)
    step = 10.0 ** -decimals
    assert stated.contains(number) and stated.contains(number - step / 2) and not stated.contains(number + step / 2)
    assert not stated.contains(number + step) and not stated.contains(number - step)


# --- what the reader sees -----------------------------------------------------------------------


def test_key_findings_name_the_discrepancies_by_content(ledger, figures):
    findings = claims.key_findings(ledger, figures.dataset("since_2017"), figures)
    sentences = [sentence for sentence, _ in findings]
    assert 3 <= len(findings) <= 6 and sentences[0] == claims.status_sentence(ledger)
    assert any("'almost 30,000 schools' is about 25,230 by its own 30%" in s for s in sentences)
    assert any("(claim L17 in the ledger below)" in s and "84,100 public schools" in s for s in sentences)
    assert sentences[-1].startswith("After 2017, Star Tribune (2020-06-02) reports that the board voted unanimously")
    assert findings[1][1] == claims.CHECK_ANCHORS["product"]


def test_key_findings_follow_the_data(published_copy):
    edit_cell(published_copy, "district_program_page.csv", "A24", "value", "25500")
    edit_cell(published_copy, "district_program_page.csv", "A24", "value_text", "almost 25,500")
    edited = build_ledger(published_copy)
    sentences = [s for s, _ in claims.key_findings(edited)]
    assert not any("25,500" in s for s in sentences) and any("claim L17" in s for s in sentences)
    assert "1 draws a conclusion its figures do not support" in claims.status_sentence(edited)
    assert "does not add up" not in claims.status_sentence(edited)  # no claim has that status now


def test_status_counts_keep_every_status(ledger):
    counts = claims.status_counts(ledger).set_index("Status")["Claims"]
    assert list(counts.index) == list(checks.STATUSES) and counts.sum() == len(ledger)
    assert counts["discrepancy"] == 1 and counts["misleading reasoning"] == 1 and counts["internally consistent"] == 2


def test_ledger_table_shows_status_words_with_classes_and_links(ledger):
    page = table_html(display.reader_ledger(ledger).head(8), "Claims")
    assert '<span class="sro-status sro-status-internally-consistent">internally consistent</span>' in page
    assert '<a href="http://emss.mpls.k12.mn.us/sro">' in page
    assert 'class="sro-table-box"' in page  # a wide table scrolls in its own box on a phone


def test_since_2017_lists_each_fact_with_its_source(figures):
    table = display.since_table(figures)
    assert len(table) == len(figures.dataset("since_2017")) >= 6
    assert table["Source"].str.contains("http").all()
    assert table["What the source reports"].str.len().gt(0).all()
    assert {"Star Tribune", "KARE 11", "Axios"} <= {figures.source(s)["publisher"] for s in figures.dataset("since_2017")["source_id"]}


def test_national_context_draws_the_claim_apart(figures):
    context = claims.national_context(figures, DISTRICT)
    assert {"2005-06", "2013-14", "2015-16"} == set(context["year"])
    assert context["is_claim"].sum() == 1 and context.loc[context["is_claim"], "percent"].item() == figures.value("A23")
    edited = claims.national_context(Figures(figures.rows.assign(value=figures.rows["value"].where(figures.rows.index != "F02", 20.3)), figures.sources), DISTRICT)
    assert "NCES: any security staff (23.7 + 20.3)" in set(edited["label"])
    fig = display.plot_national_context(context, DISTRICT)
    assert fig.axes[0].get_title(loc="left") and fig.axes[0].get_xlabel()
    assert fig.get_size_inches()[0] <= 4.5  # narrow, so labels stay >= 10 px on a 390 px screen
    assert min(text.get_fontsize() for text in fig.axes[0].texts) >= 10
    plt.close(fig)


def test_without_microdata_the_ledger_says_which_files_would_help(tmp_path):
    assert claims.nearest_national_figures(None, Figures.load()) is None
    message = claims.missing_ssocs_message(None)
    assert "pu_ssocs06_spss.sav (2005-06)" in message and "pu_ssocs16.sas7bdat (2015-16)" in message
    assert "https://nces.ed.gov/surveys/ssocs/data_products.asp" in message
    assert f"in the folder {tmp_path.name}" in claims.missing_ssocs_message(tmp_path) and str(tmp_path.parent) not in claims.missing_ssocs_message(tmp_path)


@pytest.mark.ssocs
@pytest.mark.skipif(SSOCS is None, reason="SSOCS_DIR is not set to a folder with the NCES files")
def test_nearest_national_figures_from_the_microdata(figures, ssocs_frame):
    estimates = ssocs_estimates.estimate_table(**claims.nearest_estimate_request(), data=ssocs_frame)
    nearest = claims.nearest_national_figures(estimates, figures).set_index("year")
    assert list(nearest.index) == ["2005-06", "2015-16"]
    # NCES (via the press) printed 32% and 48%; the microdata gives them back with SEs.
    assert nearest.loc["2005-06", "estimate"] == pytest.approx(32.4, abs=0.05)
    assert nearest.loc["2015-16", "estimate"] == pytest.approx(47.7, abs=0.05)
    assert (nearest["se"] > 0.5).all() and (nearest["se"] < 2).all() and nearest["agrees_with_nces"].all()
    assert set(claims.nearest_reader_table(nearest.reset_index())["Agrees with NCES"]) == {"yes"}
    row = build_ledger(nearest=nearest.reset_index()).loc["L14"]
    assert "SSOCS microdata" in row["checked_value"] and "SE" in row["checked_value"]


def test_notebook_is_saved_clean_with_parameters_and_one_load_inputs_cell():
    notebook = nbformat.read(project_root() / "notebooks" / "claims_ledger.ipynb", as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code[0].metadata.get("tags") == ["parameters"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    for line in code[0].source.splitlines():
        if line.strip() and not line.startswith("from typing"):
            assert ":" in line.split("=")[0] and "  # " in line, line
    loading = [cell for cell in code if "load-inputs" in cell.metadata.get("tags", [])]
    assert len(loading) == 1 and loading[0].source.count("Figures.load(") == 1
    later = "".join(cell.source for cell in code[code.index(loading[0]) + 1:])
    assert "Figures.load" not in later and "load_published" not in later and "estimate_table" not in later
    assert "set_data_status" in code[code.index(loading[0]) + 1].source and "show_key_findings" in later


@pytest.mark.slow
def test_report_builds_with_key_findings_status_words_and_links(built_site):
    tmp_path = built_site  # built with SSOCS_DIR unset
    page = (built_site / "claims_ledger.html").read_text(encoding="utf-8")
    for status in checks.STATUSES:
        assert "sro-status-" + status.replace(" ", "-") in page, status
    assert '<a href="https://www.startribune.com/' in page and 'id="Since-2017"' in page
    summary = json.loads((tmp_path / "tables" / "claims_ledger" / "page.json").read_text(encoding="utf-8"))
    # SSOCS_DIR unset: the repository's data/ssocs gives the nearest national estimates, so real data.
    assert summary["data_status"] == "real" and "almost 30,000" in summary["key_findings"][1]
    header = (tmp_path / "tables" / "claims_ledger" / "claims.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",")[:2] == ["claim_id", "status"] and header.endswith("data_status")


@pytest.mark.slow
def test_build_fails_on_a_malformed_published_file_naming_file_row_and_field(tmp_path, monkeypatch):
    from sro_research.build.pipeline import build

    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    shutil.copy(project_root() / "notebooks" / "claims_ledger.ipynb", root / "notebooks")
    shutil.copytree(FOLDER, root / "data" / "published")
    # The district's profile, with only the data folders this copy holds.
    (root / "districts").mkdir()
    profile = (project_root() / "districts" / "minneapolis.toml").read_text(encoding="utf-8")
    (root / "districts" / "minneapolis.toml").write_text("\n".join(
        line for line in profile.splitlines() if not line.startswith(("engagement =", "annual_review ="))), encoding="utf-8")
    (root / "reports.toml").write_text(
        'district = "minneapolis"\n[reports.claims_ledger]\nnotebook = "notebooks/claims_ledger.ipynb"\ntitle = "Claims ledger"\n',
        encoding="utf-8",
    )
    edit_cell(root / "data" / "published", "nces_digest_233_70a.csv", "F05", "value", "ten")
    monkeypatch.setenv("SRO_PROJECT_ROOT", str(root))
    monkeypatch.delenv("SSOCS_DIR", raising=False)
    [result] = build(["claims_ledger"], out=tmp_path / "out", config=root / "reports.toml")
    assert not result.ok
    assert "nces_digest_233_70a.csv: row 6, field value: 'ten' is not a valid number" in str(result.failure)


def test_no_nan_reaches_the_ledger(ledger):
    assert not ledger.map(lambda v: isinstance(v, float) and math.isnan(v)).any().any()


def test_report_helpers_open_no_input_file(figures):
    """After the load-inputs step, the report's helpers only compute: no file under data/ is opened."""
    import sys

    from sro_research.paths import data_dir

    rows, watching, opened = load_published("claims"), [], []
    root = str(data_dir().resolve())

    def hook(event, args):
        if watching and event == "open" and isinstance(args[0], str | bytes) and str(args[0]).startswith(root):
            opened.append(args[0])

    sys.addaudithook(hook)
    watching.append(True)
    try:
        ledger = claims.claims_ledger(figures, rows)
        claims.key_findings(ledger, figures.dataset("since_2017"), figures)
        table_html(display.reader_ledger(ledger), "c")
        display.product_table(checks.product_check(figures, claims.claim(rows, "L15")))
        plt.close(display.plot_national_context(claims.national_context(figures, DISTRICT), DISTRICT))
        display.since_table(figures), display.sources_table(figures), claims.missing_ssocs_message(None)
    finally:
        watching.clear()
    assert opened == []
