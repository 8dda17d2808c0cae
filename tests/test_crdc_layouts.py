"""The CRDC files as published, on the SYNTHETIC fixture: folders, encodings, reserve codes by year,
column sets (84-column referrals module, the EL rename, nonbinary enrollment), and the dimensions kept
(sex, disability, juvenile-justice facilities, states)."""

import importlib.util
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sro_research.readers.crdc import CrdcLayoutError, read_crdc_year
from sro_research.readers.crdc_layouts import LAYOUTS, RESERVE_CODES, RESERVE_CODES_BY_YEAR
from sro_research.readers.text_files import detect_encoding
from tests.conftest import FIXTURES
from tests.fixtures.crdc.make_fixtures import NON_ASCII_NAME, write_year

CRDC = FIXTURES / "crdc"
BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_crdc_read.py"
PUBLISHED_ENCODINGS = {"2015-16": "cp1252", "2017-18": "cp1252", "2020-21": "utf-8", "2021-22": "utf-8-sig"}


def _path(root, year, name):
    return root / year / LAYOUTS[year].published_folder / name


def _edit(root, year, name, change):
    """Rewrite one fixture file through `change(table)`, in the file's own encoding."""
    path = _path(root, year, name)
    encoding = detect_encoding(path)
    table = pd.read_csv(path, dtype=str, encoding=encoding, keep_default_na=False)
    path.write_bytes(change(table).to_csv(index=False).encode(encoding))


@pytest.fixture
def crdc_copy(tmp_path):
    shutil.copytree(CRDC, tmp_path / "crdc")
    return tmp_path / "crdc"


def test_reserve_codes_by_year_are_the_published_lists():
    assert RESERVE_CODES_BY_YEAR["2015-16"] == {-2, -5, -6, -7, -8, -9}
    assert RESERVE_CODES_BY_YEAR["2017-18"] == {-3, -5, -6, -8, -9, -11}
    assert RESERVE_CODES_BY_YEAR["2020-21"] - RESERVE_CODES_BY_YEAR["2017-18"] == {-4, -13}
    assert RESERVE_CODES_BY_YEAR["2021-22"] - RESERVE_CODES_BY_YEAR["2020-21"] == {-12}
    assert set().union(*RESERVE_CODES_BY_YEAR.values()) <= set(RESERVE_CODES)


@pytest.mark.parametrize("year", list(LAYOUTS))
def test_each_year_reads_from_its_published_folder_and_encoding(year):
    for name in LAYOUTS[year].files:
        assert detect_encoding(_path(CRDC, year, name)) == PUBLISHED_ENCODINGS[year]
    data = read_crdc_year(CRDC, year)
    assert NON_ASCII_NAME in set(data.schools["SCH_NAME"])
    assert data.is_synthetic
    assert set(data.reserve["reserve_code"]) <= RESERVE_CODES_BY_YEAR[year]
    assert data.reserve["meaning"].notna().all()


@pytest.mark.parametrize("year", ["2015-16", "2017-18"])
def test_a_windows_1252_name_far_down_the_file_is_decoded(tmp_path, year):
    write_year(tmp_path, year, padding=700)
    name = next(iter(LAYOUTS[year].files))
    raw = _path(tmp_path, year, name).read_bytes()
    assert raw.find(NON_ASCII_NAME.encode("cp1252")) > 100_000 and raw.isascii() is False
    data = read_crdc_year(tmp_path, year)
    assert data.schools["SCH_NAME"].iloc[-1] == NON_ASCII_NAME
    assert len(data.schools) == 700 + 11


def test_a_file_that_is_neither_utf8_nor_windows_1252_is_an_error_naming_it(crdc_copy):
    path = _path(crdc_copy, "2020-21", "Suspensions.csv")
    path.write_bytes(path.read_bytes().replace(b"SYNTHETIC HIGH A", b"SYNTHETIC HIGH \x81\xff"))
    with pytest.raises(CrdcLayoutError, match=r"Suspensions\.csv: byte [\d,]+ is not UTF-8"):
        read_crdc_year(crdc_copy, "2020-21")


