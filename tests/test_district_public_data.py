"""The public-data district report on the shipped SYNTHETIC example district: its numbers checked by hand from
the generated counts, the district named everywhere (by its profile, or by the CRDC files' LEA_NAME for a
district without one), missing data folded into one plain note, and one built page."""

import math

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from sro_research.analysis.crdc_rates import school_cells
from sro_research.district import load_profile
from sro_research.readers.crdc import read_crdc
from sro_research.readers.crdc_layouts import LAYOUTS
from sro_research.reports import district_public_data as dpd
from sro_research.reports.annual_review_format import RACE_LABELS
from sro_research.reports import district_public_data_tables as dpt
from sro_research.synthetic import crdc as synthetic

THRESHOLD = 10


@pytest.fixture(scope="module")
def example():
    profile = load_profile("example")
    crdc = read_crdc(profile.folder("crdc"))
    return profile, crdc, dpd.district_data(crdc, dpd.subject(profile, None, crdc), THRESHOLD)


def _raw(profile, year, name):
    """The shipped file as written, read by hand (not through the reader), the district's rows only."""
    path = synthetic.school_folder(profile.folder("crdc"), year) / name
    table = pd.read_csv(path, dtype={"LEAID": str, "SCHID": str}, encoding=synthetic.ENCODINGS[year])
    return table[table["LEAID"] == profile.leaid]


def _referred(rows, race):
    return sum(rows[f"SCH_DISCWODIS_REF_{race}_{s}"].sum() + rows[f"SCH_DISCWDIS_REF_IDEA_{race}_{s}"].sum() for s in "MF")


def test_a_rate_and_a_risk_ratio_match_the_generated_counts_by_hand(example):
    profile, _, data = example
    assert data.latest == "2021-22"
    referrals = _raw(profile, "2021-22", "Referrals and Arrests.csv")
    enrollment = _raw(profile, "2021-22", "Enrollment.csv")
    black, white = _referred(referrals, "BL"), _referred(referrals, "WH")
    black_n = enrollment["SCH_ENR_BL_M"].sum() + enrollment["SCH_ENR_BL_F"].sum()  # nonbinary students: not in the counts
    white_n = enrollment["SCH_ENR_WH_M"].sum() + enrollment["SCH_ENR_WH_F"].sum()
    frame = data.results["2021-22"][("district", "referred")].measures["race"].set_index("group")
    assert frame.loc["black", "shown"] and frame.loc["white", "shown"]
    assert frame.loc["black", "risk"] == pytest.approx(100 * black / black_n)
    ratio = (black / black_n) / (white / white_n)
    se = math.sqrt(1 / black - 1 / black_n + 1 / white - 1 / white_n)  # Katz
    assert frame.loc["black", "rr_reference"] == pytest.approx(ratio)
    assert frame.loc["black", "rr_reference_low"] == pytest.approx(ratio * math.exp(-1.959964 * se), rel=1e-5)
    assert frame.loc["black", "rr_reference_high"] == pytest.approx(ratio * math.exp(1.959964 * se), rel=1e-5)
    shown = dpt.comparison_tables(data)[0][0]
    assert shown.attrs["labels"]["District: ratio (95% CI)"] == "Example Valley: ratio (95% CI)"  # CSV: district_ratio_...
    table = dict(zip(*(shown[c] for c in ("Race/ethnicity", "District: ratio (95% CI)"))))
    assert table["Black"] == f"{ratio:.2f} ({ratio * math.exp(-1.959964 * se):.2f} to {ratio * math.exp(1.959964 * se):.2f})"
    everyone = sum(_referred(referrals, r) for r in ("HI", "AM", "AS", "HP", "BL", "WH", "TR"))
    enrolled = sum(enrollment[f"SCH_ENR_{r}_{s}"].sum() for r in ("HI", "AM", "AS", "HP", "BL", "WH", "TR") for s in "MF")
    assert data.totals["2021-22"][("district", "referred")][0] == pytest.approx(100 * everyone / enrolled)


