"""CRDC measures by race, sex and disability for one scope and measure: suppressed, audited, then computed.

Each breakdown is a partition of the covered enrolled students into (group) x (with the outcome, without
it): by race, by sex, by disability (students served under IDEA or not), by race within disability and by
race within sex. The tables share their totals, so each is suppressed (privacy.suppression) and then all
are audited together (privacy.disclosure, the same linear-programming audit as the incident tables):
no hidden count can be narrowed below the threshold from all of them. A measure is shown only when its
counts and the counts it is compared with are shown. CRDC counts students (each once): risks and risk
ratios with log-scale (Katz) intervals.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sro_research.analysis.crdc_rates import CrdcRates
from sro_research.analysis.police_contacts import hide_rri
from sro_research.privacy.disclosure import Audit, cell, protect
from sro_research.privacy.suppression import TOTAL, SuppressedTable, suppress
from sro_research.readers.incidents import RACES
from sro_research.stats.disproportionality import disproportionality, relative_rate_index

# breakdown -> (outer field or None, field compared)
BREAKDOWNS = {"race": (None, "race"), "sex": (None, "sex"), "disability": (None, "disability"),
              "race_by_disability": ("disability", "race"), "race_by_sex": ("sex", "race")}
REFERENCES = {"race": "white", "sex": "female", "disability": "without"}
ORDER = {"race": list(RACES), "sex": ["female", "male", "nonbinary"], "disability": ["without", "with", "all"]}
OUTCOME = ("yes", "no")  # with the outcome; enrolled without it


@dataclass
class Breakdowns:
    scope: str
    measure: str
    schools: int
    tables: dict[str, SuppressedTable]
    measures: dict[str, pd.DataFrame]
    audit: Audit


def _atoms(cells: pd.DataFrame, measure: str) -> pd.DataFrame:
    """One row per race, sex, disability and outcome, `n` students."""
    yes = cells.assign(outcome="yes", n=cells[measure])
    no = cells.assign(outcome="no", n=(cells["enrolled"] - cells[measure]).clip(lower=0))
    return pd.concat([yes, no], ignore_index=True)[["race", "sex", "disability", "outcome", "n"]]


def _label(outer, value) -> str:
    return f"{outer}|{value}" if outer is not None else str(value)


def _table(atoms: pd.DataFrame, outer: str | None, field: str) -> pd.DataFrame:
    keys = [k for k in (outer, field) if k]
    table = atoms.groupby([*keys, "outcome"])["n"].sum().unstack("outcome", fill_value=0)  # pivot_table's sums, faster
    order = [(o, f) for o in ORDER[outer] for f in ORDER[field]] if outer else ORDER[field]
    table = table.reindex([k for k in order if k in table.index])[list(OUTCOME)]
    table.index = [_label(*k) if outer else _label(None, k) for k in table.index]
    return table.astype("int64")


def available(rates: CrdcRates) -> list[str]:
    """The breakdowns the year's files allow (disability ones need IDEA enrollment)."""
    return [b for b, (outer, field) in BREAKDOWNS.items()
            if rates.disability_enrollment or "disability" not in (outer, field)]


def breakdowns(rates: CrdcRates, scope: str, measure: str, threshold: int, names: list[str] | None = None) -> Breakdowns:
    """The breakdowns `names` (default: every available one) of `measure` in `scope`, suppressed and
    audited together, with their measures."""
    cells = rates.cells[(rates.cells["scope"] == scope) & (rates.cells["coverage"] == measure)]
    atoms = _atoms(cells, measure)
    names = [b for b in available(rates) if names is None or b in names]
    tables = {b: suppress(_table(atoms, *BREAKDOWNS[b]), threshold, totals=True) for b in names}
    tables, audit = _audit(atoms, tables, threshold)
    measures = {b: _measures(tables[b], *BREAKDOWNS[b]) for b in names}
    return Breakdowns(scope, measure, int(cells["schools"].iloc[0]) if len(cells) else 0, tables, measures, audit)