def test_a_reserve_code_the_year_does_not_list_names_file_column_and_code(crdc_copy):
    def suppress(table):  # -11 is 2017-18's suppression code, not 2015-16's (-2)
        table.loc[3, "SCH_DISCWODIS_ARR_BL_F"] = "-11"
        return table
    _edit(crdc_copy, "2015-16", "CRDC 2015-16 School Data.csv", suppress)
    with pytest.raises(CrdcLayoutError) as error:
        read_crdc_year(crdc_copy, "2015-16")
    message = str(error.value)
    assert "CRDC 2015-16 School Data.csv: column SCH_DISCWODIS_ARR_BL_F: reserve code -11" in message
    assert "2015-16 reserve codes are -9, -8, -7, -6, -5, -2" in message


def test_referrals_module_has_84_columns_and_the_english_learner_rename(crdc_copy):
    for year in ("2017-18", "2020-21", "2021-22"):
        header = pd.read_csv(_path(CRDC, year, "Referrals and Arrests.csv"), nrows=0,
                             encoding=PUBLISHED_ENCODINGS[year]).columns
        assert len(header) == 84
        token = "EL" if year == "2021-22" else "LEP"
        assert f"SCH_DISCWODIS_REF_{token}_M" in header and not header.str.contains("_LEP_" if token == "EL" else "_EL_").any()
    # a 2021-22 module file put in the 2020-21 folder is refused: it has _EL_ where 2020-21 has _LEP_
    shutil.copy(_path(CRDC, "2021-22", "Referrals and Arrests.csv"), _path(crdc_copy, "2020-21", "Referrals and Arrests.csv"))
    with pytest.raises(CrdcLayoutError, match="missing column.*SCH_DISCWODIS_REF_LEP_M.*official 2020-21"):
        read_crdc_year(crdc_copy, "2020-21")


def test_nonbinary_enrollment_is_read_in_2021_22_only(crdc_copy):
    counts = read_crdc_year(CRDC, "2021-22").counts
    assert set(counts.loc[counts["measure"] == "enrolled", "sex"]) == {"male", "female", "nonbinary"}
    assert set(counts.loc[counts["measure"] != "enrolled", "sex"]) == {"male", "female"}
    assert "nonbinary" not in set(read_crdc_year(CRDC, "2020-21").counts["sex"])
    shutil.copy(_path(CRDC, "2020-21", "Enrollment.csv"), _path(crdc_copy, "2021-22", "Enrollment.csv"))
    with pytest.raises(CrdcLayoutError, match="missing column.*SCH_ENR_HI_X"):
        read_crdc_year(crdc_copy, "2021-22")


def test_counts_keep_sex_and_disability_as_the_files_give_them():
    data = read_crdc_year(CRDC, "2017-18")
    counts = data.counts.set_index(["COMBOKEY", "measure", "race", "sex", "disability"])["count"]
    enrollment = pd.read_csv(_path(CRDC, "2017-18", "Enrollment.csv"), dtype=str, encoding="cp1252").set_index("COMBOKEY")
    suspensions = pd.read_csv(_path(CRDC, "2017-18", "Suspensions.csv"), dtype=str, encoding="cp1252").set_index("COMBOKEY")
    school = "272124000001"
    assert counts[(school, "enrolled", "black", "female", "all")] == int(enrollment.loc[school, "SCH_ENR_BL_F"])
    assert counts[(school, "enrolled", "black", "female", "with")] == int(enrollment.loc[school, "SCH_IDEAENR_BL_F"])
    assert counts[(school, "suspended_out_of_school", "white", "male", "with")] == (
        int(suspensions.loc[school, "SCH_DISCWDIS_SINGOOS_IDEA_WH_M"]) + int(suspensions.loc[school, "SCH_DISCWDIS_MULTOOS_IDEA_WH_M"]))
    by_measure = data.counts.groupby("measure")["disability"].agg(set)
    assert by_measure["enrolled"] == {"all", "with"}
    assert by_measure["referred"] == by_measure["arrested"] == {"without", "with"}
    # one part of a summed count reserved: the count is missing and carries the code
    cell = data.counts[(data.counts["COMBOKEY"] == "279990100010") & (data.counts["measure"] == "suspended_out_of_school")
                       & (data.counts["race"] == "asian") & (data.counts["sex"] == "female") & (data.counts["disability"] == "with")]
    assert cell["count"].isna().all() and cell["reserve_code"].tolist() == [-3]
    assert str(data.counts["reserve_code"].dtype) == "Int64" and data.counts["reserve_code"].notna().sum() == 2


