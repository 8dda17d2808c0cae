"""Cross-table disclosure audit: hidden counts keep a range at least the threshold wide given every
published table together."""

import itertools

import numpy as np
import pandas as pd
import pytest

from sro_research.privacy.disclosure import Audit, cell, inferable_ranges, protect

CATEGORIES = {"role": ["parent", "community"], "race": ["american_indian", "white"], "agreed": ["yes", "no"]}


def _frame(counts: dict[tuple, int]) -> pd.DataFrame:
    rows = [key for key, n in counts.items() for _ in range(n)]
    return pd.DataFrame(rows, columns=list(CATEGORIES))


# 4 American Indian parents (3 agreed), 282 White parents, 40 White community members.
PEOPLE = _frame({("parent", "american_indian", "yes"): 3, ("parent", "american_indian", "no"): 1,
                 ("parent", "white", "yes"): 200, ("parent", "white", "no"): 82,
                 ("community", "white", "yes"): 25, ("community", "white", "no"): 15})


def _report_cells(hidden: set) -> list:
    """A report's tables: agreement by role; agreement and n by role x race; respondents by role."""
    cells = []
    for role in CATEGORIES["role"]:
        cells.append(cell("by_role", (role, "agreed"), (role, "agreed") in hidden, role={role}, agreed={"yes"}))
        cells.append(cell("respondents", (role,), (role,) in hidden, role={role}))
        for race in CATEGORIES["race"]:
            key = (role, race)
            cells.append(cell("by_race", (*key, "agreed"), (*key, "agreed") in hidden, role={role}, race={race}, agreed={"yes"}))
            cells.append(cell("by_race", (*key, "n"), (*key, "n") in hidden, role={role}, race={race}))
    return cells


def _brute_force_range(cells, frame, key) -> tuple[int, int]:
    """Every whole-number table (atom counts up to a bound) consistent with the visible cells."""
    atoms = list(itertools.product(*CATEGORIES.values()))
    truth = frame.value_counts().reindex(pd.MultiIndex.from_tuples(atoms, names=list(CATEGORIES)), fill_value=0)
    def value(c, counts):
        return sum(n for atom, n in zip(atoms, counts, strict=True)
                   if all(atom[list(CATEGORIES).index(name)] in values for name, values in c.where))
    visible = [(c, value(c, truth.to_numpy())) for c in cells if not c.hidden]
    target = next(c for c in cells if (c.table, c.key) == key)
    # Only the parent American Indian atoms are uncertain in this small test; search them.
    free = [i for i, atom in enumerate(atoms) if atom[0] == "parent" and atom[1] == "american_indian"]
    found = []
    for guess in itertools.product(range(0, 30), repeat=len(free)):
        counts = truth.to_numpy().copy()
        counts[free] = guess
        if all(value(c, counts) == v for c, v in visible):
            found.append(value(target, counts))
    return min(found), max(found)


def test_tables_suppressed_one_at_a_time_can_pin_a_hidden_count_together():
    # Each table alone hides the small American Indian parent cells, but the respondents table and
    # the by-race n of White parents give the American Indian parents' n away exactly.
    hidden = {("parent", "american_indian", "agreed"), ("parent", "american_indian", "n")}
    cells = _report_cells(hidden)
    ranges = inferable_ranges(PEOPLE, CATEGORIES, cells)
    low, high = ranges[("by_race", ("parent", "american_indian", "n"))]
    assert high - low < 0.5 and low == pytest.approx(4)
    assert _brute_force_range(cells, PEOPLE, ("by_race", ("parent", "american_indian", "n"))) == (4, 4)


def test_protect_hides_more_until_every_range_is_at_least_the_threshold():
    hidden = {("parent", "american_indian", "agreed"), ("parent", "american_indian", "n")}
    cells, audit = protect(PEOPLE, CATEGORIES, _report_cells(hidden), threshold=10)
    assert audit.newly_hidden, "the audit must hide more to protect the 4 parents"
    assert audit.smallest_range >= 10
    after = inferable_ranges(PEOPLE, CATEGORIES, cells)
    assert all(high - low >= 10 - 1e-6 for low, high in after.values())
    assert "hid" in audit.describe() and "10" in audit.describe()


def test_relaxed_ranges_contain_the_whole_number_ranges():
    hidden = {("parent", "american_indian", "agreed"), ("parent", "american_indian", "n"), ("parent",),
              ("parent", "white", "n"), ("parent", "white", "agreed"), ("parent", "agreed")}
    cells = _report_cells(hidden)
    relaxed = inferable_ranges(PEOPLE, CATEGORIES, cells)
    key = ("by_race", ("parent", "american_indian", "agreed"))
    whole = _brute_force_range(cells, PEOPLE, key)
    low, high = relaxed[key]
    assert low <= whole[0] + 1e-6 and (high >= whole[1] - 1e-6)


def test_nothing_hidden_means_nothing_to_solve():
    cells, audit = protect(PEOPLE, CATEGORIES, _report_cells(set()), threshold=10)
    assert isinstance(audit, Audit) and audit.hidden_cells == 0 and np.isinf(audit.smallest_range)
    assert "none hidden" in audit.describe()


def test_answers_outside_the_declared_categories_are_refused():
    odd = pd.concat([PEOPLE, pd.DataFrame([{"role": "staff", "race": "white", "agreed": "yes"}])])
    with pytest.raises(ValueError, match="outside the declared categories"):
        protect(odd, CATEGORIES, _report_cells(set()), threshold=10)


def test_a_threshold_under_one_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        protect(PEOPLE, CATEGORIES, _report_cells(set()), threshold=0)


def test_count_ranges_match_a_fresh_linear_programme_per_count():
    """privacy.count_ranges re-solves one model per set of visible counts: the same ranges (and, solved
    from scratch, the same pinning counts) as scipy's linprog solving each programme alone."""
    from scipy.optimize import linprog

    from sro_research.privacy.count_ranges import CountRanges

    rng = np.random.default_rng(3)
    for _ in range(5):
        members = (rng.random((14, 9)) < 0.4).astype(float)
        members[:8, -1] = 0  # the last atom is in no visible count: counts holding it are unbounded above
        values = members @ rng.integers(0, 30, 9)
        visible, hidden = members[:8], members[8:]
        solver = CountRanges(visible, values[:8])
        for objective in hidden:
            low = linprog(objective, A_eq=visible, b_eq=values[:8], method="highs")
            high = linprog(-objective, A_eq=visible, b_eq=values[:8], method="highs")
            expected = (low.fun, np.inf if high.status == 3 else -high.fun)
            assert solver.range(objective) == pytest.approx(expected, abs=1e-6)
            pins = np.abs(low.eqlin.marginals) > 1e-6
            if high.status == 0:
                pins |= np.abs(high.eqlin.marginals) > 1e-6
            assert (solver.pinned_by(objective) == pins).all()