def _audit(atoms: pd.DataFrame, tables: dict[str, SuppressedTable], threshold: int):
    categories = {f: sorted(atoms[f].unique()) for f in ("race", "sex", "disability", "outcome")}
    audited, places = [], []
    for name, table in tables.items():
        outer, field = BREAKDOWNS[name]
        for label in table.counts.index:
            for value in table.counts.columns:
                where = {} if value == TOTAL else {"outcome": {value}}
                if label != TOTAL:
                    parts = str(label).split("|")
                    where[field] = {parts[-1]}
                    if outer:
                        where[outer] = {parts[0]}
                audited.append(cell(name, (label, value), table.hidden.loc[label, value], **where))
                places.append((name, label, value))
    audited, audit = protect(atoms, categories, audited, threshold, weight="n")
    for (name, label, value), checked in zip(places, audited, strict=True):
        tables[name].hidden.loc[label, value] = checked.hidden
    return tables, audit


def _measures(table: SuppressedTable, outer: str | None, field: str) -> pd.DataFrame:
    """Risk per 100 enrolled and ratios, per row of the table; compared within each outer group."""
    counts, hidden = table.counts.drop(index=TOTAL), table.hidden
    frame = pd.DataFrame({"label": counts.index, "count": counts["yes"].to_numpy(),
                          "enrolled": counts[TOTAL].to_numpy()})
    frame["outer"] = [str(k).split("|")[0] if outer else None for k in frame["label"]]
    frame["group"] = [str(k).split("|")[-1] for k in frame["label"]]
    frame["shown"] = [not hidden.loc[k, "yes"] and not hidden.loc[k, TOTAL] for k in frame["label"]]
    parts = []
    for _, part in frame.groupby("outer", sort=False, dropna=False):
        part = part[part["enrolled"] > 0]
        reference = REFERENCES[field]
        if reference not in set(part["group"]):
            continue
        measures = disproportionality(part, "group", "count", "enrolled", reference)
        measures = measures.merge(part[["group", "label", "outer", "shown"]], on="group")
        ref_shown = bool(measures.loc[measures["group"] == reference, "shown"].iloc[0])
        # the outcome total compared against ("all others") is shown only when the outer group's total is
        total_shown = _total_shown(hidden, list(part["label"]))
        for column in measures.columns:
            if column.startswith(("risk", "count")):
                measures[column] = measures[column].where(measures["shown"])
            if column.startswith(("rr_reference", "rd_reference")):
                measures[column] = measures[column].where(measures["shown"] & ref_shown)
            if column.startswith(("rr_others", "outcome_share", "composition")):
                measures[column] = measures[column].where(measures["shown"] & total_shown)
        measures["enrolled"] = measures["enrolled"].where([not hidden.loc[k, TOTAL] for k in measures["label"]])
        parts.append(measures)
    return pd.concat(parts, ignore_index=True) if parts else frame.iloc[0:0]


def _total_shown(hidden: pd.DataFrame, labels: list[str]) -> bool:
    """Whether the outcome's total over `labels` is shown: the table total, or every row of the group shown."""
    if len(labels) == len(hidden.index) - 1:
        return not bool(hidden.loc[TOTAL, "yes"])
    return not bool(hidden.loc[labels, "yes"].any())


def crdc_rri(rates: CrdcRates, scope: str, threshold: int) -> pd.DataFrame:
    """RRI enrolled -> referred -> arrested by race, over the schools reporting both referrals and arrests.

    CRDC's arrested students need not be among those referred, so the arrest stage is a ratio of counts
    (Poisson interval), not a share. A race's stages are shown only when its counts survive suppression.
    """
    cells = rates.cells[(rates.cells["scope"] == scope) & (rates.cells["coverage"] == "referred_arrested")]
    counts = cells.groupby("race")[["enrolled", "referred", "arrested"]].sum()
    counts = counts.reindex([r for r in RACES if r in counts.index]).astype("int64")
    hidden = [suppress(pd.DataFrame({m: counts[m], "no": (counts["enrolled"] - counts[m]).clip(lower=0)}),
                       threshold).hidden for m in ("referred", "arrested")]
    shown = pd.Series([not any(h.loc[r].any() for h in hidden) for r in counts.index], index=counts.index)
    stages = counts.reset_index()
    rri = relative_rate_index(stages, "race", ["enrolled", "referred", "arrested"], REFERENCES["race"],
                              events_at=("arrested",))
    return hide_rri(rri, shown, REFERENCES["race"]).assign(scope=scope)
