"""The CRDC reader on a SYNTHETIC fixture in the public-use school-file layouts, and on broken copies of it."""

import math
import shutil

import pandas as pd
import pytest

from sro_research.readers.crdc import (
    LAYOUTS,
    CrdcLayoutError,
    available_years,
    districts_in_state,
    measure_columns,
    read_crdc,
    read_crdc_year,
    required_columns,
)
from sro_research.readers.text_files import detect_encoding
from tests.conftest import FIXTURES
from tests.fixtures.crdc.make_fixtures import DISTRICT_LEAID

CRDC = FIXTURES / "crdc"


@pytest.fixture
def crdc_copy(tmp_path):
    folder = tmp_path / "crdc"
    shutil.copytree(CRDC, folder)
    return folder


def _school_file(folder, year, name):
    return folder / year / LAYOUTS[year].published_folder / name


def _raw(folder, year, name):
    """The fixture file as pandas reads it (the encodings are the years' published ones)."""
    path = _school_file(folder, year, name)
    return pd.read_csv(path, dtype=str, encoding=detect_encoding(path))


def _rewrite(table, folder, year, name):
    path = _school_file(folder, year, name)
    path.write_bytes(table.to_csv(index=False).encode(detect_encoding(path)))


def test_layouts_use_the_official_column_names():
    """Names as in the CRDC public-use files (seen in public analysis code of those files, see README)."""
    assert "SCH_DISCWODIS_REF_BL_M" in measure_columns("referred")
    assert "SCH_DISCWDIS_REF_IDEA_WH_F" in measure_columns("referred")
    assert "SCH_DISCWODIS_ARR_HI_F" in measure_columns("arrested")
    assert {"SCH_DISCWODIS_SINGOOS_BL_F", "SCH_DISCWODIS_MULTOOS_BL_F",
            "SCH_DISCWDIS_SINGOOS_IDEA_BL_F", "SCH_DISCWDIS_MULTOOS_IDEA_BL_F"} <= set(measure_columns("suspended_out_of_school"))
    assert "SCH_ENR_TR_M" in measure_columns("enrolled")
    assert {"SCH_FTESECURITY_LEO", "SCH_FTESECURITY_GUA"} <= set(required_columns("2017-18", "School Support.csv"))
    assert list(LAYOUTS) == ["2015-16", "2017-18", "2020-21", "2021-22"]
    assert list(LAYOUTS["2015-16"].files) == ["CRDC 2015-16 School Data.csv"]


def test_every_fixture_year_reads_and_is_labelled_synthetic():
    years = read_crdc(CRDC)
    assert list(years) == list(LAYOUTS) == available_years(CRDC)
    for data in years.values():
        assert data.is_synthetic
        assert set(data.counts["measure"]) == {"enrolled", "referred", "arrested", "suspended_out_of_school"}
    assert read_crdc(None) == {}


def test_reserve_codes_become_missing_with_their_reason():
    data = read_crdc_year(CRDC, "2017-18")
    reserve = data.reserve.set_index("column")
    assert reserve.loc["SCH_FTESECURITY_LEO", "reserve_code"] == -9
    assert reserve.loc["SCH_FTESECURITY_LEO", "meaning"] == "not applicable / skipped"
    assert reserve.loc["SCH_DISCWODIS_REF_HP_F", "meaning"] == "suppressed data"
    cell = data.counts[(data.counts["COMBOKEY"] == DISTRICT_LEAID + "00003") & (data.counts["measure"] == "referred")
                       & (data.counts["race"] == "pacific_islander") & (data.counts["sex"] == "female")]
    assert math.isnan(cell["count"].iloc[0]) and cell["reserve_code"].iloc[0] == -11
    assert read_crdc_year(CRDC, "2015-16").reserve["reserve_code"].tolist().count(-2) == 1


def test_a_wrong_layout_names_the_file_the_column_and_the_rule(crdc_copy):
    table = _raw(crdc_copy, "2017-18", "Referrals and Arrests.csv").drop(columns=["SCH_DISCWODIS_ARR_BL_M"])
    _rewrite(table, crdc_copy, "2017-18", "Referrals and Arrests.csv")
    with pytest.raises(CrdcLayoutError) as error:
        read_crdc_year(crdc_copy, "2017-18")
    message = str(error.value)
    assert "Referrals and Arrests.csv" in message and "SCH_DISCWODIS_ARR_BL_M" in message
    assert "official 2017-18 CRDC school-file layout" in message


def test_a_2017_module_file_is_not_a_2015_wide_file(crdc_copy):
    wide = crdc_copy / "2015-16" / "CRDC 2015-16 School Data.csv"
    shutil.copy(_school_file(crdc_copy, "2017-18", "Enrollment.csv"), wide)
    with pytest.raises(CrdcLayoutError, match="missing column"):
        read_crdc_year(crdc_copy, "2015-16")


def test_missing_ambiguous_and_non_numeric_files_are_refused(crdc_copy):
    _school_file(crdc_copy, "2020-21", "Suspensions.csv").unlink()
    with pytest.raises(CrdcLayoutError, match="no school-level file named 'Suspensions.csv'"):
        read_crdc_year(crdc_copy, "2020-21")
    shutil.copy(_school_file(crdc_copy, "2017-18", "Enrollment.csv"), crdc_copy / "2017-18" / "Enrollment.csv")
    read_crdc_year(crdc_copy, "2017-18")  # the one under SCH wins over a copy elsewhere; LEA files are skipped
    (crdc_copy / "2017-18" / "Enrollment.csv").unlink()
    table = _raw(crdc_copy, "2017-18", "Enrollment.csv")
    table.loc[2, "SCH_ENR_BL_F"] = "n/a"
    _rewrite(table, crdc_copy, "2017-18", "Enrollment.csv")
    with pytest.raises(CrdcLayoutError, match=r"row 4, column SCH_ENR_BL_F: not a number"):
        read_crdc_year(crdc_copy, "2017-18")


def test_unknown_year_and_missing_folder(tmp_path):
    with pytest.raises(CrdcLayoutError, match="no CRDC layout for 2019-20"):
        read_crdc_year(CRDC, "2019-20")
    with pytest.raises(FileNotFoundError, match="crdc_dir"):
        available_years(tmp_path / "nowhere")


def test_districts_in_state_lists_the_newest_years_lea_ids_as_text_with_names_and_school_counts(crdc_copy):
    from sro_research.provenance import recording

    with recording() as inputs:
        alabama = districts_in_state(crdc_copy, "al")
    assert alabama == [{"leaid": "0100001", "district_name": "SYNTHETIC DISTRICT 0100001", "schools": 1}]
    assert [i["name"] for i in inputs] == ["Enrollment.csv"] and "2021-22" in inputs[0]["path"]  # newest year, checksummed
    assert [d["leaid"] for d in districts_in_state(crdc_copy, "MN")] == ["2721240", "2799901", "2799902", "2799903"]
    assert districts_in_state(crdc_copy, "ZZ") == []
    for year in ("2017-18", "2020-21", "2021-22"):  # the 2015-16 wide file alone: the same districts
        shutil.rmtree(crdc_copy / year)
    assert districts_in_state(crdc_copy, "AL")[0]["leaid"] == "0100001"
    with pytest.raises(CrdcLayoutError, match="no CRDC school-year folder"):
        districts_in_state(crdc_copy / "2015-16", "AL")
