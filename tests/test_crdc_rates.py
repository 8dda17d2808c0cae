"""CRDC rates computed once per year: like-for-like scopes, matching coverage, breakdowns under suppression and audit.

A hand-built year gives worked examples (every number below follows from the counts written in `_year`);
the SYNTHETIC fixture in the published layouts checks the rules against the files themselves.
"""

import pandas as pd
import pytest

from sro_research.analysis import crdc_breakdowns as cb
from sro_research.analysis.crdc_rates import CrdcScopeError, crdc_rates
from sro_research.privacy.suppression import TOTAL, check_suppressed_table
from sro_research.readers.crdc import LAYOUTS, CrdcYear, read_crdc_year
from sro_research.readers.incidents import RACES
from sro_research.readers.text_files import detect_encoding
from tests.conftest import FIXTURES

CRDC = FIXTURES / "crdc"
LEAID = "2721240"
THRESHOLD = 10
# COMBOKEY -> (LEAID, state, juvenile-justice facility, in the 50 states and DC)
SCHOOLS = {"272124000001": (LEAID, "MN", False, True), "272124000002": (LEAID, "MN", False, True),
           "279999900001": ("2799999", "MN", True, True), "559999900001": ("5599999", "WI", False, True),
           "729999900001": ("7299999", "PR", False, False)}


def _year() -> CrdcYear:
    """Every school: 100 enrolled per race and sex, 15 of them with disabilities; referred 5 (black) or 2
    (others) without disabilities and 3 or 1 with; arrested 1 per cell. School 2's referral of Black girls
    with disabilities is a reserve code (-11)."""
    rows = []
    for key, (leaid, state, _, _) in SCHOOLS.items():
        for race in RACES:
            for sex in ("male", "female"):
                base = {"COMBOKEY": key, "LEAID": leaid, "LEA_STATE": state, "race": race, "sex": sex}
                rows += [{**base, "measure": "enrolled", "disability": "all", "count": 100.0},
                         {**base, "measure": "enrolled", "disability": "with", "count": 15.0}]
                for disability, black, other in (("without", 5.0, 2.0), ("with", 3.0, 1.0)):
                    rows.append({**base, "measure": "referred", "disability": disability,
                                 "count": black if race == "black" else other})
                    rows.append({**base, "measure": "arrested", "disability": disability, "count": 1.0})
                    rows.append({**base, "measure": "suspended_out_of_school", "disability": disability, "count": 4.0})
    counts = pd.DataFrame(rows)
    counts["reserve_code"] = pd.array([pd.NA] * len(counts), dtype="Int64")
    reserved = ((counts["COMBOKEY"] == "272124000002") & (counts["measure"] == "referred") & (counts["race"] == "black")
                & (counts["sex"] == "female") & (counts["disability"] == "with"))
    counts.loc[reserved, "count"] = float("nan")
    counts.loc[reserved, "reserve_code"] = -11
    schools = pd.DataFrame([{"COMBOKEY": k, "LEAID": v[0], "LEA_STATE": v[1], "SCH_NAME": f"SYNTHETIC {k}", "jj": v[2],
                             "in_50_states_dc": v[3]} for k, v in SCHOOLS.items()])
    staff = schools[["COMBOKEY", "LEAID", "LEA_STATE"]].assign(law_enforcement_fte=[1.0, 0.0, 2.0, 1.0, 5.0],
                                                              security_guard_fte=[0.5, 1.0, 3.0, 0.0, 1.0])
    reserve = pd.DataFrame([{"file": "Referrals and Arrests.csv", "column": "SCH_DISCWDIS_REF_IDEA_BL_F",
                             "reserve_code": -11, "meaning": "suppressed data", "schools": 1}])
    return CrdcYear("2017-18", counts, staff, reserve, {}, schools)


def _cells(rates, scope, coverage):
    return rates.cells[(rates.cells["scope"] == scope) & (rates.cells["coverage"] == coverage)]


def test_numerator_and_denominator_cover_the_same_schools():
    rates = crdc_rates(_year(), LEAID)
    referred = _cells(rates, "district", "referred")
    # school 2 has a reserve code in referrals: left out of the referral count AND of its enrollment
    assert referred["schools"].iloc[0] == 1 and referred["enrolled"].sum() == 14 * 100
    black = referred[referred["race"] == "black"]
    assert black["referred"].sum() == 2 * (5 + 3) and black["enrolled"].sum() == 200
    arrested = _cells(rates, "district", "arrested")  # no reserve code there: both schools
    assert arrested["schools"].iloc[0] == 2 and arrested["enrolled"].sum() == 2 * 14 * 100
    left = rates.coverage.set_index(["scope", "coverage", "reason"])
    assert left.loc[("district", "referred", "reserve"), ["schools", "students"]].tolist() == [1, 1400]
    assert left.loc[("district", "arrested", "reserve"), "schools"] == 0


def test_like_for_like_nation_and_state_leave_out_territories_and_juvenile_justice():
    rates = crdc_rates(_year(), LEAID)
    left = rates.coverage.set_index(["scope", "coverage", "reason"])
    assert left.loc[("nation", "arrested", "outside"), ["schools", "students"]].tolist() == [1, 1400]
    assert left.loc[("nation", "arrested", "jj"), "schools"] == 1 and left.loc[("state", "arrested", "jj"), "schools"] == 1
    assert left.loc[("state", "arrested", "outside"), "schools"] == 0
    assert _cells(rates, "nation", "arrested")["schools"].iloc[0] == 3  # two district schools and Wisconsin's
    assert _cells(rates, "state", "arrested")["schools"].iloc[0] == 2
    staff = rates.staff.set_index("scope")
    assert staff.loc["nation", "law_enforcement_fte"] == 2.0 and staff.loc["nation", "schools"] == 3
    assert staff.loc["state", "security_guard_fte"] == 1.5
    with pytest.raises(CrdcScopeError, match="no school with LEAID 9999999"):
        crdc_rates(_year(), "9999999")


