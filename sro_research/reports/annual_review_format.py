"""Words and number formats every part of the annual_review report shares: labels, rounding, intervals."""

from __future__ import annotations

import math

import pandas as pd

from sro_research.analysis import police_contacts as pc
from sro_research.privacy.suppression import SUPPRESSED
from sro_research.readers.incidents import RACES

RACE_LABELS = {**RACES, pc.NOT_GIVEN: "Not given"}
SEX_LABELS = {"female": "Female", "male": "Male", "nonbinary": "Nonbinary"}
DISABILITY_LABELS = {"without": "Without disabilities", "with": "With disabilities (IDEA)", "all": "All students"}
GROUP_LABELS = {**RACE_LABELS, **SEX_LABELS, **DISABILITY_LABELS}
SCOPES = {"district": "District", "state": "State", "nation": "Nation (50 states and DC)"}
OUTCOME_LABELS = {"suspension": "Suspension", "police": "Citation, arrest or county attorney referral",
                  "sro": "SRO involved"}
CRDC_MEASURES = ("referred", "arrested", "suspended_out_of_school")
BLACK = "black"


def fmt(value: float, digits: int = 1) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:,.{digits}f}"


def with_ci(row, stem: str, shown: bool = True, digits: int = 1) -> str:
    if not shown:
        return SUPPRESSED
    value, low, high = row[stem], row[f"{stem}_low"], row[f"{stem}_high"]
    if pd.isna(value):
        return "—"
    return f"{value:,.{digits}f} ({fmt(low, digits)} to {fmt(high, digits)})"


def count_text(value) -> str:
    return SUPPRESSED if pd.isna(value) else f"{int(value):,}"


def years_text(years) -> str:
    years = list(years)
    return ", ".join(years[:-1]) + f" and {years[-1]}" if len(years) > 1 else "".join(years)
