"""The annual_review's incident-export section: involvements by race, rates with school-clustered intervals, RRI.

Counts are suppressed and audited in analysis.police_contacts before any measure reaches these functions.
"""

from __future__ import annotations

import pandas as pd

from sro_research.analysis import police_contacts as pc
from sro_research.privacy.suppression import SUPPRESSED, TOTAL
from sro_research.reports.annual_review_format import OUTCOME_LABELS, RACE_LABELS, count_text, fmt, with_ci
from sro_research.stats.clustered_rates import METHOD
from sro_research.stats.disproportionality import risk

SECTION = ("## Incidents this year\n\nFrom the district's incident export: one row per student per incident. Rates "
           "are **involvements per 100 enrolled students** (a student involved twice counts twice), compared with "
           "white students and with all other students; the composition index is a group's share of involvements "
           "over its share of enrollment. Involvements repeat and bunch in schools, so the 95% intervals are "
           "school-clustered robust intervals that allow for both (see the method notes).")
RRI_SECTION = ("### Relative rate index at each contact stage\n\nEach stage's rate is per 100 at the stage before "
               "(enrolled → incident → SRO involved → citation, arrest or referral), so each index measures only the "
               "disparity added at that stage (OJJDP's relative rate index).")
STAGE_LABELS = {"incident": "Involved in an incident (per 100 enrolled)",
                "sro_involved": "SRO involved (per 100 incident involvements)",
                "citation_or_arrest": "Citation, arrest or referral (per 100 SRO-involved)",
                "referred": "Referred to law enforcement (per 100 enrolled)",
                "arrested": "School-related arrest (per 100 referred)"}


def year_measures(year: pc.YearTables | None, threshold: int) -> dict[str, pd.DataFrame] | None:
    """Each outcome's race measures for the year, computed once (None without the year's export rows)."""
    return {o: pc.race_measures(year, o, threshold) for o in OUTCOME_LABELS} if year is not None else None


def counts_table(table, row_label: str, row_names: dict, column_names: dict) -> pd.DataFrame:
    shown = table.display().rename(index={**row_names, TOTAL: "All"}, columns={**column_names, TOTAL: "All"})
    shown.columns.name = None
    return shown.reset_index(names=row_label)


def counts_by_race(year: pc.YearTables) -> pd.DataFrame:
    return counts_table(year.tables["race_outcome"], "Race/ethnicity", RACE_LABELS, pc.OUTCOME_GROUPS)


def race_table(measures: pd.DataFrame) -> pd.DataFrame:
    """Rates per 100 enrolled by race, with the ratios and the composition index, in words."""
    out = []
    for _, row in measures.iterrows():
        shown, reference = bool(row["shown"]), row["race"] == pc.REFERENCE
        out.append({
            "Race/ethnicity": RACE_LABELS[row["race"]], "Students enrolled": count_text(row["enrolled"]),
            "Involvements": count_text(row["count"]), "Per 100 students (95% CI)": with_ci(row, "risk", shown),
            "Ratio to white students (95% CI)": "reference" if reference else with_ci(row, "rr_reference", shown, 2),
            "Difference from white students, per 100 (95% CI)": "reference" if reference else with_ci(row, "rd_reference", shown),
            "Ratio to all other students (95% CI)": with_ci(row, "rr_others", shown, 2),
            "Share of involvements (%)": SUPPRESSED if pd.isna(row["outcome_share"]) else fmt(row["outcome_share"]),
            "Share of enrollment (%)": fmt(row["enrollment_share"]),
            "Composition index": SUPPRESSED if pd.isna(row["composition_index"]) else fmt(row["composition_index"], 2),
        })
    return pd.DataFrame(out)


def _rri_cell(row) -> str:
    if row["race"] == pc.REFERENCE:
        return "reference"
    if not row["shown"]:
        return SUPPRESSED
    return with_ci(row, "rri", True, 2)  # "—" when not computable (no counts, or white students' hidden)


