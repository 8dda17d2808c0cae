"""SSOCS reader, harmonization and estimate table: NCES's own published numbers are the check."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from sro_research.readers import ssocs
from sro_research.paths import project_root
from sro_research.provenance import recorded_inputs
from sro_research.readers.published import load_published


def _data_folder() -> Path | None:
    # $SSOCS_DIR, else the development copy beside the checkout (../shared/data/ssocs).
    beside = project_root().parent / "shared" / "data" / "ssocs"
    return ssocs.find_ssocs_dir() or (beside if beside.is_dir() else None)


SSOCS = _data_folder()
needs_data = pytest.mark.skipif(
    SSOCS is None or len(ssocs.available_years(SSOCS)) < len(ssocs.YEARS),
    reason="the NCES SSOCS public-use files are not available (set SSOCS_DIR)",
)


@pytest.fixture(scope="module")
def frame():
    if SSOCS is None:
        pytest.skip("no SSOCS folder")
    return ssocs.load_ssocs(ssocs_dir=SSOCS)


@pytest.fixture(scope="module")
def table(frame):
    return ssocs.estimate_table(data=frame)


# -- NCES Digest Table 233.70a, 2015-16, to the printed decimal ----------------------------------

DIGEST_MEASURES = {
    "security_staff_full_time_pct": "security_full_time",
    "security_staff_part_time_only_pct": "security_part_time_only",
}


def digest_domain(group: str) -> tuple[str, str]:
    if group == ssocs.ALL_SCHOOLS:
        return "all", group
    for variable, labels in (("level", ssocs.LEVELS), ("level_grouped", ssocs.LEVEL_GROUPS), ("enrollment_size", ssocs.SIZES)):
        if group in labels:
            return variable, group
    raise AssertionError(f"Digest 233.70a group {group!r} has no SSOCS domain")


@needs_data
@pytest.mark.ssocs
def test_2015_16_matches_digest_233_70a_to_the_printed_decimal(table):
    digest = load_published("nces_digest_233_70a")
    rows = digest[(digest["school_year"] == "2015-16") & digest["value"].notna()]
    assert len(rows) >= 16  # every 2015-16 cell that was transcribed
    for _, row in rows.iterrows():
        variable, value = digest_domain(row["group"])
        hit = table[
            (table["year"] == "2015-16")
            & (table["indicator"] == DIGEST_MEASURES[row["measure"]])
            & (table["domain_variable"] == variable)
            & (table["domain_value"] == value)
        ]
        assert len(hit) == 1, row["figure_id"]
        got = hit.iloc[0]
        assert round(got["estimate"], 1) == pytest.approx(row["value"]), f"{row['figure_id']} {row['group']} estimate"
        assert round(got["se"], 2) == pytest.approx(row["se"]), f"{row['figure_id']} {row['group']} SE"


@needs_data
@pytest.mark.ssocs
def test_other_published_nces_figures(table, frame):
    published = load_published("ssocs_published_tables")

    def ours(year, indicator, variable="all", value=ssocs.ALL_SCHOOLS):
        hit = table[(table.year == year) & (table.indicator == indicator) & (table.domain_variable == variable) & (table.domain_value == value)]
        assert len(hit) == 1
        return hit.iloc[0]

    # Washington Times (2018) percentages from NCES's 2015-16 release, printed as whole percents.
    measures = {"sro_pct": "any_sro", "sworn_law_enforcement_pct": "sworn_law_enforcement", "security_staff_pct": "any_security_staff"}
    checked = 0
    for _, row in published[published["source_id"] == "washtimes_2018_03_29"].iterrows():
        indicator = measures[row["measure"]]
        if row["school_year"] not in ssocs.INDICATOR_YEARS[indicator]:
            continue  # 2015-16 SRO share: the public file has no SRO-only item
        assert round(ours(row["school_year"], indicator)["estimate"]) == row["value"], row["figure_id"]
        checked += 1
    assert checked == 5
    # Weighted counts, printed to the nearest hundred schools.
    hs_2005 = ours("2005-06", "any_sro", "level", "High school")
    assert round(hs_2005["weighted_n"], -2) == 11_700
    assert round(hs_2005["estimate"] / 100 * hs_2005["weighted_n"], -2) == 7_200
    for group, variable in (("All public schools", "all"), ("City", "locale"), ("Suburb", "locale"), ("Rural", "locale"), ("Primary", "level"), ("High school", "level")):
        row = published[(published.figure_id.str.startswith("G")) & (published.measure == "security_staff_schools") & (published.school_year == "2015-16") & (published.group == group)].iloc[0]
        got = ours("2015-16", "any_security_staff", variable, group)
        assert round(got["estimate"] / 100 * got["weighted_n"], -2) == row["value"], group


@needs_data
@pytest.mark.ssocs
def test_harmonized_frame_matches_the_readme(frame):
    sums = frame.groupby("year")["FINALWGT"].sum().round(1).to_dict()
    assert sums == {"2005-06": 83226.5, "2007-08": 82999.2, "2015-16": 83591.7, "2017-18": 82287.8, "2019-20": 83109.4}
    assert frame.groupby("year").size().to_dict() == {"2005-06": 2724, "2007-08": 2560, "2015-16": 2092, "2017-18": 2762, "2019-20": 2370}
    y20 = frame[frame.year == "2019-20"]
    assert (y20["sworn_law_enforcement"] == 1).sum() == 1614 and (y20["sworn_law_enforcement"] == 0).sum() == 756
    assert not frame.duplicated(["year", "school_id"]).any()
    # Indicators a year does not measure are missing, not zero.
    assert frame.loc[frame.year == "2007-08", "sworn_law_enforcement"].isna().all()
    assert frame.loc[frame.year != "2005-06", "any_sro"].isna().all()
    # Full-time and part-time-only never overlap, and together make "any security staff".
    both = frame["security_full_time"] + frame["security_part_time_only"]
    assert (both == frame["any_security_staff"]).all()
    # Don't-know minority (FR_CATMN = -8, 76 schools in 2005-06) is missing, not a category.
    assert frame.loc[frame.year == "2005-06", "minority"].isna().sum() == 76
    assert frame.loc[frame.year == "2017-18", "high_minority"].isna().all()
    assert set(frame["level"].dropna()) == set(ssocs.LEVELS)
    assert frame[ssocs.REPWEIGHTS].notna().all().all()


@needs_data
@pytest.mark.ssocs
def test_every_file_read_is_recorded_with_its_checksum(frame):
    recorded = {entry["name"]: entry["sha256"] for entry in recorded_inputs()}
    for year, name in ssocs.expected_files().items():
        assert len(recorded[name]) == 64, year


# -- the estimate table ---------------------------------------------------------------------------


@needs_data
@pytest.mark.ssocs
def test_estimate_table_shape_and_contents(table):
    assert list(table.columns) == ssocs.ESTIMATE_COLUMNS
    for year in ssocs.YEARS:
        for indicator in ("security_full_time", "security_part_time_only"):
            for variable, labels in (("level", ssocs.LEVELS), ("enrollment_size", ssocs.SIZES)):
                rows = table[(table.year == year) & (table.indicator == indicator) & (table.domain_variable == variable)]
                assert sorted(rows["domain_value"]) == sorted(labels), (year, indicator, variable)
    # Measured only where the year asks it.
    assert set(table.loc[table.indicator == "any_sro", "year"]) == {"2005-06"}
    assert set(table.loc[table.indicator == "sworn_law_enforcement", "year"]) == {"2005-06", "2015-16", "2017-18", "2019-20"}
    assert set(table.loc[table.domain_variable == "minority", "year"]) == {"2005-06", "2007-08", "2019-20"}
    assert ((table.ci_low <= table.estimate) & (table.estimate <= table.ci_high)).all()
    assert table["ci_low"].min() >= 0 and table["ci_high"].max() <= 100
    assert set(table["flag"]) <= {"", "!", "‡"}
    peer = table[table.domain_variable == "peer_group"]
    assert set(peer["year"]) == set(ssocs.YEARS)
    assert peer["domain_value"].str.contains("minority share not in this year's file").sum() > 0


@needs_data
@pytest.mark.ssocs
def test_claims_ledger_calls():
    sro = ssocs.estimate_table(years=["2005-06"], indicators=["any_sro"], domains=["all"], ssocs_dir=SSOCS)
    sworn = ssocs.estimate_table(years=["2015-16"], indicators=["sworn_law_enforcement"], domains=["all"], ssocs_dir=SSOCS)
    assert len(sro) == len(sworn) == 1
    assert round(sro.iloc[0]["estimate"]) == 32 and round(sworn.iloc[0]["estimate"]) == 48
    assert sro.iloc[0]["domain_variable"] == "all" and sro.iloc[0]["domain_value"] == ssocs.ALL_SCHOOLS


@needs_data
@pytest.mark.ssocs
def test_peer_group_is_the_schools_it_says(frame):
    y16 = frame[frame.year == "2015-16"]
    member = ssocs.peer_mask(y16) == 1
    chosen = y16[member]
    assert len(chosen) == 91
    assert (chosen["level"] == "High school").all() and (chosen["locale"] == "City").all()
    assert (chosen["enrollment_size"] == "1,000 or more").all() and (chosen["percent_white"] == "50 percent or less").all()
    loose = ssocs.peer_mask(y16, {"level": "High school", "locale": "City"}) == 1
    assert loose.sum() > member.sum()
    y06 = frame[frame.year == "2005-06"]
    mask06 = ssocs.peer_mask(y06)
    unknown = mask06.isna()
    # Only schools that match on everything else but have a don't-know minority share are unknown.
    assert unknown.sum() > 0 and y06.loc[unknown, "minority"].isna().all()
    assert (y06.loc[unknown, "level"] == "High school").all() and set(mask06.dropna()) == {0.0, 1.0}
    with pytest.raises(ValueError, match="not labels"):
        ssocs.peer_mask(y16, {"locale": "Metropolis"})


# -- errors: missing files, unknown years, wrong layouts, undocumented codes ---------------------


def test_unknown_year_lists_valid_years():
    with pytest.raises(ValueError, match="2005-06, 2007-08, 2015-16, 2017-18, 2019-20"):
        ssocs.load_ssocs(years=["2013-14"], ssocs_dir="/nonexistent")
    with pytest.raises(ValueError, match="no SSOCS years requested"):
        ssocs.estimate_table(years=[], ssocs_dir="/nonexistent")


def test_missing_file_names_file_folder_and_nces(tmp_path):
    with pytest.raises(ssocs.SSOCSFileMissing) as error:
        ssocs.load_ssocs(years=["2015-16"], ssocs_dir=tmp_path)
    message = str(error.value)
    assert "pu_ssocs16.sas7bdat" in message and str(tmp_path) in message and ssocs.NCES_DATA_URL in message


def test_no_folder_says_so(monkeypatch):
    monkeypatch.delenv(ssocs.SSOCS_DIR_ENV, raising=False)
    assert ssocs.find_ssocs_dir() is None and ssocs.available_years() == []
    with pytest.raises(ssocs.SSOCSFileMissing, match="no SSOCS folder was given"):
        ssocs.load_ssocs(years=["2017-18"])


def test_find_ssocs_dir_prefers_the_parameter(tmp_path, monkeypatch):
    other = tmp_path / "env"
    other.mkdir()
    monkeypatch.setenv(ssocs.SSOCS_DIR_ENV, str(other))
    assert ssocs.find_ssocs_dir() == other.resolve()
    assert ssocs.find_ssocs_dir(tmp_path) == tmp_path.resolve()
    with pytest.raises(ssocs.SSOCSFileMissing, match=r"ssocs_dir is '.*missing', which is not a folder"):
        ssocs.find_ssocs_dir(tmp_path / "missing")
    monkeypatch.setenv(ssocs.SSOCS_DIR_ENV, str(tmp_path / "typo"))
    with pytest.raises(ssocs.SSOCSFileMissing, match=r"\$SSOCS_DIR is '.*typo', which is not a folder.*nces.ed.gov"):
        ssocs.find_ssocs_dir()


def synthetic_2017_18(n: int = 12, seed: int = 0) -> pd.DataFrame:
    """A small file with the 2017-18 layout (text-stored level codes, as NCES stores them)."""
    rng = np.random.default_rng(seed)
    layout = ssocs.LAYOUTS["2017-18"]
    data = {
        "SCHID": [f"{i:04d}" for i in range(n)],
        "FINALWGT": rng.uniform(5, 50, n),
        "FR_LVEL": [f" {c}" for c in rng.integers(1, 5, n)],
        "FR_SIZE": rng.integers(1, 5, n).astype(float),
        "FR_URBAN": rng.integers(1, 5, n).astype(float),
        "C0610": rng.integers(1, 3, n).astype(float),
        "SEC_FT18": rng.integers(0, 3, n).astype(float),
        "SEC_PT18": rng.integers(0, 3, n).astype(float),
    }
    for name in layout.repweights:
        data[name] = data["FINALWGT"] * rng.uniform(0.8, 1.2, n)
    return pd.DataFrame(data)


def test_synthetic_file_is_harmonized(tmp_path):
    raw = synthetic_2017_18()
    pyreadstat.write_sav(raw, str(tmp_path / "pu_ssocs18.sav"))
    frame = ssocs.load_ssocs(years=["2017-18"], ssocs_dir=tmp_path)
    assert list(frame["level"].astype(str)) == [ssocs.LEVELS[int(c) - 1] for c in raw["FR_LVEL"]]
    assert list(frame["security_full_time"]) == list((raw["SEC_FT18"] > 0).astype(float))
    expected_pt = ((raw["SEC_FT18"] == 0) & (raw["SEC_PT18"] > 0)).astype(float)
    assert list(frame["security_part_time_only"]) == list(expected_pt)
    assert list(frame["sworn_law_enforcement"]) == list((raw["C0610"] == 1).astype(float))
    table = ssocs.estimate_table(years=["2017-18"], indicators=["sworn_law_enforcement"], domains=["all"], data=frame)
    w = raw["FINALWGT"]
    assert table.iloc[0]["estimate"] == pytest.approx(100 * (w * (raw["C0610"] == 1)).sum() / w.sum())
    assert table.iloc[0]["flag"] in {"", "!", "‡"}


def test_file_with_wrong_layout_is_refused_naming_columns(tmp_path):
    raw = synthetic_2017_18().drop(columns=["C0610", "REPFWT7"])
    pyreadstat.write_sav(raw, str(tmp_path / "pu_ssocs18.sav"))
    with pytest.raises(ssocs.SSOCSLayoutError, match="missing column\\(s\\) C0610, REPFWT7"):
        ssocs.load_ssocs(years=["2017-18"], ssocs_dir=tmp_path)


def test_undocumented_code_is_refused(tmp_path):
    raw = synthetic_2017_18()
    raw.loc[3, "C0610"] = 9
    pyreadstat.write_sav(raw, str(tmp_path / "pu_ssocs18.sav"))
    with pytest.raises(ssocs.SSOCSCodeError, match="C0610: undocumented code"):
        ssocs.load_ssocs(years=["2017-18"], ssocs_dir=tmp_path)


def test_unknown_indicator_or_domain_is_refused():
    with pytest.raises(ValueError, match="unknown indicator"):
        ssocs.estimate_table(indicators=["armed_guards"], data=pd.DataFrame({"year": []}))
    with pytest.raises(ValueError, match="unknown domain"):
        ssocs.estimate_table(domains=["state"], data=pd.DataFrame({"year": []}))


# -- the report's pieces and the notebook itself ---------------------------------------------------


@needs_data
@pytest.mark.ssocs
def test_report_pieces(table):
    from sro_research.reports import nces_comparisons as nc

    check = nc.digest_check(table)
    assert len(check) >= 16 and (check["Same to the printed decimal"] == "yes").all()
    by_level = nc.domain_table(table, "level")
    assert list(by_level["Group"][:4]) == ssocs.LEVELS
    row = table[(table.year == "2015-16") & (table.indicator == "security_full_time") & (table.domain_variable == "all")].iloc[0]
    assert nc.format_estimate(row) == "33.6 (1.31)"
    assert nc.format_estimate(pd.Series({**row, "flag": "‡"})) == "‡"
    assert nc.shown_n(9) == "fewer than 10" and nc.shown_n(91) == "91"
    peer = nc.peer_table(table)
    assert {"Any SRO", "Sworn law enforcement (incl. SROs)"} <= set(peer["Measure"])


def test_published_pieces_need_no_microdata():
    from sro_research.reports import nces_comparisons as nc

    points = nc.published_trend_points()
    assert set(points["year"]) >= {"2009-10", "2013-14"} and points["figure_id"].notna().all()
    hs = nc.published_high_school_sro()
    assert hs.set_index("Year").loc["2005-06", "Percent (computed)"] == round(100 * 7200 / 11700, 1)
    local = nc.local_figures()
    assert local.iloc[0]["Estimate (%)"] == 100.0 and "seven" in local.iloc[0]["As published"]


def run_notebook(tmp_path, monkeypatch, ssocs_dir, **parameters):
    import papermill

    monkeypatch.setenv("SRO_REPORT_NAME", "nces_comparisons")
    monkeypatch.setenv("SRO_TABLES_DIR", str(tmp_path / "tables"))
    if ssocs_dir is None:
        monkeypatch.delenv(ssocs.SSOCS_DIR_ENV, raising=False)
    else:
        monkeypatch.setenv(ssocs.SSOCS_DIR_ENV, str(ssocs_dir))
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(
        str(project_root() / "notebooks" / "nces_comparisons.ipynb"), str(out), cwd=str(project_root()), progress_bar=False,
        parameters=parameters,
    )
    import nbformat

    nb = nbformat.read(out, as_version=4)
    text = "".join(
        str(o.get("data", {}).get("text/html", "")) + str(o.get("data", {}).get("text/markdown", ""))
        for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )
    # Figures go out through reporting.show_figure: a PNG inside an <img> that carries alt text.
    figures = text.count('class="sro-figure"')
    return text, figures, tmp_path / "tables"


@pytest.mark.slow
def test_notebook_without_microdata_shows_published_figures_and_says_what_is_missing(tmp_path, monkeypatch):
    text, figures, tables = run_notebook(tmp_path, monkeypatch, None)
    assert "sro-banner-fallback" in text
    for name in ssocs.expected_files().values():
        assert name in text
    assert ssocs.NCES_DATA_URL in text
    assert figures == 2
    assert not (tables / "ssocs_estimates.csv").exists()
    assert (tables / "published_trend_points.csv").exists()


@needs_data
@pytest.mark.slow
def test_notebook_with_microdata_writes_every_estimate(tmp_path, monkeypatch):
    text, figures, tables = run_notebook(tmp_path, monkeypatch, SSOCS)
    assert "sro-banner-fallback" not in text and figures == 2
    written = pd.read_csv(tables / "ssocs_estimates.csv", keep_default_na=False)
    assert list(written.columns) == ssocs.ESTIMATE_COLUMNS
    assert set(written["year"]) == set(ssocs.YEARS)
    assert "Same to the printed decimal" in text and ">NO<" not in text
    assert "by percent non-Hispanic White enrollment" in text  # captions keep proper nouns capitalized


def test_local_figures_count_mps_schools_from_the_published_figure(tmp_path, monkeypatch):
    from sro_research.reports import nces_comparisons as nc
    from tests.test_published import FOLDER, edit_cell

    root = tmp_path / "project"
    shutil.copytree(FOLDER, root / "data" / "published")
    (root / "reports.toml").write_text("", encoding="utf-8")
    edit_cell(root / "data" / "published", "mps_program_page.csv", "A09", "value", "8")
    edit_cell(root / "data" / "published", "mps_program_page.csv", "A09", "value_text", "eight")
    monkeypatch.setenv("SRO_PROJECT_ROOT", str(root))
    mps = nc.local_figures().iloc[0]
    assert mps["95% CI"] == "none: all 8 schools counted, not a sample"


def test_peer_table_hides_the_se_of_a_suppressed_estimate():
    from sro_research.reports import nces_comparisons as nc

    row = {"year": "2017-18", "indicator": "any_sro", "domain_variable": "peer_group", "domain_value": "x",
           "estimate": 100.0, "se": np.nan, "ci_low": np.nan, "ci_high": np.nan, "cv": np.nan, "n": 1,
           "weighted_n": 5.0, "flag": "‡"}
    peer = nc.peer_table(pd.DataFrame([row]))
    assert peer.iloc[0]["Estimate (%)"] == "‡" and peer.iloc[0]["SE"] == "‡"
    assert peer.iloc[0]["Schools in sample"] == "fewer than 10"


def test_peer_sentences_carry_the_caution_flag():
    from sro_research.reports import nces_comparisons as nc

    base = {"year": "2017-18", "indicator": "sworn_law_enforcement", "cv": 0.32, "weighted_n": 50.0}
    peer = {**base, "domain_variable": "peer_group", "domain_value": "Combined; Town", "estimate": 77.7, "se": 24.5,
            "ci_low": 29.7, "ci_high": 100.0, "n": 40, "flag": "!"}
    high = {**base, "domain_variable": "level", "domain_value": "High school", "estimate": 76.5, "se": 1.47,
            "ci_low": 73.6, "ci_high": 79.4, "n": 997, "flag": ""}
    text = nc.peer_sentences(pd.DataFrame([peer, high]))
    assert "**78%** (interpret with caution: the standard error is 30% to 50% of the estimate; 95% CI 30% to 100%)" in text


def test_downloadable_estimates_hide_sample_sizes_under_the_threshold():
    from sro_research.reports import nces_comparisons as nc
    from sro_research.privacy.suppression import DEFAULT_THRESHOLD

    rows = [{column: 0 for column in ssocs.ESTIMATE_COLUMNS} | {"n": n, "flag": ""} for n in (1, DEFAULT_THRESHOLD - 1, DEFAULT_THRESHOLD, 2724)]
    out = nc.downloadable_estimates(pd.DataFrame(rows))
    assert list(out.columns) == ssocs.ESTIMATE_COLUMNS
    assert out["n"].isna().tolist() == [True, True, False, False]
    assert out["n"].dropna().tolist() == [DEFAULT_THRESHOLD, 2724]


@needs_data
@pytest.mark.slow
def test_notebook_with_no_peer_estimates_shows_no_empty_peer_table(tmp_path, monkeypatch):
    # 2017-18 does not measure any_sro: nothing to put in the peer table, so no empty table.
    text, figures, tables = run_notebook(tmp_path, monkeypatch, SSOCS, years=["2017-18"], indicators=["any_sro"])
    assert "National estimates: schools like MPS high schools" not in text
    assert not (tables / "peer_comparison.csv").exists()


def test_a_missing_published_trend_figure_is_named(tmp_path, monkeypatch):
    from sro_research.reports import nces_comparisons as nc
    from sro_research.readers.published import PublishedDataError
    from tests.test_published import FOLDER

    root = tmp_path / "project"
    shutil.copytree(FOLDER, root / "data" / "published")
    (root / "reports.toml").write_text("", encoding="utf-8")
    path = root / "data" / "published" / "nces_frss_2013_14.csv"
    path.write_text("".join(line for line in path.read_text(encoding="utf-8").splitlines(True) if not line.startswith("F37,")), encoding="utf-8")
    monkeypatch.setenv("SRO_PROJECT_ROOT", str(root))
    with pytest.raises(PublishedDataError, match="F37"):
        nc.published_trend_points()


def test_peer_figure_marks_a_caution_estimate():
    from sro_research.reports import nces_comparisons as nc

    row = {"year": "2017-18", "indicator": "sworn_law_enforcement", "domain_variable": "peer_group", "domain_value": "x",
           "estimate": 77.7, "se": 24.5, "ci_low": 29.7, "ci_high": 100.0, "cv": 0.32, "n": 40, "weighted_n": 50.0, "flag": "!"}
    fig = nc.peer_figure(pd.DataFrame([row]), nc.local_figures())
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "U.S. peer group 2017-18: sworn law enforcement (! interpret with caution)" in labels
