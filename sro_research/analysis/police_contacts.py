"""Police contacts, suspensions and who bears them, for one school year: counts protected together, then measures.

Counts come from partitions of the year's incident rows (every row in exactly one cell), so
complementary suppression can protect them: race x outcome group, school type x outcome group,
behavior level x outcome group, race x SRO stage, behavior level x SRO stage. Those tables share totals
(the outcome-group totals, the race totals, ...), so a total hidden in one is hidden in all: the tables
are suppressed together until no table hides a total another still shows. A measure is then shown only
when every count it is computed from is shown ("a rate with a suppressed numerator is not shown").
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sro_research.privacy.disclosure import Audit, cell, protect
from sro_research.privacy.suppression import TOTAL, SuppressedTable, suppress
from sro_research.readers.incidents import BEHAVIOR_LEVELS, POLICE_OUTCOMES, RACES, SCHOOL_TYPES, IncidentData
from sro_research.stats.clustered_rates import clustered_rate_measures
from sro_research.stats.disproportionality import disproportionality, relative_rate_index

NOT_GIVEN = "not_given"
REFERENCE = "white"
OUTCOME_GROUPS = {"none": "No removal or police action", "suspension": "Suspension",
                  "police": "Citation, arrest or county attorney referral"}
SRO_STAGES = {"no_sro": "No SRO involved", "sro_only": "SRO involved, no citation or arrest",
              "sro_police": "SRO involved, citation, arrest or referral"}
# table name -> (row field, column field)
PARTITIONS = {
    "race_outcome": ("race_ethnicity", "outcome_group"),
    "type_outcome": ("school_type", "outcome_group"),
    "level_outcome": ("behavior_level", "outcome_group"),
    "race_sro": ("race_ethnicity", "sro_stage"),
    "level_sro": ("behavior_level", "sro_stage"),
}
ROW_ORDER = {"race_ethnicity": [*RACES, NOT_GIVEN], "school_type": list(SCHOOL_TYPES),
             "behavior_level": list(BEHAVIOR_LEVELS)}
COLUMN_ORDER = {"outcome_group": list(OUTCOME_GROUPS), "sro_stage": list(SRO_STAGES)}


def year_rows(incidents: pd.DataFrame, school_year: str) -> pd.DataFrame:
    """The year's incident rows with the grouped fields the tables use."""
    rows = incidents[incidents["school_year"] == school_year].copy()
    rows["race_ethnicity"] = rows["race_ethnicity"].fillna(NOT_GIVEN)
    police = rows["outcome"].isin(POLICE_OUTCOMES)
    rows["outcome_group"] = rows["outcome"].where(rows["outcome"] == "suspension", "none").where(~police, "police")
    sro = rows["sro_involved"] == "yes"
    rows["sro_stage"] = "no_sro"
    rows.loc[sro, "sro_stage"] = "sro_only"
    rows.loc[sro & police, "sro_stage"] = "sro_police"
    return rows


def _counts(rows: pd.DataFrame, row: str, column: str) -> pd.DataFrame:
    table = pd.crosstab(rows[row], rows[column]).reindex(index=ROW_ORDER[row], columns=COLUMN_ORDER[column],
                                                         fill_value=0)
    if row == "race_ethnicity" and table.loc[NOT_GIVEN].sum() == 0:
        table = table.drop(index=NOT_GIVEN)
    if row == "school_type":  # a school type the district does not have is no category at all
        table = table[table.sum(axis=1) > 0]
    return table.astype("int64")


def protected_tables(rows: pd.DataFrame, threshold: int) -> dict[str, SuppressedTable]:
    """Every partition table, suppressed so that no shared total shown in one is hidden in another."""
    counts = {name: _counts(rows, *fields) for name, fields in PARTITIONS.items()}
    hidden_rows: set[tuple[str, str]] = set()  # (row field, label) whose total is hidden somewhere
    hidden_columns: set[tuple[str, str]] = set()
    grand_hidden = False
    for _ in range(10):  # each pass can only hide more; a handful of passes settles it
        results = {}
        for name, (row, column) in PARTITIONS.items():
            table = counts[name]
            also = pd.DataFrame(False, index=[*table.index, TOTAL], columns=[*table.columns, TOTAL])
            for label in table.index:
                also.loc[label, TOTAL] = (row, label) in hidden_rows
            for label in table.columns:
                also.loc[TOTAL, label] = (column, label) in hidden_columns
            also.loc[TOTAL, TOTAL] = grand_hidden
            results[name] = suppress(table, threshold, also_hide=also)
        before = (len(hidden_rows), len(hidden_columns), grand_hidden)
        for name, (row, column) in PARTITIONS.items():
            hidden = results[name].hidden
            hidden_rows |= {(row, label) for label in hidden.index[:-1] if hidden.loc[label, TOTAL]}
            hidden_columns |= {(column, label) for label in hidden.columns[:-1] if hidden.loc[TOTAL, label]}
            grand_hidden |= bool(hidden.loc[TOTAL, TOTAL])
        if (len(hidden_rows), len(hidden_columns), grand_hidden) == before:
            return results
    raise RuntimeError("cross-table suppression did not settle")