def test_schools_flag_juvenile_justice_facilities_and_the_50_states_and_dc():
    schools = read_crdc_year(CRDC, "2020-21").schools.set_index("SCH_NAME")
    assert schools["COMBOKEY"].is_unique
    assert schools.loc["SYNTHETIC JUVENILE CENTER", "jj"] and not schools["jj"].drop("SYNTHETIC JUVENILE CENTER").any()
    assert not schools.loc["SYNTHETIC ISLAND HIGH", "in_50_states_dc"]  # Puerto Rico
    assert schools["in_50_states_dc"].sum() == len(schools) - 1
    alabama = schools.loc["SYNTHETIC ALABAMA HIGH"]
    assert (alabama["LEAID"], alabama["COMBOKEY"]) == ("0100001", "010000100070")  # leading zeros kept


def test_bad_juvenile_justice_flag_and_empty_count_name_row_and_column(crdc_copy):
    def blank_jj(table):
        table.loc[1, "JJ"] = "maybe"
        return table
    _edit(crdc_copy, "2021-22", "Suspensions.csv", blank_jj)
    with pytest.raises(CrdcLayoutError, match=r"Suspensions\.csv: row 3, column JJ: not Yes or No") as error:
        read_crdc_year(crdc_copy, "2021-22")
    assert "maybe" not in str(error.value)  # messages never quote a cell

    for cell in ("", "nan"):  # the fast numeric read would take "nan" for a missing value
        def empty(table, cell=cell):
            table.loc[4, "SCH_FTESECURITY_GUA"] = cell
            return table
        _edit(crdc_copy, "2017-18", "School Support.csv", empty)
        with pytest.raises(CrdcLayoutError, match=r"School Support\.csv: row 6, column SCH_FTESECURITY_GUA: not a number"):
            read_crdc_year(crdc_copy, "2017-18")


def test_the_committed_fixture_is_what_its_seeded_generator_writes(tmp_path):
    for year in LAYOUTS:
        write_year(tmp_path, year)
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.csv"))
    committed = sorted(p.relative_to(CRDC) for p in CRDC.rglob("*.csv"))
    assert written == committed
    assert all((tmp_path / p).read_bytes() == (CRDC / p).read_bytes() for p in written)
    assert sum((CRDC / p).stat().st_size for p in committed) < 1_000_000


def test_the_benchmark_file_is_a_2015_16_file_the_reader_reads(tmp_path):
    """bench_crdc_read.py's generator, at a small size: the width asked for, the name in the last row."""
    spec = importlib.util.spec_from_file_location("bench_crdc_read", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    path = bench.write_national_file(tmp_path, schools=60, width=400)
    assert len(pd.read_csv(path, nrows=0, encoding="cp1252").columns) == 400
    data = read_crdc_year(tmp_path, "2015-16")
    assert len(data.schools) == 60 and data.schools["SCH_NAME"].iloc[-1] == NON_ASCII_NAME
    assert data.is_synthetic and data.schools["jj"].sum() == 1
    assert not data.schools.set_index("LEA_STATE").loc["PR", "in_50_states_dc"].any()
