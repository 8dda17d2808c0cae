"""The SYNTHETIC CRDC generator: every year's published layout and encoding, read back by the reader with the
counts it wrote; seeded; the shipped example district's folder is what its command writes."""

import pandas as pd
import pytest

from sro_research.district import load_profile
from sro_research.readers.crdc import read_crdc, read_crdc_year
from sro_research.readers.crdc_layouts import LAYOUTS, RESERVE_CODES_BY_YEAR
from sro_research.readers.text_files import detect_encoding
from sro_research.synthetic import crdc as synthetic


@pytest.fixture(scope="module")
def state_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("state")
    schools = synthetic.write_state_folder(folder, 6, seed=11, neighbours=("MN", "PR"))
    return folder, schools


@pytest.mark.parametrize("year", list(LAYOUTS))
def test_each_year_is_written_in_its_published_folder_and_encoding_and_read_back(state_folder, year):
    folder, schools = state_folder
    for name in LAYOUTS[year].files:
        path = synthetic.school_folder(folder, year) / name
        assert detect_encoding(path) == synthetic.ENCODINGS[year]
    data = read_crdc_year(folder, year)
    assert set(data.schools["COMBOKEY"]) == {s.combokey for s in schools}  # the LEA-level file was skipped
    assert data.is_synthetic and data.schools["SCH_NAME"].str.startswith("SYNTHETIC").all()
    assert set(data.reserve["reserve_code"]) <= RESERVE_CODES_BY_YEAR[year]
    assert set(data.schools.loc[data.schools["jj"], "SCH_NAME"]) == {n for n in (s.name for s in schools) if "JUVENILE" in n}
    assert set(data.schools.loc[~data.schools["in_50_states_dc"], "LEA_STATE"]) == {"PR"}


@pytest.mark.parametrize("year", ["2017-18", "2021-22"])
def test_the_counts_read_back_are_the_counts_generated(state_folder, year):
    folder, schools = state_folder
    year_seed = 11 + 1000 + list(LAYOUTS).index(year)
    table = synthetic.year_table(schools, year, year_seed, synthetic.reserve_cells(schools, year, year_seed))
    data = read_crdc_year(folder, year)
    school = schools[2]
    row = table.set_index("COMBOKEY").loc[school.combokey]
    counts = data.counts[data.counts["COMBOKEY"] == school.combokey]
    referred = counts[(counts["measure"] == "referred") & (counts["race"] == "black") & (counts["sex"] == "male")]
    assert referred.set_index("disability")["count"].to_dict() == {
        "without": row["SCH_DISCWODIS_REF_BL_M"], "with": row["SCH_DISCWDIS_REF_IDEA_BL_M"]}
    enrolled = counts[(counts["measure"] == "enrolled") & (counts["disability"] == "all")]["count"].sum()
    assert enrolled == sum(row[c] for c in table.columns if c.startswith("SCH_ENR_"))
    staff = data.staff.set_index("COMBOKEY").loc[school.combokey]
    assert staff["law_enforcement_fte"] == school.officer_fte


def test_a_state_folder_has_one_lea_id_per_district_under_the_states_code_and_distinct_names(tmp_path):
    schools = synthetic.state_schools("WI", 40, seed=3, neighbours=("MN",))
    in_state = [s for s in schools if s.state == "WI"]
    assert len({s.leaid for s in in_state}) == 40 and all(s.leaid.startswith("55") and len(s.leaid) == 7 for s in in_state)
    assert len({s.lea_name for s in in_state}) == 40
    assert all(s.lea_name.startswith("SYNTHETIC") for s in schools)
    assert len({s.combokey for s in schools}) == len(schools)
    assert [s.leaid[:2] for s in schools if s.state == "MN"] == ["27", "27"]
    assert len(synthetic.district_names(400, synthetic.np.random.default_rng(0))) == len(set(synthetic.district_names(400, synthetic.np.random.default_rng(0))))


def test_the_same_seed_writes_the_same_bytes_and_another_seed_other_counts(tmp_path):
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        synthetic.write_state_folder(tmp_path / name, 3, seed, years=["2020-21"])
    file = "2020-21/CRDC/School/Referrals and Arrests.csv"
    assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()
    assert (tmp_path / "a" / file).read_bytes() != (tmp_path / "c" / file).read_bytes()
    assert list(read_crdc(tmp_path / "a")) == ["2020-21"]


def test_the_shipped_example_folder_is_what_its_command_writes(tmp_path):
    profile = load_profile("example")
    shipped = profile.folder("crdc")
    synthetic.write_example_folder(tmp_path, profile.leaid, profile.name, profile.state)
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.csv"))
    assert written == sorted(p.relative_to(shipped) for p in shipped.rglob("*.csv"))
    assert all((tmp_path / p).read_bytes() == (shipped / p).read_bytes() for p in written)
    assert sum((shipped / p).stat().st_size for p in written) < 500_000
    schools = read_crdc_year(shipped, "2021-22").schools
    own = schools[schools["LEAID"] == profile.leaid]
    assert len(own) == 6 and schools.loc[schools["LEA_STATE"] == profile.state, "LEAID"].nunique() == 9
    assert pd.Series(own["SCH_NAME"]).str.startswith("SYNTHETIC").all()