def test_officers_and_matching_coverage_follow_the_files(example):
    profile, _, data = example
    staff = data.rates["2017-18"].staff.set_index("scope").loc["district"]
    assert (staff["schools_with_officer"], staff["law_enforcement_fte"]) == (3, 4.0)
    later = data.rates["2021-22"].staff.set_index("scope").loc["district"]
    assert (later["schools_with_officer"], later["law_enforcement_fte"]) == (1, 1.0)
    schools = data.rates["2017-18"].cells.groupby(["scope", "coverage"])["schools"].first()
    # the elementary school whose 2017-18 arrest count is withheld (-11) is left out of arrests, not referrals
    assert (schools[("district", "referred")], schools[("district", "arrested")]) == (6, 5)
    reserve = dpt.reserve_table(data)
    assert reserve[(reserve["CRDC year"] == "2017-18")].iloc[0][["Reserve code", "Schools"]].tolist() == [-11, 1]


def test_every_label_names_the_district_its_state_and_never_another_district(example):
    _, _, data = example
    tables = [t for t, _, _ in dpt.comparison_tables(data)] + [dpt.staff_table(data), dpt.coverage_table(data),
                                                                 dpt.trend_table(data)]
    text = " ".join(" ".join(t.attrs.get("labels", {}).values()) + " " + t.to_string() for t in tables)
    findings = " ".join(f[0] for f in dpd.key_findings(data))
    assert "Example Valley" in text and "Wisconsin" in text and "Example Valley" in findings
    for word in ("Minneapolis", "MPS", "Minnesota", "Hennepin"):
        assert word not in text + findings + dpd.method_note(data) + dpd.limits_markdown(data)
    assert dpd.data_status(data, [])[0] == "synthetic" and "invented" in dpd.synthetic_notice(data)


def test_a_district_without_a_profile_is_named_by_the_crdc_files(example):
    profile, crdc, _ = example
    other = crdc["2021-22"].schools
    leaid = sorted(set(other.loc[(other["LEA_STATE"] == "WI") & (other["LEAID"] != profile.leaid), "LEAID"]))[1]
    who = dpd.subject(profile, leaid, crdc)
    assert who.name.startswith("SYNTHETIC") and who.name.endswith("SCHOOL DISTRICT") and not who.from_profile
    assert who.state_name == "Wisconsin"
    data = dpd.district_data(crdc, who, THRESHOLD)
    assert list(dpt.staff_table(data)["Scope"])[0] == who.short
    assert all(who.short in f[0] or "NCES" in f[0] for f in dpd.key_findings(data))
    with pytest.raises(ValueError, match="LEA id 0000001: no school"):
        dpd.subject(profile, "0000001", crdc)


def test_a_missing_crdc_year_and_missing_ssocs_files_fold_into_one_plain_note(tmp_path):
    profile = load_profile("example")
    synthetic.write_example_folder(tmp_path, profile.leaid, profile.name, profile.state, years=["2017-18", "2021-22"])
    crdc = read_crdc(tmp_path)
    data = dpd.district_data(crdc, dpd.subject(profile, None, crdc), THRESHOLD)
    assert sorted(data.rates) == ["2017-18", "2021-22"] and sorted(data.absent) == ["2015-16", "2020-21"]
    note = dpd.absent_note(data, dpt.ssocs_missing_words([], None))
    assert note.startswith("**Not in this report for Example Valley.**")
    assert "CRDC 2015-16: no files for this year" in note and "CRDC 2020-21" in note and "SSOCS" in note
    assert "SSOCS" not in dpd.absent_note(data, None)
    assert list(dpt.trend_table(data)["CRDC year"].unique()) == ["2017-18", "2021-22"]
    assert dpt.ssocs_table(data, None, dict(profile.peer_group)) is None


