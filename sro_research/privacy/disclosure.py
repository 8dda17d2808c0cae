"""Disclosure control across a whole report: what could a reader infer from ALL its tables together?

Each table is suppressed on its own first (privacy.suppression). Tables about the same respondents
then overlap: a count hidden in one table may be pinned down by rows of another plus a total from
a third. This audit describes every published count as a sum over the cells ("atoms") of the full
cross-classification of respondents (e.g. role x race x answer to each question). A reader knows
every visible count exactly and that no atom is negative; for every hidden count it solves two
linear programmes (HiGHS, privacy.count_ranges: one model per set of visible counts, re-solved for
each hidden count) for the smallest and largest value consistent with that.

Counts are whole numbers, but the programmes are solved over real numbers (a linear relaxation):
the range found can be slightly wider than the whole-number range, never narrower than the truth
by more than that rounding, so the audit asks for ranges at least `threshold` wide.

A hidden count whose range is narrower than the threshold gets more cells hidden (the smallest
visible count that shares respondents with it) until every range is wide enough. Hiding more only
widens ranges, so only the narrow cells need solving again.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from sro_research.privacy.count_ranges import CountRanges

MISSING = "(no answer)"  # the category of an unanswered question in the audit's cross-classification
_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Cell:
    """One published count: the respondents whose answer to each `where` variable is in its set.
    `key` names the cell in its table; `hidden` says whether a reader sees it."""

    table: str
    key: tuple
    where: tuple[tuple[str, frozenset], ...]
    hidden: bool


def cell(table: str, key: tuple, hidden: bool, **where) -> Cell:
    """A Cell from keyword sets, e.g. cell("agreement", ("staff",), False, role={"staff"})."""
    return Cell(table, key, tuple(sorted((name, frozenset(values)) for name, values in where.items())), bool(hidden))


@dataclass
class Audit:
    """The result a report prints in its method notes."""

    threshold: int
    cells_checked: int
    hidden_cells: int
    smallest_range: float  # inf when no hidden cell is bounded (or none is hidden)
    newly_hidden: list[Cell] = field(default_factory=list)
    ranges: dict[tuple[str, tuple], tuple[float, float]] = field(default_factory=dict)

    def describe(self) -> str:
        if self.hidden_cells == 0:
            return f"Cross-table disclosure audit: {self.cells_checked} published counts, none hidden."
        width = "unbounded" if np.isinf(self.smallest_range) else f"{self.smallest_range:,.0f}"
        added = (f" It hid {len(self.newly_hidden)} more count(s) so that every range is at least "
                 f"{self.threshold} wide." if self.newly_hidden else "")
        return (f"Cross-table disclosure audit: for each of the {self.hidden_cells} hidden counts (of "
                f"{self.cells_checked} published), the smallest and largest value consistent with all the "
                f"report's tables and totals together were solved by linear programming (counts relaxed "
                f"to real numbers). The narrowest range is {width} wide; the rule is at least "
                f"{self.threshold}.{added}")


def _atoms(categories: dict[str, list]) -> pd.DataFrame:
    names = list(categories)
    return pd.DataFrame(list(itertools.product(*(categories[n] for n in names))), columns=names)


def _members(cells: list[Cell], atoms: pd.DataFrame) -> np.ndarray:
    matrix = np.zeros((len(cells), len(atoms)))
    for row, c in enumerate(cells):
        inside = np.ones(len(atoms), dtype=bool)
        for name, values in c.where:
            inside &= atoms[name].isin(values).to_numpy()
        matrix[row] = inside
    return matrix


def _atom_counts(frame: pd.DataFrame, atoms: pd.DataFrame, weight: str | None = None) -> np.ndarray:
    """Respondents per atom; with `weight`, frame rows are already counts (e.g. a published aggregate file)."""
    names = list(atoms.columns)
    unknown = {n: sorted(set(frame[n]) - set(atoms[n])) for n in names}
    unknown = {n: v for n, v in unknown.items() if v}
    if unknown:
        raise ValueError(f"disclosure audit: answers outside the declared categories: {unknown}")
    counts = frame.groupby(names, sort=False)[weight].sum() if weight else frame.groupby(names, sort=False).size()
    index = pd.MultiIndex.from_frame(atoms)
    return counts.reindex(index, fill_value=0).to_numpy(dtype=float)


def _merged(members: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Atoms that lie in exactly the same cells are one variable to a reader: merge them (the
    programmes' ranges are unchanged, and much faster to solve)."""
    columns, inverse = np.unique(members.T, axis=0, return_inverse=True)
    merged_counts = np.zeros(len(columns))
    np.add.at(merged_counts, inverse.ravel(), counts)
    return columns.T, merged_counts


