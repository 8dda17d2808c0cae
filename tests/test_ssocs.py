"""SSOCS reader, harmonization and estimate table: NCES's own published numbers are the check."""

from __future__ import annotations


from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from tests.conftest import needs_ssocs
from sro_research.analysis import ssocs_estimates as est
from sro_research.readers import ssocs
from sro_research.paths import project_root
from sro_research.provenance import recorded_inputs
from sro_research.readers.published import load_published




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


@needs_ssocs
@pytest.mark.ssocs
def test_2015_16_matches_digest_233_70a_to_the_printed_decimal(ssocs_table):
    digest = load_published("nces_digest_233_70a")
    rows = digest[(digest["school_year"] == "2015-16") & digest["value"].notna()]
    assert len(rows) >= 16  # every 2015-16 cell that was transcribed
    for _, row in rows.iterrows():
        variable, value = digest_domain(row["group"])
        hit = ssocs_table[
            (ssocs_table["year"] == "2015-16")
            & (ssocs_table["indicator"] == DIGEST_MEASURES[row["measure"]])
            & (ssocs_table["domain_variable"] == variable)
            & (ssocs_table["domain_value"] == value)
        ]
        assert len(hit) == 1, row["figure_id"]
        got = hit.iloc[0]
        assert round(got["estimate"], 1) == pytest.approx(row["value"]), f"{row['figure_id']} {row['group']} estimate"
        assert round(got["se"], 2) == pytest.approx(row["se"]), f"{row['figure_id']} {row['group']} SE"


@needs_ssocs
@pytest.mark.ssocs
def test_other_published_nces_figures(ssocs_table, ssocs_frame):
    published = load_published("ssocs_published_tables")

    def ours(year, indicator, variable="all", value=ssocs.ALL_SCHOOLS):
        hit = ssocs_table[(ssocs_table.year == year) & (ssocs_table.indicator == indicator) & (ssocs_table.domain_variable == variable) & (ssocs_table.domain_value == value)]
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


@needs_ssocs
@pytest.mark.ssocs
def test_harmonized_frame_matches_the_readme(ssocs_frame):
    sums = ssocs_frame.groupby("year")["FINALWGT"].sum().round(1).to_dict()
    assert sums == {"2005-06": 83226.5, "2007-08": 82999.2, "2015-16": 83591.7, "2017-18": 82287.8, "2019-20": 83109.4}
    assert ssocs_frame.groupby("year").size().to_dict() == {"2005-06": 2724, "2007-08": 2560, "2015-16": 2092, "2017-18": 2762, "2019-20": 2370}
    y20 = ssocs_frame[ssocs_frame.year == "2019-20"]
    assert (y20["sworn_law_enforcement"] == 1).sum() == 1614 and (y20["sworn_law_enforcement"] == 0).sum() == 756
    assert not ssocs_frame.duplicated(["year", "school_id"]).any()
    # Indicators a year does not measure are missing, not zero.
    assert ssocs_frame.loc[ssocs_frame.year == "2007-08", "sworn_law_enforcement"].isna().all()
    assert ssocs_frame.loc[ssocs_frame.year != "2005-06", "any_sro"].isna().all()
    # Full-time and part-time-only never overlap, and together make "any security staff".
    both = ssocs_frame["security_full_time"] + ssocs_frame["security_part_time_only"]
    assert (both == ssocs_frame["any_security_staff"]).all()
    # Don't-know minority (FR_CATMN = -8, 76 schools in 2005-06) is missing, not a category.
    assert ssocs_frame.loc[ssocs_frame.year == "2005-06", "minority"].isna().sum() == 76
    assert ssocs_frame.loc[ssocs_frame.year == "2017-18", "high_minority"].isna().all()
    assert set(ssocs_frame["level"].dropna()) == set(ssocs.LEVELS)
    assert ssocs_frame[ssocs.REPWEIGHTS].notna().all().all()


@needs_ssocs
@pytest.mark.ssocs
def test_every_file_read_is_recorded_with_its_checksum(ssocs_frame):
    recorded = {entry["name"]: entry["sha256"] for entry in recorded_inputs()}
    for year, name in ssocs.expected_files().items():
        assert len(recorded[name]) == 64, year


