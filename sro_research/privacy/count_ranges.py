"""The smallest and largest value a reader can infer for a hidden count: linear programmes over counts.

A reader knows every visible count exactly (equations a_eq @ x == b_eq over the unknown counts x) and
that no count is negative. For a hidden count c @ x, two linear programmes give its smallest and largest
value consistent with that. privacy.suppression (one table with its totals) and privacy.disclosure (all
of a report's tables together) ask this for every hidden count, dozens of times over the same equations.

`CountRanges` builds the HiGHS model of the equations once and re-solves it for each count, starting
from the last solution's basis: the same optimal values as a fresh solve (an LP's optimum is unique), in
a fraction of the time of scipy's `linprog`, which builds a new model for every programme. It drives the
HiGHS binding scipy ships (`scipy.optimize._highspy`, the solver `linprog(method="highs")` runs). Which
visible counts pin a range (the equations with a non-zero dual value) is not unique when the programme
is degenerate, so `pinned_by` solves from scratch: its answer does not depend on what was solved before.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.optimize._highspy import _core as highs

_DUAL_TOLERANCE = 1e-6
_WHOLE = 1e-6  # a value this close to a whole number is that number (counts; HiGHS's tolerance is about 1e-7)
_UNBOUNDED = {highs.HighsModelStatus.kUnbounded, highs.HighsModelStatus.kUnboundedOrInfeasible}


class CountRanges:
    """x >= 0 with a_eq @ x == b_eq, as one HiGHS model re-solved for each hidden count."""

    def __init__(self, a_eq: np.ndarray, b_eq: np.ndarray):
        a_eq = np.asarray(a_eq, dtype=float)
        self.width = a_eq.shape[1]
        self._highs = highs._Highs()
        self._highs.setOptionValue("output_flag", False)
        self._highs.addVars(self.width, np.zeros(self.width), np.full(self.width, highs.kHighsInf))
        if len(a_eq):
            rows = sparse.csr_matrix(a_eq)
            b_eq = np.asarray(b_eq, dtype=float)
            self._highs.addRows(len(b_eq), b_eq, b_eq, rows.nnz, rows.indptr[:-1].astype(np.int32),
                                rows.indices.astype(np.int32), rows.data)
        self._columns = np.arange(self.width, dtype=np.int32)

    def _solve(self, cost: np.ndarray) -> float | None:
        """The minimum of cost @ x, or None when it is unbounded below."""
        self._highs.changeColsCost(self.width, self._columns, np.asarray(cost, dtype=float))
        self._highs.run()
        status = self._highs.getModelStatus()
        if status in _UNBOUNDED:
            return None
        if status != highs.HighsModelStatus.kOptimal:
            raise RuntimeError(f"a hidden count's range failed to solve ({self._highs.modelStatusToString(status)})")
        return self._highs.getInfo().objective_function_value

    def range(self, objective: np.ndarray) -> tuple[float, float]:
        """(smallest, largest) value of objective @ x; largest is inf when unbounded."""
        low = self._solve(objective)
        if low is None:
            raise RuntimeError("a hidden count's smallest value is unbounded: counts must be non-negative")
        high = self._solve(-np.asarray(objective, dtype=float))
        return _whole(low), np.inf if high is None else _whole(-high)

    def pinned_by(self, objective: np.ndarray) -> np.ndarray:
        """Which equations pin the range: True where the dual value is non-zero in the programme for the
        smallest or the largest value, each solved from scratch."""
        binding = np.zeros(self._highs.getNumRow(), dtype=bool)
        for sign in (1.0, -1.0):
            self._highs.clearSolver()
            if self._solve(sign * np.asarray(objective, dtype=float)) is not None and len(binding):
                binding |= np.abs(np.asarray(self._highs.getSolution().row_dual)) > _DUAL_TOLERANCE
        self._highs.clearSolver()
        return binding


def _whole(value: float) -> float:
    nearest = round(value)
    return float(nearest) if abs(value - nearest) < _WHOLE else float(value)
