"""Small-cell suppression: no small count is shown, and no hidden count can be worked out."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from sro_research.privacy.suppression import (
    SUPPRESSED,
    TOTAL,
    check_no_small_counts,
    check_suppressed_table,
    suppress,
    suppress_shares,
)


def recoverable(counts: pd.DataFrame, hidden: pd.DataFrame) -> list:
    """An independent check: each cell is a variable; visible cells are pinned by their bounds;
    rows and columns must add up to their totals. A hidden cell is recoverable if its smallest
    and largest feasible values are equal."""
    values = counts.to_numpy().astype(float)
    mask = hidden.to_numpy()
    rows, cols = values.shape
    n = rows * cols
    equations = []
    for i in range(rows - 1):
        eq = np.zeros((rows, cols)); eq[i, :-1] = 1; eq[i, -1] = -1; equations.append(eq.ravel())
    for j in range(cols - 1):
        eq = np.zeros((rows, cols)); eq[:-1, j] = 1; eq[-1, j] = -1; equations.append(eq.ravel())
    eq = np.zeros((rows, cols)); eq[-1, :-1] = 1; eq[-1, -1] = -1; equations.append(eq.ravel())
    eq = np.zeros((rows, cols)); eq[:-1, -1] = 1; eq[-1, -1] = -1; equations.append(eq.ravel())
    a = np.array(equations)
    bounds = [(0, None) if mask.ravel()[k] else (values.ravel()[k],) * 2 for k in range(n)]
    found = []
    for k in np.flatnonzero(mask.ravel()):
        c = np.zeros(n); c[k] = 1
        low = linprog(c, A_eq=a, b_eq=np.zeros(len(a)), bounds=bounds, method="highs")
        high = linprog(-c, A_eq=a, b_eq=np.zeros(len(a)), bounds=bounds, method="highs")
        assert low.status == 0
        if high.status == 0 and abs(-high.fun - low.fun) < 1e-6:
            found.append(divmod(k, cols))
    return found


tables = st.integers(2, 4).flatmap(
    lambda r: st.integers(2, 4).flatmap(
        lambda c: st.lists(st.lists(st.integers(0, 40), min_size=c, max_size=c), min_size=r, max_size=r)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=tables, threshold=st.integers(1, 15))
def test_no_small_count_is_shown_and_no_hidden_count_can_be_recovered(cells, threshold):
    table = pd.DataFrame(cells, index=[f"r{i}" for i in range(len(cells))],
                         columns=[f"c{j}" for j in range(len(cells[0]))])
    result = suppress(table, threshold)
    counts, hidden = result.counts, result.hidden
    assert (counts.loc[table.index, table.columns] == table).all().all()  # the counts themselves are untouched
    assert not ((counts < threshold) & ~hidden).any().any()
    assert recoverable(counts, hidden) == []
    shown = result.display()
    visible = pd.to_numeric(shown.stack(), errors="coerce").dropna()
    assert (visible >= threshold).all()
    check_suppressed_table(result)


@settings(max_examples=40, deadline=None)
@given(cells=tables)
def test_tables_without_small_counts_are_left_alone(cells):
    table = pd.DataFrame(cells) + 10
    assert not suppress(table, 10).hidden.any().any()


def test_a_single_small_cell_gets_complementary_cells():
    table = pd.DataFrame({"yes": [50, 3, 40], "no": [30, 25, 60]}, index=["a", "b", "c"])
    result = suppress(table, 10)
    hidden = result.hidden
    assert hidden.loc["b", "yes"]
    # The cheapest protection is one rectangle: b and a, yes and no; totals stay visible.
    assert hidden.to_numpy().sum() == 4
    assert hidden.loc[["a", "b"], ["yes", "no"]].all().all()
    assert recoverable(result.counts, hidden) == []
    assert result.display().loc["b", "yes"] == SUPPRESSED


def test_one_small_group_costs_one_other_group_not_the_whole_table():
    table = pd.DataFrame({"complete": [6706, 676, 579, 144], "partial": [244, 24, 21, 6]},
                         index=["students", "staff", "parents", "community"])
    hidden = suppress(table, 10).hidden
    assert hidden.loc[["parents", "community"], ["complete", "partial"]].all().all()
    assert hidden.to_numpy().sum() == 4  # the smallest partner row (parents) is hidden with community


def test_small_totals_are_suppressed_too():
    table = pd.DataFrame({"x": [4, 30], "y": [3, 40]}, index=["small", "big"])
    result = suppress(table, 10)
    assert result.hidden.loc["small", TOTAL]


def test_bad_tables_and_thresholds_are_refused():
    with pytest.raises(ValueError, match="at least 1"):
        suppress(pd.DataFrame({"a": [1]}), 0)
    with pytest.raises(ValueError, match="non-negative whole-number"):
        suppress(pd.DataFrame({"a": [1.5, 2]}), 10)
    with pytest.raises(ValueError, match="non-negative whole-number"):
        suppress(pd.DataFrame({"a": [-1, 2]}), 10)


def test_check_suppressed_table_catches_an_exposed_cell():
    result = suppress(pd.DataFrame({"yes": [50, 3], "no": [30, 25]}), 10)
    result.hidden.loc[:, :] = False
    result.hidden.iloc[1, 0] = True  # only the small cell: row total minus the other cell gives it away
    result.counts.iloc[1, 0] = 13  # and pretend it is not small, to reach the recovery check
    with pytest.raises(ValueError, match="worked out"):
        check_suppressed_table(result)


def test_guard_raises_on_any_visible_small_count():
    table = pd.DataFrame({"group": ["a", "b"], "count": [12, 9], "n": [40, 30]})
    with pytest.raises(ValueError, match="count = 9"):
        check_no_small_counts(table, 10, ["count", "n"])
    fine = pd.DataFrame({"group": ["a", "b"], "count": [12, SUPPRESSED], "n": [40, SUPPRESSED]})
    check_no_small_counts(fine, 10, ["count", "n"])


def test_guard_checks_what_a_reader_could_subtract():
    table = pd.DataFrame({"count": [35], "n": [40]})
    with pytest.raises(ValueError, match="n - count = 5"):
        check_no_small_counts(table, 10, ["count"], total_column="n")


def test_shares_are_hidden_when_count_n_or_the_rest_is_small():
    table = pd.DataFrame({"group": list("abcd"), "count": [5, 30, 38, 20], "n": [40, 35, 40, 30],
                          "share": [0.125, 30 / 35, 0.95, 20 / 30]})
    out = suppress_shares(table, "count", "n", 10)
    assert out["suppressed"].tolist() == [True, True, True, False]
    assert out.loc[0, "share"] == SUPPRESSED and out.loc[3, "share"] == pytest.approx(20 / 30)
    check_no_small_counts(out, 10, ["count", "n"], total_column="n")


small_tables = st.integers(2, 5).flatmap(
    lambda r: st.integers(2, 5).flatmap(
        lambda c: st.lists(st.lists(st.integers(0, 14), min_size=c, max_size=c), min_size=r, max_size=r)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=small_tables)
def test_tables_full_of_small_and_zero_counts_stay_protected(cells):
    """Mostly-small tables force long chains of complementary suppression (and zeros, which
    non-negativity can pin); no hidden cell may be recoverable."""
    table = pd.DataFrame(cells)
    result = suppress(table, 10)
    assert not ((result.counts < 10) & ~result.hidden).any().any()
    assert recoverable(result.counts, result.hidden) == []


def test_cells_hidden_in_another_table_are_kept_hidden_and_protected():
    # The column totals are hidden elsewhere (e.g. in a coarser table): with one row they equal
    # the cells, so the cells must be hidden too, and nothing hidden may be worked out.
    table = pd.DataFrame({"agreed": [40], "did not agree": [12]}, index=["white"])
    also = pd.DataFrame(False, index=["white", TOTAL], columns=["agreed", "did not agree", TOTAL])
    also.loc[TOTAL, ["agreed", "did not agree"]] = True
    result = suppress(table, 10, also_hide=also)
    assert result.hidden.loc[TOTAL, "agreed"] and result.hidden.loc["white", "agreed"]
    check_suppressed_table(result)
    assert not suppress(table, 10).hidden.any().any()  # without it, nothing is small