def rri_table(rri: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame([{
        "Race/ethnicity": RACE_LABELS[row["race"]], "Stage": STAGE_LABELS[row["stage"]],
        "Rate (95% CI)": with_ci(row, "rate", bool(row["shown"])),
        "Relative rate index vs white students (95% CI)": _rri_cell(row),
    } for _, row in rri.iterrows()])


def shares_by(table, numerators: list[str], row_label: str, row_names: dict) -> pd.DataFrame:
    """Per 100 incident involvements in each row (e.g. behavior level) with a numerator built from columns."""
    out = []
    for label in table.counts.index:
        total_hidden = bool(table.hidden.loc[label, TOTAL])
        hidden = bool(table.hidden.loc[label, [*numerators, TOTAL]].any())
        count = int(table.counts.loc[label, numerators].sum())
        total = int(table.counts.loc[label, TOTAL])
        value, low, high = risk(count, total)
        out.append({row_label: row_names.get(label, "All" if label == TOTAL else str(label).capitalize()),
                    "Involvements": SUPPRESSED if total_hidden else f"{total:,}",
                    "Per 100 involvements (95% CI)": SUPPRESSED if hidden else f"{value:.1f} ({low:.1f} to {high:.1f})"})
    return pd.DataFrame(out)


def level_and_type_tables(year: pc.YearTables) -> list[tuple[str, pd.DataFrame, str]]:
    """(csv name, table, caption) for police and SRO contact per 100 involvements by behavior level and school type."""
    tables = year.tables
    return [
        ("sro_by_level", shares_by(tables["level_sro"], ["sro_only", "sro_police"], "Behavior level", {}),
         "SRO involved, per 100 involvements, by behavior level (1 least, 5 most serious)"),
        ("police_by_level", shares_by(tables["level_outcome"], ["police"], "Behavior level", {}),
         "Citation, arrest or referral, per 100 involvements, by behavior level"),
        ("police_by_school_type", shares_by(tables["type_outcome"], ["police"], "School type", {}),
         "Citation, arrest or referral, per 100 involvements, by school type"),
    ]


def dispersion_table(measures: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Pearson phi of each race's involvements across schools (1 = Poisson; above 1 = more spread)."""
    rows = []
    for outcome, frame in measures.items():
        for _, row in frame[frame["shown"]].iterrows():
            rows.append({"Outcome": OUTCOME_LABELS[outcome], "Race/ethnicity": RACE_LABELS[row["race"]],
                         "Dispersion across schools (Pearson φ)": fmt(row["phi"], 2)})
        rows.append({"Outcome": OUTCOME_LABELS[outcome], "Race/ethnicity": "All (model)",
                     "Dispersion across schools (Pearson φ)": fmt(frame.attrs.get("phi", float("nan")), 2)})
    return pd.DataFrame(rows)


def clustering_note(measures: dict[str, pd.DataFrame]) -> str:
    first = next(iter(measures.values()))
    return (f"**How the incident intervals were computed.** {METHOD[0].upper() + METHOD[1:]}. Each rate comes from a "
            f"Poisson model with one rate per race and enrollment as exposure, fitted on one row per school and race "
            f"({first.attrs.get('clusters', 0)} schools); its standard errors are cluster-robust with schools as "
            "clusters (the sandwich estimator with the small-sample factor G/(G−1)·(N−1)/(N−K), as R's "
            "`sandwich::vcovCL`), so they allow for students involved more than once and for involvements that "
            "bunch in some schools. Point estimates are the pooled rates. The dispersion table shows how far "
            "counts spread beyond what independent (Poisson) counts would: φ = Pearson χ² / degrees of freedom, 1 "
            "for Poisson counts; a φ of 2.4 means Poisson intervals for that group's rate would be about √2.4 ≈ 1.5 "
            "times too narrow. A ratio between two groups in the same schools widens less, or not at all, when "
            "much of the spread is a school's own level, which moves both groups. "
            "A ratio against a zero count adds 0.5 to both counts (Haldane–Anscombe) and widens its variance by φ.")

