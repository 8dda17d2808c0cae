"""A small SYNTHETIC behavior-incident export and enrollment file, for the annual review's demo and tests.

Nothing here is any district's data. The schools are named "Synthetic ...", every incident id starts with
SYN-, and both files carry a "Data Status" column reading "synthetic", which the reader and the report
use to label every page built from them. The files use district-style headers and labels (not the
package's codes), so reading them exercises data/annual_review/incidents_mapping_example.yaml.

Rates are illustrative assumptions chosen only to give the report something to show, including a
disparity by race and a few small cells that suppression must hide. Regenerate with
`python -m sro_research.synthetic.incidents` (deterministic: the same seed writes the same bytes).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sro_research.paths import data_dir

SEED = 20170815  # the Board's August 2017 vote, as a memorable seed
YEARS = ("2017-18", "2018-19")
SCHOOLS = {  # name -> (type, approximate enrollment)
    **{f"Synthetic Elementary {c}": ("Elementary", 420 + 15 * i) for i, c in enumerate("ABCDEFGH")},
    **{f"Synthetic Middle {c}": ("Middle", 820 + 40 * i) for i, c in enumerate("ABCD")},
    **{f"Synthetic High {c}": ("High", 1900 + 120 * i) for i, c in enumerate("ABCD")},
}
RACE_LABELS = {  # export label -> share of enrollment (illustrative)
    "Black or African American": 0.36, "White": 0.35, "Hispanic/Latino": 0.17, "Asian": 0.06,
    "American Indian/Alaska Native": 0.035, "Two or More Races": 0.022, "Native Hawaiian/Pacific Islander": 0.003,
}
INCIDENTS_PER_100 = {"Elementary": 6.0, "Middle": 16.0, "High": 14.0}  # student-incident rows per 100 enrolled
RACE_MULTIPLIER = {"Black or African American": 2.6, "American Indian/Alaska Native": 2.2, "Two or More Races": 1.5,
                   "Hispanic/Latino": 1.2, "White": 1.0, "Asian": 0.6, "Native Hawaiian/Pacific Islander": 1.0}
LEVELS = ["Level 1", "Level 2", "Level 3", "Level 4", "Level 5"]
LEVEL_SHARES = [0.30, 0.30, 0.22, 0.13, 0.05]
SRO_BY_LEVEL = {"Elementary": [0.0, 0.01, 0.03, 0.10, 0.25], "Middle": [0.01, 0.04, 0.12, 0.35, 0.60],
                "High": [0.02, 0.06, 0.18, 0.45, 0.75]}
SRO_OUTCOMES = ["Out-of-School Suspension", "Citation", "Arrest", "Referred to County Attorney", "No Action"]
SRO_OUTCOME_SHARES = [0.45, 0.20, 0.12, 0.08, 0.15]
DISPARITY_AT_POLICE_STAGE = {"Black or African American": 1.3}  # more citations/arrests once an SRO is involved
GRADES = {"Elementary": ["K", "1", "2", "3", "4", "5"], "Middle": ["6", "7", "8"], "High": ["9", "10", "11", "12"]}


def output_dir() -> Path:
    return data_dir() / "annual_review"


def incidents_path() -> Path:
    return output_dir() / "incidents_synthetic.csv"


def enrollment_path() -> Path:
    return output_dir() / "enrollment_synthetic.csv"


def mapping_path() -> Path:
    return output_dir() / "incidents_mapping_example.yaml"


def enrollment_table(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for year in YEARS:
        for school, (kind, size) in SCHOOLS.items():
            for race, share in RACE_LABELS.items():
                rows.append({"School Year": year, "School Name": school, "School Type": kind, "Race/Ethnicity": race,
                             "Enrolled": int(rng.poisson(size * share)), "Data Status": "synthetic"})
    return pd.DataFrame(rows)


def _outcome(rng: np.random.Generator, sro: bool, race: str) -> str:
    if not sro:
        return str(rng.choice(["Out-of-School Suspension", "No Action"], p=[0.35, 0.65]))
    shares = np.array(SRO_OUTCOME_SHARES)
    shares[1:4] *= DISPARITY_AT_POLICE_STAGE.get(race, 1.0)
    return str(rng.choice(SRO_OUTCOMES, p=shares / shares.sum()))


def incident_table(enrollment: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for year, block in enrollment.groupby("School Year", sort=True):
        start = int(year[:4])
        days = pd.bdate_range(f"{start}-09-05", f"{start + 1}-06-07")
        number = 0
        for row in block.itertuples(index=False):
            kind = row[2]
            expected = row[4] * INCIDENTS_PER_100[kind] / 100 * RACE_MULTIPLIER[row[3]]
            for _ in range(int(rng.poisson(expected))):
                number += 1
                level = int(rng.choice(5, p=LEVEL_SHARES))
                sro = bool(rng.random() < SRO_BY_LEVEL[kind][level])
                rows.append({
                    "Incident ID": f"SYN-{start}-{number:05d}",
                    "Incident Date": f"{(d := days[int(rng.integers(len(days)))]).month}/{d.day}/{d.year}",
                    "School Name": row[1], "Behavior Level": LEVELS[level], "SRO Involved": "Y" if sro else "N",
                    "Outcome": _outcome(rng, sro, row[3]), "Race/Ethnicity": row[3],
                    "Grade": str(rng.choice(GRADES[kind])), "Gender": str(rng.choice(["F", "M"], p=[0.35, 0.65])),
                    "Data Status": "synthetic",
                })
    return pd.DataFrame(rows).sort_values(["Incident ID"], kind="stable")


def write(folder: Path | None = None) -> tuple[Path, Path]:
    """Write the two synthetic files (the mapping is hand-written beside them)."""
    folder = Path(folder) if folder else output_dir()
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    enrollment = enrollment_table(rng)
    incidents = incident_table(enrollment, rng)
    paths = (folder / incidents_path().name, folder / enrollment_path().name)
    incidents.to_csv(paths[0], index=False, lineterminator="\n")
    enrollment.to_csv(paths[1], index=False, lineterminator="\n")
    return paths


if __name__ == "__main__":
    for written in write():
        print(written)