def audited_tables(rows: pd.DataFrame, threshold: int) -> tuple[dict[str, SuppressedTable], Audit]:
    """`protected_tables`, then the cross-table audit (privacy.disclosure, as in the engagement report):
    every hidden count's smallest and largest value given all five tables and their totals together
    must be at least `threshold` apart, or more counts are hidden."""
    tables = protected_tables(rows, threshold)
    categories = {field: sorted(rows[field].astype(str).unique())
                  for field in {f for fields in PARTITIONS.values() for f in fields}}
    cells, places = [], []
    for name, (row, column) in PARTITIONS.items():
        table = tables[name]
        for label in table.counts.index:
            for value in table.counts.columns:
                where = {}
                if label != TOTAL:
                    where[row] = {str(label)}
                if value != TOTAL:
                    where[column] = {str(value)}
                cells.append(cell(name, (label, value), table.hidden.loc[label, value], **where))
                places.append((name, label, value))
    frame = rows[list(categories)].astype(str)
    cells, audit = protect(frame, categories, cells, threshold)
    for (name, label, value), checked in zip(places, cells, strict=True):
        tables[name].hidden.loc[label, value] = checked.hidden
    return tables, audit


def enrollment_by(enrollment: pd.DataFrame, school_year: str, field: str) -> pd.Series:
    year = enrollment[enrollment["school_year"] == school_year]
    return year.groupby(field)["students"].sum()


@dataclass
class YearTables:
    """One school year of the export: its protected tables, the audit, enrollment, and counts by school."""

    school_year: str
    rows: int
    tables: dict[str, SuppressedTable]
    audit: Audit
    enrolled: pd.Series  # by race
    enrolled_by_type: pd.Series
    by_school: pd.DataFrame  # school, race, enrolled and each outcome's involvements (for clustered intervals)


def year_tables(export: IncidentData, school_year: str, threshold: int) -> YearTables | None:
    """The year's tables, computed once and passed on (None when the export has no rows for the year)."""
    rows = year_rows(export.incidents, school_year)
    if rows.empty:
        return None
    tables, audit = audited_tables(rows, threshold)
    return YearTables(school_year, len(rows), tables, audit, enrollment_by(export.enrollment, school_year, "race_ethnicity"),
                      enrollment_by(export.enrollment, school_year, "school_type"),
                      school_counts(rows, export.enrollment, school_year))


def school_counts(rows: pd.DataFrame, enrollment: pd.DataFrame, school_year: str) -> pd.DataFrame:
    """Per school and race: enrolled and involvements at each stage and outcome (0 where none)."""
    year = enrollment[enrollment["school_year"] == school_year]
    frame = year.groupby(["school", "race_ethnicity"])["students"].sum().rename("enrolled").to_frame()
    rows = rows.assign(incident=1, suspension=rows["outcome_group"] == "suspension",
                       police=rows["outcome_group"] == "police", sro=rows["sro_stage"] != "no_sro",
                       sro_police=rows["sro_stage"] == "sro_police")
    counted = rows.groupby(["school", "race_ethnicity"])[["incident", "suspension", "police", "sro", "sro_police"]].sum()
    frame = frame.join(counted, how="left").fillna(0)
    return frame.astype({c: "int64" for c in counted.columns}).reset_index().rename(columns={"race_ethnicity": "race"})


def _clustered(measures: pd.DataFrame, by_school: pd.DataFrame, count: str, exposure: str) -> pd.DataFrame:
    """Replace Poisson intervals with school-clustered ones (same point estimates); add each race's phi."""
    clustered = clustered_rate_measures(by_school, "race", count, exposure, "school", REFERENCE).set_index("race")
    for stem in ("risk", "rr_reference", "rd_reference", "rr_others"):
        for suffix in ("", "_low", "_high"):
            measures[stem + suffix] = measures["race"].map(clustered[stem + suffix])
    measures["phi"] = measures["race"].map(clustered["phi"])
    measures.attrs.update(clustered.attrs)
    return measures


def _shown(table: SuppressedTable, row: str, column: str) -> bool:
    return row in table.hidden.index and not bool(table.hidden.loc[row, column])


