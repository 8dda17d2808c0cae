"""CRDC counts for one year, computed once: district, state and nation, each rate over the same schools.

Like for like: the nation is the 50 states and DC, and no scope counts a juvenile-justice facility
(the state and the district likewise). Matching coverage: for each measure, a school counts only if
every one of its cells for that measure AND every one of its enrollment cells is reported (no
reserve code), so numerator and denominator always cover the same schools, and the race, sex and
disability breakdowns of a measure all cover the same schools too. What each rule leaves out
(schools, and the students enrolled in them where reported) is kept per scope and measure for the page.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sro_research.readers.crdc import CrdcYear

SCOPES = ("district", "state", "nation")
DISCIPLINE = ("referred", "arrested", "suspended_out_of_school")
# coverage key -> the measures whose cells must all be reported (with enrollment's)
COVERAGE = {**{m: (m,) for m in DISCIPLINE}, "referred_arrested": ("referred", "arrested")}
LEFT_OUT = {"outside": "outside the 50 states and DC", "jj": "juvenile-justice facility",
            "reserve": "a reserve code in the measure's or enrollment's cells",
            "sex": "enrolled as a sex the measure's counts do not report (nonbinary)"}


class CrdcScopeError(ValueError):
    """The district is not in the year's files."""


@dataclass
class CrdcRates:
    """One CRDC year's counts over matching schools, per scope and coverage key; what was left out and why."""

    year: str
    state: str
    cells: pd.DataFrame  # scope, coverage, schools, race, sex, disability, enrolled and the key's measures (summed over covered schools)
    coverage: pd.DataFrame  # scope, coverage, reason, schools, students (students enrolled in the schools left out)
    disability_enrollment: bool  # whether the file has enrollment of students with disabilities (IDEA)
    staff: pd.DataFrame
    synthetic: bool
    reserve_codes: list[str]  # "code (meaning)" of each reserve code in the year's files


def scope_schools(crdc: CrdcYear, leaid: str, state: str | None = None) -> tuple[dict[str, pd.Series], str]:
    """COMBOKEYs of each scope before any rule, and the state (the district's own by default)."""
    schools = crdc.schools
    district = schools[schools["LEAID"] == str(leaid).zfill(7)]
    if district.empty:
        raise CrdcScopeError(f"CRDC {crdc.year}: no school with LEAID {leaid} (rule: the district's NCES LEA id)")
    state = state or district["LEA_STATE"].iloc[0]
    return {"district": district, "state": schools[schools["LEA_STATE"] == state], "nation": schools}, state


def _enrolled_by_school(counts: pd.DataFrame) -> pd.Series:
    enrolled = counts[(counts["measure"] == "enrolled") & (counts["disability"] == "all")]
    return enrolled.groupby("COMBOKEY")["count"].sum(min_count=1)


def _complete(counts: pd.DataFrame, measures: tuple[str, ...]) -> pd.Series:
    """Per school: whether every cell of `measures` and of enrollment is reported."""
    rows = counts[counts["measure"].isin([*measures, "enrolled"])]
    return rows["count"].notna().groupby(rows["COMBOKEY"]).all()


def _cells(counts: pd.DataFrame, measures: tuple[str, ...], sexes: list[str], disability: bool) -> pd.DataFrame:
    """Enrolled and each measure's count per race, sex and disability ("all" without IDEA enrollment)."""
    keys = ["race", "sex", "disability"]
    rows = counts[counts["sex"].isin(sexes)]
    if not (rows["measure"] == "enrolled").any():  # no school counted (e.g. a district of juvenile-justice facilities)
        return pd.DataFrame(columns=[*keys, "enrolled", *measures])
    enrolled = rows[rows["measure"] == "enrolled"].groupby(["race", "sex", "disability"])["count"].sum()
    enrolled = enrolled.unstack("disability", fill_value=0)
    if disability:  # students without disabilities = all enrolled minus those served under IDEA
        enrolled = pd.DataFrame({"with": enrolled["with"], "without": enrolled["all"] - enrolled["with"]})
    else:
        enrolled = enrolled[["all"]]
    enrolled = enrolled.stack().rename("enrolled")
    enrolled.index.names = keys
    frame = enrolled.to_frame()
    for measure in measures:
        numerator = rows[rows["measure"] == measure]
        if not disability:
            numerator = numerator.assign(disability="all")
        frame[measure] = numerator.groupby(keys)["count"].sum().reindex(frame.index, fill_value=0)
    return frame.reset_index()


