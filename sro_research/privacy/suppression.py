"""Small-cell suppression for count tables, so no report shows or lets a reader work out a small count.

Primary suppression hides every count under the threshold (zero included: the project rule is
that no count under the threshold is ever shown). Complementary suppression then hides further
cells until no hidden cell can be worked out from what is shown: for each hidden cell we solve two
linear programmes (its smallest and largest value consistent with the visible cells, the row and
column totals, and counts never being negative; privacy.count_ranges); the cell is safe only if these differ. For a
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

from sro_research.privacy.count_ranges import CountRanges

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

    def is_hidden(self, row, column) -> bool:
        return bool(self.hidden.loc[row, column])


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


def feasible_ranges(values: np.ndarray, hidden: np.ndarray,
                    skip: set | None = None) -> dict[tuple[int, int], tuple[float, float]]:
    """For each hidden cell of an augmented table (except those in `skip`), its (min, max) given
    the visible cells.

    max is inf when the cell is unbounded.
    """
    rows, cols = values.shape
    a = _equations(rows, cols)
    flat_hidden = hidden.ravel()
    if not flat_hidden.any():
        return {}
    a_hidden = a[:, flat_hidden]
    b = -a[:, ~flat_hidden] @ values.ravel()[~flat_hidden].astype(float)
    positions = [divmod(int(k), cols) for k in np.flatnonzero(flat_hidden)]
    solver = CountRanges(a_hidden, b)
    unit = np.eye(len(positions))
    return {position: solver.range(unit[n]) for n, position in enumerate(positions)
            if not (skip and position in skip)}


def exposed_cells(values: np.ndarray, hidden: np.ndarray, safe: set | None = None) -> list[tuple[int, int]]:
    """Hidden cells whose value a reader could work out exactly. Cells in `safe` (found safe with
    fewer cells hidden) are not solved again: hiding more only widens what a reader must allow."""
    ranges = feasible_ranges(values, hidden, skip=safe)
    exposed = [pos for pos, (low, high) in ranges.items() if high - low < 0.5]
    if safe is not None:
        safe.update(pos for pos in ranges if pos not in exposed)
    return exposed


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
    safe: set = set()
    while True:
        exposed = exposed_cells(values, hidden, safe)
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


# --------------------------------------------------------------------------- share tables


@dataclass(frozen=True)
class SuppressedShares:
    """A long table of shares (by..., answer, count, n, share, ci_low, ci_high), suppressed once.

    `table` holds every value (never show it); `hidden_count` and `hidden_n` say which counts and
    which n's a reader may not see. Sentences, checks and charts read this object, so they can
    never quote a cell the shown table hides.
    """

    table: pd.DataFrame
    by: tuple[str, ...]
    hidden_count: pd.Series
    hidden_n: pd.Series
    threshold: int

    @property
    def hidden_share(self) -> pd.Series:
        """A share (and its interval) is hidden with its count or its n: with either it gives the other away."""
        return self.hidden_count | self.hidden_n

    def rows(self, answer: str | None = None, **keys) -> pd.DataFrame:
        """Rows matching `answer` and the given group keys (e.g. role="staff"), every value included."""
        match = pd.Series(True, index=self.table.index)
        if answer is not None:
            match &= self.table["answer"] == answer
        for column, key in keys.items():
            match &= self.table[column] == key
        return self.table[match]

    def share_hidden(self, answer: str, **keys) -> bool:
        """Whether the share of `answer` in the group `keys` is hidden (True when there is no such row)."""
        rows = self.rows(answer, **keys)
        return rows.empty or bool(self.hidden_share[rows.index].any())

    def visible(self, answer: str | None = None) -> pd.DataFrame:
        """Rows whose count, n and share a reader sees."""
        rows = self.rows(answer)
        return rows[~self.hidden_share[rows.index]]

    def display(self) -> pd.DataFrame:
        """The table a reader may see: hidden counts, n's and shares replaced by the marker."""
        out = self.table.astype({c: object for c in ("count", "n", "share", "ci_low", "ci_high")})
        out.loc[self.hidden_count, "count"] = SUPPRESSED
        out.loc[self.hidden_n, "n"] = SUPPRESSED
        for column in ("share", "ci_low", "ci_high"):
            out.loc[self.hidden_share, column] = SUPPRESSED
        out["suppressed"] = self.hidden_share
        return out

    def also_hide(self, counts: pd.Series | None = None, ns: pd.Series | None = None) -> "SuppressedShares":
        """This table with more counts (or n's, for every row of their group) hidden, e.g. by a
        cross-table disclosure audit. Hiding more never reveals anything."""
        hidden_count = self.hidden_count | (counts if counts is not None else False)
        hidden_n = self.hidden_n.copy()
        if ns is not None and ns.any():
            groups = self.table[list(self.by)].apply(tuple, axis=1)
            hidden_n |= groups.isin(set(groups[ns]))
        return SuppressedShares(self.table, self.by, hidden_count.astype(bool), hidden_n, self.threshold)


def suppress_share_table(table: pd.DataFrame, by: list[str], threshold: int = DEFAULT_THRESHOLD) -> SuppressedShares:
    """Suppress a long share table once: within each group of by[:-1], the by[-1] x answer counts
    with their totals get primary and complementary suppression.

    With several `by` columns, what the coarser table (by[:-1] alone, shown in the same report)
    hides stays hidden here, or the rows would add up to it.
    """
    hidden_count, hidden_n = _hidden_shares(table, list(by), threshold)
    return SuppressedShares(table, tuple(by), hidden_count, hidden_n, threshold)


def _hidden_shares(table: pd.DataFrame, by: list[str], threshold: int) -> tuple[pd.Series, pd.Series]:
    outer, inner = by[:-1], by[-1]
    hidden_count = pd.Series(False, index=table.index)
    hidden_n = pd.Series(False, index=table.index)
    coarse = {}
    if outer:
        totals = table.groupby([*outer, "answer"], sort=False)["count"].sum().reset_index()
        coarse_count, coarse_n = _hidden_shares(totals, outer, threshold)
        for i, row in totals.iterrows():
            key = tuple(row[c] for c in outer)
            coarse.setdefault(key, {})[row["answer"]] = bool(coarse_count[i])
            coarse[key][TOTAL] = bool(coarse_n[i])
    parts = table.groupby(outer, sort=False) if outer else [((), table)]
    for keys, part in parts:
        counts = part.pivot(index=inner, columns="answer", values="count").fillna(0).astype("int64")
        keys = keys if isinstance(keys, tuple) else (keys,)
        also_hide = None
        if coarse.get(keys):
            also_hide = pd.DataFrame(False, index=[*counts.index, TOTAL], columns=[*counts.columns, TOTAL])
            for answer, hidden in coarse[keys].items():
                if answer in also_hide.columns:
                    also_hide.loc[TOTAL, answer] = hidden
        result = suppress(counts, threshold, also_hide=also_hide)
        for i, row in part.iterrows():
            hidden_count[i] = bool(result.hidden.loc[row[inner], row["answer"]])
            hidden_n[i] = bool(result.hidden.loc[row[inner], TOTAL])
    return hidden_count, hidden_n


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