@needs_ssocs
def test_a_load_reads_the_checksum_list_once_and_opens_each_file_once(monkeypatch):
    """One load: SHA256SUMS read once, each data file opened once (hashed and parsed from the same bytes)."""
    import sys

    listings, opened, recording = [], [], [True]
    real_listing = ssocs.known_checksums
    monkeypatch.setattr(ssocs, "known_checksums", lambda: listings.append(1) or real_listing())
    for name in ("read_sav", "read_sas7bdat"):  # pyreadstat opens a path in C, unseen by the audit hook
        real = getattr(pyreadstat, name)
        monkeypatch.setattr(pyreadstat, name, lambda source, *a, _real=real, **k: opened.append(source) or _real(source, *a, **k))
    sys.addaudithook(lambda event, args: opened.append(args[0]) if recording and event == "open" else None)
    try:
        ssocs.load_ssocs(["2015-16", "2017-18"], ssocs.find_ssocs_dir())
    finally:
        recording.clear()
    data_files = [str(item) for item in opened if isinstance(item, (str, Path)) and "pu_ssocs" in str(item)]
    assert len(listings) == 1
    assert sorted(Path(item).name for item in data_files) == ["pu_ssocs16.sas7bdat", "pu_ssocs18.sav"]


# -- the estimate table ---------------------------------------------------------------------------


@needs_ssocs
@pytest.mark.ssocs
def test_estimate_table_shape_and_contents(ssocs_table):
    assert list(ssocs_table.columns) == est.ESTIMATE_COLUMNS
    for year in ssocs.YEARS:
        for indicator in ("security_full_time", "security_part_time_only"):
            for variable, labels in (("level", ssocs.LEVELS), ("enrollment_size", ssocs.SIZES)):
                rows = ssocs_table[(ssocs_table.year == year) & (ssocs_table.indicator == indicator) & (ssocs_table.domain_variable == variable)]
                assert sorted(rows["domain_value"]) == sorted(labels), (year, indicator, variable)
    # Measured only where the year asks it.
    assert set(ssocs_table.loc[ssocs_table.indicator == "any_sro", "year"]) == {"2005-06"}
    assert set(ssocs_table.loc[ssocs_table.indicator == "sworn_law_enforcement", "year"]) == {"2005-06", "2015-16", "2017-18", "2019-20"}
    assert set(ssocs_table.loc[ssocs_table.domain_variable == "minority", "year"]) == {"2005-06", "2007-08", "2019-20"}
    assert ((ssocs_table.ci_low <= ssocs_table.estimate) & (ssocs_table.estimate <= ssocs_table.ci_high)).all()
    assert ssocs_table["ci_low"].min() >= 0 and ssocs_table["ci_high"].max() <= 100
    assert set(ssocs_table["flag"]) <= {"", "!", "‡"}
    peer = ssocs_table[ssocs_table.domain_variable == "peer_group"]
    assert set(peer["year"]) == set(ssocs.YEARS)
    assert peer["domain_value"].str.contains("minority share not in this year's file").sum() > 0


@needs_ssocs
@pytest.mark.ssocs
def test_claims_ledger_calls(ssocs_frame):
    sro = est.estimate_table(years=["2005-06"], indicators=["any_sro"], domains=["all"], data=ssocs_frame)
    sworn = est.estimate_table(years=["2015-16"], indicators=["sworn_law_enforcement"], domains=["all"], data=ssocs_frame)
    assert len(sro) == len(sworn) == 1
    assert round(sro.iloc[0]["estimate"]) == 32 and round(sworn.iloc[0]["estimate"]) == 48
    assert sro.iloc[0]["domain_variable"] == "all" and sro.iloc[0]["domain_value"] == ssocs.ALL_SCHOOLS


@needs_ssocs
@pytest.mark.ssocs
def test_peer_group_is_the_schools_it_says(ssocs_frame):
    y16 = ssocs_frame[ssocs_frame.year == "2015-16"]
    member = est.peer_mask(y16) == 1
    chosen = y16[member]
    assert len(chosen) == 91
    assert (chosen["level"] == "High school").all() and (chosen["locale"] == "City").all()
    assert (chosen["enrollment_size"] == "1,000 or more").all() and (chosen["percent_white"] == "50 percent or less").all()
    loose = est.peer_mask(y16, {"level": "High school", "locale": "City"}) == 1
    assert loose.sum() > member.sum()
    y06 = ssocs_frame[ssocs_frame.year == "2005-06"]
    mask06 = est.peer_mask(y06)
    unknown = mask06.isna()
    # Only schools that match on everything else but have a don't-know minority share are unknown.
    assert unknown.sum() > 0 and y06.loc[unknown, "minority"].isna().all()
    assert (y06.loc[unknown, "level"] == "High school").all() and set(mask06.dropna()) == {0.0, 1.0}
    with pytest.raises(ValueError, match="not labels"):
        est.peer_mask(y16, {"locale": "Metropolis"})


# -- errors: missing files, unknown years, wrong layouts, undocumented codes ---------------------


def test_unknown_year_lists_valid_years():
    with pytest.raises(ValueError, match="2005-06, 2007-08, 2015-16, 2017-18, 2019-20"):
        ssocs.load_ssocs(years=["2013-14"], ssocs_dir="/nonexistent")
    with pytest.raises(ValueError, match="no SSOCS years requested"):
        est.estimate_table(years=[], data=pd.DataFrame({"year": []}))