def test_a_district_with_only_a_juvenile_justice_facility_or_no_crdc_folder_gets_the_note(tmp_path):
    profile = load_profile("example")
    jj = synthetic.School("WI", "5500777", "00001", "SYNTHETIC COUNTY JUVENILE CENTER", 60, "Yes",
                          lea_name="SYNTHETIC COUNTY JUVENILE SERVICES")
    others = synthetic.example_schools(profile.leaid, profile.name, profile.state)
    synthetic.write_year(tmp_path, "2021-22", [*others, jj], seed=1)
    crdc = read_crdc(tmp_path)
    data = dpd.district_data(crdc, dpd.subject(profile, "5500777", crdc), THRESHOLD)
    assert data.latest is None and "juvenile-justice" in data.absent["2021-22"]
    assert [f[0][:40] for f in dpd.key_findings(data)] == ["No CRDC year read has a counted school w"]
    nothing = dpd.district_data({}, dpd.subject(profile, None, {}), THRESHOLD)
    assert "No CRDC files were given to this build" in dpd.absent_note(nothing, None)
    assert dpd.key_findings(nothing)[0][0].startswith("No CRDC year read has a counted school")


def test_ssocs_years_follow_the_crdc_years():
    available = ["2005-06", "2007-08", "2015-16", "2017-18", "2019-20"]
    assert dpt.ssocs_years_needed(list(LAYOUTS), available) == ["2015-16", "2017-18", "2019-20"]
    assert dpt.ssocs_year_for("2021-22", available) == "2019-20"
    assert dpt.ssocs_years_needed(["2021-22"], []) == []


def test_the_built_page_names_the_example_district_says_synthetic_and_never_minneapolis(example_district_site):
    """`sro-research build --district example`: the one report its data allow, every word of it about the example."""
    html = (example_district_site / "district_public_data.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    text = soup.get_text(" ")
    assert soup.title.get_text().startswith("Synthetic demonstration data: Example Valley School District")
    assert "Example Valley School District" in soup.h1.get_text()
    findings = soup.select_one(".sro-key-findings").get_text(" ")
    assert "Example Valley" in findings and findings.count("Synthetic demonstration data") >= 3
    assert "Wisconsin" in text and "SYNTHETIC" in text
    for word in ("Minneapolis", "MPS", "Hennepin"):
        assert word not in text, word
    figures = soup.select("img.sro-figure")
    assert len(figures) == 2 and all("synthetic" in img["alt"].lower() and "Example Valley" in img["alt"] for img in figures)
    tables = example_district_site / "tables" / "district_public_data"
    trend = pd.read_csv(tables / "trend.csv")
    assert set(trend["data_status"]) == {"synthetic demonstration data"}
    assert sorted(trend["crdc_year"].unique()) == list(LAYOUTS)
    referred = pd.read_csv(tables / "referred_race.csv")  # field names stable whatever the district
    assert {"district_per_100_95_pct_ci", "state_ratio_95_pct_ci"} <= set(referred.columns)
    index = (example_district_site / "index.html").read_text(encoding="utf-8")
    assert "Minneapolis" not in index and "Example Valley" in index


def test_school_clustered_rates_pool_the_same_counts_and_hide_what_the_tables_hide(example):
    profile, crdc, data = example
    frame = data.clustered["referred"].set_index("race")
    katz = data.results["2021-22"][("district", "referred")].measures["race"].set_index("group")
    # the working model's point estimates are the pooled rates: the same as the students' risks above
    assert frame.loc["black", "risk"] == pytest.approx(katz.loc["black", "risk"])
    assert frame.loc["black", "rr_reference"] == pytest.approx(katz.loc["black", "rr_reference"])
    assert frame.attrs["clusters"] == 6 and frame.attrs["phi"] > 0
    cells = school_cells(crdc["2021-22"], profile.leaid, "referred")
    table = data.results["2021-22"][("district", "referred")].tables["race"].counts
    assert (cells["referred"].sum(), cells["enrolled"].sum()) == (table.loc["Total", "yes"], table.loc["Total", "Total"])
    assert set(cells["COMBOKEY"].str[:7]) == {profile.leaid}
    table = dpt.clustered_table(data)
    hidden = set(katz.index[~katz["shown"]])
    rows = table[table["Measure"] == "Referred to law enforcement"].set_index("Race/ethnicity")
    assert all(rows.loc[RACE_LABELS[race], "Per 100 students, school-clustered (95% CI)"] == "suppressed" for race in hidden)
    assert rows.loc["Black", "Per 100 students, school-clustered (95% CI)"].startswith(f"{katz.loc['black', 'risk']:.2f} (")
    assert "6 schools" in dpt.clustered_note(data)