def crdc_rates(crdc: CrdcYear, leaid: str, state: str | None = None, keys: tuple[str, ...] = tuple(COVERAGE)) -> CrdcRates:
    """Every scope's counts under the like-for-like and matching-coverage rules, once for the year; `keys`
    (coverage keys, default all) limits the work to the measures a report shows."""
    coverage = {key: COVERAGE[key] for key in keys}
    scopes, state = scope_schools(crdc, leaid, state)
    counts = crdc.counts
    discipline_sexes = sorted(set(counts.loc[counts["measure"].isin(DISCIPLINE), "sex"]))
    disability = bool(((counts["measure"] == "enrolled") & (counts["disability"] == "with")).any())
    enrolled = _enrolled_by_school(counts)
    complete = {key: _complete(counts, measures) for key, measures in coverage.items()}  # per school, once
    kept, left_out = _like_for_like(scopes)
    cell_parts, coverage_rows = [], []
    for scope in scopes:
        for reason, combokeys in left_out[scope].items():
            coverage_rows += [_left_out(scope, key, reason, combokeys, enrolled) for key in coverage]
        for key, measures in coverage.items():
            # a school missing from the count files has nothing reported: left out like a reserve code
            reported = complete[key].reindex(kept[scope], fill_value=False)
            covered = reported.index[reported]
            coverage_rows.append(_left_out(scope, key, "reserve", reported.index[~reported], enrolled))
            in_covered = counts[counts["COMBOKEY"].isin(covered)]
            unreported = in_covered[(in_covered["measure"] == "enrolled") & (in_covered["disability"] == "all")
                                    & ~in_covered["sex"].isin(discipline_sexes)]
            coverage_rows.append({"scope": scope, "coverage": key, "reason": "sex", "schools": 0,
                                  "students": int(unreported["count"].sum())})  # students, not schools, left out
            cells = _cells(in_covered, measures, discipline_sexes, disability)
            cell_parts.append(cells.assign(scope=scope, coverage=key, schools=len(covered)))
    return CrdcRates(year=crdc.year, state=state, cells=pd.concat(cell_parts, ignore_index=True),
                     coverage=pd.DataFrame(coverage_rows), disability_enrollment=disability,
                     staff=staff_totals(crdc, kept), synthetic=crdc.is_synthetic,
                     reserve_codes=_reserve_meanings(crdc))


def school_cells(crdc: CrdcYear, leaid: str, measure: str) -> pd.DataFrame:
    """Per school of the district and race: students enrolled and counted for `measure`, over the schools
    `crdc_rates` counts for it (no juvenile-justice facility; every cell of the measure and of enrollment
    reported; the sexes the measure's counts report). The rows a school-clustered model needs."""
    scopes, _ = scope_schools(crdc, leaid)
    kept, _ = _like_for_like({"district": scopes["district"]})
    counts = crdc.counts
    complete = _complete(counts, (measure,)).reindex(kept["district"], fill_value=False)
    rows = counts[counts["COMBOKEY"].isin(complete.index[complete])]
    rows = rows[rows["sex"].isin(set(counts.loc[counts["measure"] == measure, "sex"].astype(str)))]
    keys = [rows["COMBOKEY"].astype(str), rows["race"].astype(str)]
    enrolled = rows["count"].where((rows["measure"] == "enrolled") & (rows["disability"] == "all"), 0).groupby(keys).sum()
    counted = rows["count"].where(rows["measure"] == measure, 0).groupby(keys).sum()
    frame = pd.DataFrame({"enrolled": enrolled, measure: counted}).rename_axis(["COMBOKEY", "race"]).reset_index()
    return frame[frame["enrolled"] > 0].reset_index(drop=True)


def _like_for_like(scopes: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.Index], dict[str, dict[str, pd.Index]]]:
    """Per scope: the COMBOKEYs kept, and those left out by each rule (outside the 50 states and DC for the
    nation; juvenile-justice facilities everywhere), each school counted under the first rule it meets."""
    kept, left_out = {}, {}
    for scope, schools in scopes.items():
        outside = ~schools["in_50_states_dc"].astype(bool) if scope == "nation" else pd.Series(False, index=schools.index)
        jj = schools["jj"].astype(bool) & ~outside
        kept[scope] = pd.Index(schools.loc[~outside & ~jj, "COMBOKEY"])
        left_out[scope] = {"outside": pd.Index(schools.loc[outside, "COMBOKEY"]), "jj": pd.Index(schools.loc[jj, "COMBOKEY"])}
    return kept, left_out


def _left_out(scope: str, key: str, reason: str, combokeys, enrolled: pd.Series) -> dict:
    students = enrolled.reindex(pd.Index(combokeys)).sum()  # schools whose enrollment is itself reserved add none
    return {"scope": scope, "coverage": key, "reason": reason, "schools": len(combokeys), "students": int(students)}


def staff_totals(crdc: CrdcYear, kept: dict[str, pd.Index]) -> pd.DataFrame:
    """Sworn officer and security guard FTE, and schools with any sworn officer, per scope (same rules)."""
    rows = []
    for scope in kept:
        frame = crdc.staff[crdc.staff["COMBOKEY"].isin(kept[scope])]
        rows.append({"scope": scope, "schools": len(frame),
                     "schools_reporting": int(frame["law_enforcement_fte"].notna().sum()),
                     "schools_with_officer": int((frame["law_enforcement_fte"] > 0).sum()),
                     "law_enforcement_fte": float(frame["law_enforcement_fte"].sum()),
                     "security_guard_fte": float(frame["security_guard_fte"].sum())})
    return pd.DataFrame(rows)


def _reserve_meanings(crdc: CrdcYear) -> list[str]:
    """'code (meaning)' for each reserve code in the year's files."""
    codes = crdc.reserve[["reserve_code", "meaning"]].drop_duplicates().sort_values("reserve_code", ascending=False)
    return [f"{int(c)} ({m})" for c, m in codes.itertuples(index=False)]