def race_measures(year: YearTables, outcome: str, threshold: int) -> pd.DataFrame:
    """Rates per 100 enrolled students by race for one outcome group ('suspension' or 'police') or 'sro'.

    Counts are student involvements (a student may be counted once per incident, and involvements
    cluster in schools), so measures are event rates with school-clustered intervals
    (stats.clustered_rates). A row's measures are hidden (NaN, `shown` False) when its count, its
    enrollment, the white students' count (for the ratio against them) or the outcome's total (for the
    ratio against all others and the composition index) is suppressed.
    """
    tables, enrolled = year.tables, year.enrolled
    if outcome == "sro":
        table = tables["race_sro"]
        counts = table.counts["sro_only"] + table.counts["sro_police"]
        visible = ~table.hidden["sro_only"] & ~table.hidden["sro_police"]
    else:
        table = tables["race_outcome"]
        counts, visible = table.counts[outcome], ~table.hidden[outcome]
    races = [r for r in RACES if r in counts.index and r in enrolled.index]
    frame = pd.DataFrame({"race": races, "count": [int(counts[r]) for r in races],
                          "enrolled": [int(enrolled[r]) for r in races]})
    measures = disproportionality(frame, "race", "count", "enrolled", REFERENCE, events=True)
    measures = _clustered(measures, year.by_school[year.by_school["race"].isin(races)], outcome, "enrolled")
    total_shown = bool(visible[TOTAL])
    measures["shown"] = [bool(visible[r]) and enrolled[r] >= threshold for r in races]
    ref_shown = bool(measures.loc[measures["race"] == REFERENCE, "shown"].iloc[0]) if REFERENCE in races else False
    for column in measures.columns:
        if column.startswith(("risk", "count", "phi")):
            measures[column] = measures[column].where(measures["shown"])
        if column.startswith(("rr_reference", "rd_reference")):
            measures[column] = measures[column].where(measures["shown"] & ref_shown)
        if column.startswith(("rr_others", "outcome_share", "composition")):
            measures[column] = measures[column].where(measures["shown"] & total_shown)
    measures["enrolled"] = measures["enrolled"].where(measures["enrolled"] >= threshold)
    return measures


def stage_counts(tables: dict[str, SuppressedTable], enrolled: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """Per race: enrolled, incident involvements, SRO involved, citation/arrest; and whether each race's are all shown."""
    table = tables["race_sro"]
    counts, hidden = table.counts, table.hidden
    races = [r for r in RACES if r in counts.index and r in enrolled.index]
    stages = pd.DataFrame({
        "race": races,
        "enrolled": [int(enrolled[r]) for r in races],
        "incident": [int(counts.loc[r, TOTAL]) for r in races],
        "sro_involved": [int(counts.loc[r, "sro_only"] + counts.loc[r, "sro_police"]) for r in races],
        "citation_or_arrest": [int(counts.loc[r, "sro_police"]) for r in races],
    })
    shown = pd.Series([not hidden.loc[r].any() for r in races], index=races)
    return stages, shown


STAGE_COUNTS = {"enrolled": "enrolled", "incident": "incident", "sro_involved": "sro", "citation_or_arrest": "sro_police"}


def incident_rri(year: YearTables, threshold: int) -> pd.DataFrame:
    """RRI at incident (per 100 enrolled), SRO involved (per 100 incidents), citation/arrest (per 100 SRO-involved).

    Every stage counts involvements, which cluster in schools: rates and indexes take school-clustered
    intervals (a Poisson working model with robust errors is also valid for a share of involvements).
    """
    stages, shown = stage_counts(year.tables, year.enrolled)
    names = list(STAGE_COUNTS)
    rri = relative_rate_index(stages, "race", names, REFERENCE, events_at=("incident",)).set_index(["race", "stage"])
    by_school = year.by_school[year.by_school["race"].isin(stages["race"])]
    for before, stage in zip(names, names[1:]):
        clustered = clustered_rate_measures(by_school, "race", STAGE_COUNTS[stage], STAGE_COUNTS[before], "school",
                                            REFERENCE).set_index("race")
        for race in clustered.index:
            rri.loc[(race, stage), ["rate_low", "rate_high"]] = clustered.loc[race, ["risk_low", "risk_high"]].to_numpy()
            if race != REFERENCE:
                rri.loc[(race, stage), ["rri_low", "rri_high"]] = clustered.loc[
                    race, ["rr_reference_low", "rr_reference_high"]].to_numpy()
    return hide_rri(rri.reset_index(), shown & (stages.set_index("race")["enrolled"] >= threshold))


def hide_rri(rri: pd.DataFrame, shown: pd.Series, reference: str = REFERENCE) -> pd.DataFrame:
    """Hide a race's stage rates unless its counts are shown, and its RRI unless the reference's are too."""
    rri = rri.copy()
    rri["shown"] = rri["race"].map(shown).fillna(False).astype(bool)
    ref_shown = bool(shown.get(reference, False))
    for column in ("count", "base_count", "rate", "rate_low", "rate_high"):
        rri[column] = rri[column].where(rri["shown"])
    for column in ("rri", "rri_low", "rri_high"):
        rri[column] = rri[column].where(rri["shown"] & ref_shown)
    return rri