def protect(frame: pd.DataFrame, categories: dict[str, list], cells: list[Cell],
            threshold: int, weight: str | None = None) -> tuple[list[Cell], Audit]:
    """Audit `cells` (all the report's published counts over the respondents in `frame`, whose
    columns are the variables of `categories`) and hide more until every hidden count's inferable
    range is at least `threshold` wide. Returns the cells (with `hidden` updated) and the audit.
    With `weight`, each row of `frame` stands for that column's number of respondents."""
    if threshold < 1:
        raise ValueError(f"suppression threshold must be at least 1, got {threshold}")
    cells = list(cells)
    if not cells:
        return cells, Audit(threshold, 0, 0, np.inf)
    atoms = _atoms(categories)
    columns = [*categories, *([weight] if weight else [])]
    members, counts = _merged(_members(cells, atoms), _atom_counts(frame[columns], atoms, weight))
    values = members @ counts
    hidden = np.array([c.hidden for c in cells])
    ranges: dict[int, tuple[float, float]] = {}
    to_solve = set(np.flatnonzero(hidden))
    added: list[int] = []
    while True:
        visible = np.flatnonzero(~hidden)
        solver = CountRanges(members[visible], values[visible])
        for i in sorted(to_solve):
            ranges[i] = solver.range(members[i])
        narrow = [i for i in ranges if ranges[i][1] - ranges[i][0] < threshold - _TOLERANCE]
        if not narrow:
            break
        chosen = set()
        for i in sorted(narrow, key=lambda i: (ranges[i][1] - ranges[i][0], i)):
            candidates = visible[solver.pinned_by(members[i])]
            if len(candidates) == 0:
                candidates = visible[(members[visible] @ members[i]) > 0]
            if len(candidates) == 0:
                raise RuntimeError(f"disclosure audit: {cells[i].table} {cells[i].key} cannot be protected")
            if chosen & set(candidates.tolist()):
                continue  # this round already hides one of the counts that pin it
            # Of the visible counts that pin it, the smallest: it costs the reader least.
            chosen.add(int(min(candidates, key=lambda j: (values[j], members[j].sum(), j))))
        for j in sorted(chosen):
            hidden[j] = True
            added.append(j)
        to_solve = set(narrow) | chosen
    widths = [high - low for low, high in ranges.values()]
    out = [replace(c, hidden=bool(h)) for c, h in zip(cells, hidden, strict=True)]
    audit = Audit(threshold=threshold, cells_checked=len(cells), hidden_cells=int(hidden.sum()),
                  smallest_range=min(widths) if widths else np.inf,
                  newly_hidden=[out[i] for i in added],
                  ranges={(cells[i].table, cells[i].key): r for i, r in ranges.items()})
    return out, audit


def inferable_ranges(frame: pd.DataFrame, categories: dict[str, list],
                     cells: list[Cell]) -> dict[tuple[str, tuple], tuple[float, float]]:
    """For each hidden cell, its (min, max) given every visible cell, without hiding anything more."""
    atoms = _atoms(categories)
    members, counts = _merged(_members(cells, atoms), _atom_counts(frame[list(categories)], atoms))
    values = members @ counts
    visible = np.array([not c.hidden for c in cells])
    solver = CountRanges(members[visible], values[visible])
    return {(c.table, c.key): solver.range(members[i]) for i, c in enumerate(cells) if c.hidden}