def test_disability_and_sex_denominators():
    rates = crdc_rates(_year(), LEAID)
    assert rates.disability_enrollment
    cells = _cells(rates, "district", "arrested").set_index(["race", "sex", "disability"])
    assert cells.loc[("white", "male", "with"), "enrolled"] == 2 * 15
    assert cells.loc[("white", "male", "without"), "enrolled"] == 2 * 85
    result = cb.breakdowns(rates, "nation", "referred", THRESHOLD)
    disability = result.measures["disability"].set_index("group")
    # nation, referred: schools 1 and Wisconsin's (school 2 reserved); with: 2 x 14 x 15 enrolled, (3 x 2 + 1 x 12) x 2 referred
    assert disability.loc["with", "risk"] == pytest.approx(100 * 36 / 420)
    assert disability.loc["without", "risk"] == pytest.approx(100 * 2 * (5 * 2 + 2 * 12) / (2 * 14 * 85))
    assert disability.loc["with", "rr_reference"] == pytest.approx((36 / 420) / (68 / 2380))
    sex = result.measures["sex"].set_index("group")
    assert sex.loc["male", "risk"] == pytest.approx(sex.loc["female", "risk"])  # the same counts for both sexes


def test_fixture_totals_match_the_file_over_covered_schools():
    year = read_crdc_year(CRDC, "2017-18")
    rates = crdc_rates(year, LEAID)
    path = CRDC / "2017-18" / LAYOUTS["2017-18"].published_folder / "Referrals and Arrests.csv"
    raw = pd.read_csv(path, dtype=str, encoding=detect_encoding(path))
    district = raw[raw["LEAID"] == LEAID]
    referral_columns = [c for c in raw.columns if "_REF_" in c]
    complete = district[referral_columns].astype(int).ge(0).all(axis=1)
    black = [c for c in referral_columns if c.split("_")[-2] == "BL"]
    expected = district.loc[complete, black].astype(int).to_numpy().sum()
    cells = _cells(rates, "district", "referred")
    assert cells.loc[cells["race"] == "black", "referred"].sum() == expected
    assert cells["schools"].iloc[0] <= complete.sum()


def test_breakdowns_are_suppressed_and_audited_together():
    rates = crdc_rates(read_crdc_year(CRDC, "2017-18"), LEAID)
    result = cb.breakdowns(rates, "district", "referred", THRESHOLD)
    assert set(result.tables) == set(cb.BREAKDOWNS)
    for table in result.tables.values():
        check_suppressed_table(table)
        shown = table.counts[~table.hidden].stack().dropna()
        assert (shown >= THRESHOLD).all()
    assert result.audit.smallest_range >= THRESHOLD or result.audit.hidden_cells == 0
    for name, measures in result.measures.items():
        visible = measures[measures["shown"]]
        assert (visible["count"] >= THRESHOLD).all(), name
        assert measures.loc[~measures["shown"], ["risk", "rr_reference"]].isna().all().all(), name
    # the grand total is the same in every table
    totals = {t.counts.loc[TOTAL, TOTAL] for t in result.tables.values()}
    assert len(totals) == 1


def test_the_audit_reads_aggregate_counts_as_it_reads_respondents():
    """privacy.disclosure.protect with `weight`: a row standing for n students gives the audit the same
    ranges as n one-student rows (CRDC files are aggregates)."""
    from sro_research.privacy.disclosure import cell, protect

    counts = pd.DataFrame({"race": ["a", "a", "b", "b"], "outcome": ["yes", "no", "yes", "no"], "n": [3, 40, 12, 50]})
    people = counts.loc[counts.index.repeat(counts["n"]), ["race", "outcome"]]
    categories = {"race": ["a", "b"], "outcome": ["yes", "no"]}
    cells = [cell("t", (r, o), r == "a" and o == "yes", race={r}, outcome={o}) for r in "ab" for o in ("yes", "no")]
    cells += [cell("t", ("all", o), False, outcome={o}) for o in ("yes", "no")]
    weighted, audit = protect(counts, categories, cells, THRESHOLD, weight="n")
    expanded, expected = protect(people, categories, cells, THRESHOLD)
    assert [c.hidden for c in weighted] == [c.hidden for c in expanded]
    assert audit.ranges == expected.ranges and audit.newly_hidden  # the lone hidden cell needed company


def test_nonbinary_enrollment_without_discipline_counts_is_left_out_and_said():
    """2021-22 enrollment counts nonbinary students; the discipline counts do not: they leave the denominators."""
    year = read_crdc_year(CRDC, "2021-22")
    rates = crdc_rates(year, LEAID)
    left = rates.coverage.set_index(["scope", "coverage", "reason"])
    students = left.loc[("district", "arrested", "sex"), "students"]
    counts = year.counts
    district = counts[(counts["LEAID"] == LEAID) & (counts["measure"] == "enrolled") & (counts["disability"] == "all")]
    assert students == district.loc[district["sex"] == "nonbinary", "count"].sum() > 0
    assert set(_cells(rates, "district", "arrested")["sex"]) == {"female", "male"}