def test_missing_file_names_file_folder_and_nces(tmp_path):
    with pytest.raises(ssocs.SSOCSFileMissing) as error:
        ssocs.load_ssocs(years=["2015-16"], ssocs_dir=tmp_path)
    message = str(error.value)
    assert "pu_ssocs16.sas7bdat" in message and str(tmp_path) in message and ssocs.NCES_DATA_URL in message


def test_default_folder_is_the_repository_copy(monkeypatch):
    monkeypatch.delenv(ssocs.SSOCS_DIR_ENV, raising=False)
    assert ssocs.find_ssocs_dir() == (project_root() / "data" / "ssocs").resolve()
    assert ssocs.available_years() == list(ssocs.YEARS)
    assert set(ssocs.known_checksums()) == set(ssocs.expected_files().values())


def test_no_folder_says_so(tmp_path, monkeypatch):
    (tmp_path / "reports.toml").write_text("", encoding="utf-8")  # a project without data/ssocs
    monkeypatch.setenv("SRO_PROJECT_ROOT", str(tmp_path))
    monkeypatch.delenv(ssocs.SSOCS_DIR_ENV, raising=False)
    assert ssocs.find_ssocs_dir() is None and ssocs.available_years() == []
    with pytest.raises(ssocs.SSOCSFileMissing, match="no SSOCS folder was given"):
        ssocs.load_ssocs(years=["2017-18"])


def test_a_changed_file_is_refused_by_its_checksum(tmp_path):
    pyreadstat.write_sav(synthetic_2017_18(), str(tmp_path / "pu_ssocs18.sav"))
    with pytest.raises(ssocs.SSOCSChecksumError, match=r"pu_ssocs18.sav: SHA-256 [0-9a-f]{64} is not the recorded b84f2a7e"):
        ssocs.load_ssocs(years=["2017-18"], ssocs_dir=tmp_path)


@needs_ssocs
def test_committed_files_match_the_readme_checksums():
    readme = (project_root() / "data" / "ssocs" / "README.md").read_text(encoding="utf-8")
    for name, digest in ssocs.known_checksums().items():
        assert f"`{name}`" in readme and digest in readme, name


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
    frame = ssocs.load_ssocs(years=["2017-18"], ssocs_dir=tmp_path, verify_checksums=False)
    assert list(frame["level"].astype(str)) == [ssocs.LEVELS[int(c) - 1] for c in raw["FR_LVEL"]]
    assert list(frame["security_full_time"]) == list((raw["SEC_FT18"] > 0).astype(float))
    expected_pt = ((raw["SEC_FT18"] == 0) & (raw["SEC_PT18"] > 0)).astype(float)
    assert list(frame["security_part_time_only"]) == list(expected_pt)
    assert list(frame["sworn_law_enforcement"]) == list((raw["C0610"] == 1).astype(float))
    table = est.estimate_table(years=["2017-18"], indicators=["sworn_law_enforcement"], domains=["all"], data=frame)
    w = raw["FINALWGT"]
    assert table.iloc[0]["estimate"] == pytest.approx(100 * (w * (raw["C0610"] == 1)).sum() / w.sum())
    assert table.iloc[0]["flag"] in {"", "!", "‡"}


def test_file_with_wrong_layout_is_refused_naming_columns(tmp_path):
    raw = synthetic_2017_18().drop(columns=["C0610", "REPFWT7"])
    pyreadstat.write_sav(raw, str(tmp_path / "pu_ssocs18.sav"))
    with pytest.raises(ssocs.SSOCSLayoutError, match="missing column\\(s\\) C0610, REPFWT7"):
        ssocs.load_ssocs(years=["2017-18"], ssocs_dir=tmp_path, verify_checksums=False)


def test_undocumented_code_is_refused(tmp_path):
    raw = synthetic_2017_18()
    raw.loc[3, "C0610"] = 9
    pyreadstat.write_sav(raw, str(tmp_path / "pu_ssocs18.sav"))
    with pytest.raises(ssocs.SSOCSCodeError, match="C0610: undocumented code"):
        ssocs.load_ssocs(years=["2017-18"], ssocs_dir=tmp_path, verify_checksums=False)


def test_unknown_indicator_or_domain_is_refused():
    with pytest.raises(ValueError, match="unknown indicator"):
        est.estimate_table(indicators=["armed_guards"], data=pd.DataFrame({"year": []}))
    with pytest.raises(ValueError, match="unknown domain"):
        est.estimate_table(domains=["state"], data=pd.DataFrame({"year": []}))
