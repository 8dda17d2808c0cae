"""Small-cell suppression for count tables, so no report shows or lets a reader work out a small count.

Primary suppression hides every count under the threshold (zero included: the project rule is
that no count under the threshold is ever shown). Complementary suppression then hides further
cells until no hidden cell can be worked out from what is shown: for each hidden cell we solve two
linear programmes (its smallest and largest value consistent with the visible cells, the row and
column totals, and counts never being negative); the cell is safe only if these differ. For a
two-way table with totals the extreme solutions are whole numbers, so "differ" means at least two
possible integer values.

Tables are handled with their totals: an r x c table of counts becomes (r+1) x (c+1), with row
totals in the last column, column totals in the last row and the grand total in the corner, and
totals are suppressed like any other count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog

DEFAULT_THRESHOLD = 10
TOTAL = "Total"
SUPPRESSED = "suppressed"  # what a reader sees instead of a hidden count


@dataclass
class SuppressedTable:
    counts: pd.DataFrame  # with totals, all counts (never show this)
    hidden: pd.DataFrame  # same shape, True where a count is suppressed
    threshold: int

    def display(self, marker: str = SUPPRESSED) -> pd.DataFrame:
        """The table a reader may see: hidden counts replaced by `marker`."""
        shown = self.counts.astype(object).where(~self.hidden, marker)
        return shown


def with_totals(table: pd.DataFrame) -> pd.DataFrame:
    """`table` of counts plus a Total row and column."""
    out = table.copy()
    out[TOTAL] = out.sum(axis=1)
    out.loc[TOTAL] = out.sum(axis=0)
    return out.astype("int64")


def _equations(rows: int, cols: int) -> np.ndarray:
    """A @ cells.ravel() == 0 for an augmented (rows x cols) table whose last row/column are totals."""
    equations = []
    for i in range(rows):
        eq = np.zeros((rows, cols))
        eq[i, : cols - 1] = 1
        eq[i, cols - 1] = -1
        equations.append(eq.ravel())
    for j in range(cols):
        eq = np.zeros((rows, cols))
        eq[: rows - 1, j] = 1
        eq[rows - 1, j] = -1
        equations.append(eq.ravel())
    return np.array(equations)


def feasible_ranges(values: np.ndarray, hidden: np.ndarray) -> dict[tuple[int, int], tuple[float, float]]:
    """For each hidden cell of an augmented table, its (min, max) given the visible cells.

    max is inf when the cell is unbounded.
    """
    rows, cols = values.shape
    a = _equations(rows, cols)
    flat_hidden = hidden.ravel()
    if not flat_hidden.any():
        return {}
    a_hidden = a[:, flat_hidden]
    b = -a[:, ~flat_hidden] @ values.ravel()[~flat_hidden].astype(float)
    positions = [divmod(k, cols) for k in np.flatnonzero(flat_hidden)]
    ranges = {}
    for n, position in enumerate(positions):
        c = np.zeros(a_hidden.shape[1])
        c[n] = 1.0
        low = linprog(c, A_eq=a_hidden, b_eq=b, bounds=(0, None), method="highs")
        high = linprog(-c, A_eq=a_hidden, b_eq=b, bounds=(0, None), method="highs")
        if low.status != 0:
            raise RuntimeError(f"suppression check failed to solve ({low.message})")
        top = np.inf if high.status == 3 else -high.fun
        ranges[position] = (low.fun, top)
    return ranges


def exposed_cells(values: np.ndarray, hidden: np.ndarray) -> list[tuple[int, int]]:
    """Hidden cells whose value a reader could work out exactly."""
    return [pos for pos, (low, high) in feasible_ranges(values, hidden).items() if high - low < 0.5]


def suppress(table: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD, totals: bool = True,
             also_hide: pd.DataFrame | None = None) -> SuppressedTable:
    """Primary plus complementary suppression of a table of counts (rows x columns, no totals).

    With totals=False the table is treated as shown without totals, but its totals are still
    assumed knowable (e.g. from another table), so protection is the same. `also_hide` (labelled
    like the table with its Total row and column) marks cells hidden elsewhere, e.g. a total that
    another table hides: they start hidden here and are protected like the small ones.
    """
    if threshold < 1:
        raise ValueError(f"suppression threshold must be at least 1, got {threshold}")
    if table.empty:
        raise ValueError("cannot suppress an empty table")
    numeric = table.apply(pd.to_numeric, errors="coerce")
    if numeric.isna().any().any() or (numeric < 0).any().any() or (numeric % 1 != 0).any().any():
        raise ValueError("suppression needs a table of non-negative whole-number counts")
    full = with_totals(numeric.astype("int64"))
    values = full.to_numpy()
    hidden = values < threshold
    if also_hide is not None:
        hidden |= also_hide.reindex(index=full.index, columns=full.columns, fill_value=False).to_numpy(dtype=bool)
    while True:
        exposed = exposed_cells(values, hidden)
        if not exposed:
            break
        for position in _complement_for(exposed[0], values, hidden):
            hidden[position] = True
    result = SuppressedTable(full, pd.DataFrame(hidden, index=full.index, columns=full.columns), threshold)
    if not totals:
        result.counts = result.counts.drop(index=TOTAL, columns=TOTAL)
        result.hidden = result.hidden.drop(index=TOTAL, columns=TOTAL)
    return result


def _complement_for(cell: tuple[int, int], values: np.ndarray, hidden: np.ndarray) -> list[tuple[int, int]]:
    """Visible cells to hide next so that `cell` can no longer be worked out.

    An inner cell is protected by a rectangle of inner cells: moving +t/-t around its corners
    keeps every total, so no total pins any corner. We pick the rectangle that hides the fewest
    new cells, then the smallest counts (they lose the reader least). A total, or a cell with no
    such rectangle left, gets the smallest visible cell in its row or column instead.
    """
    rows, cols = values.shape
    i, j = cell
    if i < rows - 1 and j < cols - 1:
        options = []
        for i2 in range(rows - 1):
            for j2 in range(cols - 1):
                if i2 == i or j2 == j:
                    continue
                new = [p for p in ((i, j2), (i2, j), (i2, j2)) if not hidden[p]]
                if new:
                    options.append((len(new), sum(int(values[p]) for p in new), (i2, j2), new))
        if options:
            return min(options)[3]
    line = [(i, c) for c in range(cols)] + [(r, j) for r in range(rows)]
    candidates = [p for p in line if not hidden[p]]
    if not candidates:  # pinned through other lines; widen to every visible cell
        candidates = [tuple(int(x) for x in p) for p in np.argwhere(~hidden)]
    return [min(candidates, key=lambda p: (p[0] == rows - 1 or p[1] == cols - 1, values[p], p))]


# --------------------------------------------------------------------------- shares


def suppress_shares(table: pd.DataFrame, count: str, n: str, threshold: int = DEFAULT_THRESHOLD,
                    dependent: tuple[str, ...] = ("share", "ci_low", "ci_high")) -> pd.DataFrame:
    """Hide a row's count, n and share when the count, n or n - count is under the threshold.

    A share with its n gives away the count and the count of everyone else, so all three must
    be large enough to show.
    """
    out = table.copy()
    small = (out[count] < threshold) | (out[n] < threshold) | ((out[n] - out[count]) < threshold)
    for column in (count, n, *[d for d in dependent if d in out]):
        out[column] = out[column].astype(object).where(~small, SUPPRESSED)
    out["suppressed"] = small
    return out


def check_no_small_counts(table: pd.DataFrame, threshold: int, count_columns: list[str],
                          total_column: str | None = None) -> None:
    """Raise if a count about to be shown is under the threshold.

    Checks each visible (numeric) cell of `count_columns`; with `total_column`, also total minus
    each count (what a reader could subtract). Cells showing the suppression marker are skipped.
    """
    problems = []
    for column in count_columns:
        if column not in table:
            raise KeyError(f"no column {column!r} to check for small counts")
        values = pd.to_numeric(table[column], errors="coerce")
        for index in values[values < threshold].index:
            problems.append(f"{column} = {int(values[index])} in row {index!r}")
        if total_column is not None and column != total_column:
            totals = pd.to_numeric(table[total_column], errors="coerce")
            rest = totals - values
            for index in rest[rest < threshold].index:
                problems.append(f"{total_column} - {column} = {int(rest[index])} in row {index!r}")
    if problems:
        raise ValueError(f"a count under the suppression threshold ({threshold}) would be shown: " + "; ".join(problems))


def check_shares_need_counts(table: pd.DataFrame, share_columns: list[str], count: str, n: str) -> None:
    """Raise if a share is shown while its count or n is hidden: the share would give it away."""
    hidden = (table[count] == SUPPRESSED) | (table[n] == SUPPRESSED)
    for column in share_columns:
        if ((table[column] != SUPPRESSED) & hidden).any():
            rows = list(table.index[(table[column] != SUPPRESSED) & hidden])
            raise ValueError(f"{column} is shown in rows {rows} whose {count} or {n} is suppressed; it would reveal them")


def check_suppressed_table(result: SuppressedTable) -> None:
    """Raise unless every small count is hidden and no hidden count can be worked out."""
    values = result.counts.to_numpy()
    hidden = result.hidden.to_numpy()
    if ((values < result.threshold) & ~hidden).any():
        raise ValueError(f"a count under the suppression threshold ({result.threshold}) would be shown")
    if TOTAL in result.counts.index and TOTAL in result.counts.columns and exposed_cells(values, hidden):
        raise ValueError("a suppressed count could be worked out from the table's totals")
