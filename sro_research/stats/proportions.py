"""Proportions and tests of independence for counts: Wilson intervals, and a chi-square test that
falls back to an exact (2 x 2) or Monte-Carlo p-value when an expected count is small.

General and pure: callers pass counts, never files or report wording.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency, fisher_exact, random_table
from scipy.stats.contingency import association
from statsmodels.stats.proportion import proportion_confint

CONFIDENCE = 0.95
MIN_EXPECTED = 5.0  # the usual rule: the chi-square approximation needs every expected count >= 5
MONTE_CARLO_TABLES = 20_000  # random tables with the observed margins; p-value's own SE <= 0.0036
MONTE_CARLO_SEED = 2017  # fixed, so a report built twice prints the same p-value

CHI_SQUARE = "chi-square"
FISHER_EXACT = "Fisher's exact test"
MONTE_CARLO = "Monte-Carlo"


def wilson_interval(count: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval for count/n; (nan, nan) when nobody answered (n = 0)."""
    if n <= 0:
        return math.nan, math.nan
    low, high = proportion_confint(count, n, alpha=1 - confidence, method="wilson")
    return float(low), float(high)


def _chi_square_statistic(observed: np.ndarray, expected: np.ndarray) -> float:
    return float(((observed - expected) ** 2 / expected).sum())


def independence_test(table: pd.DataFrame, min_expected: float = MIN_EXPECTED,
                      draws: int = MONTE_CARLO_TABLES, seed: int = MONTE_CARLO_SEED) -> dict:
    """Pearson chi-square test that rows and columns of a count table are independent.

    Rows or columns with no counts are dropped first. When the smallest expected count is under
    `min_expected`, the chi-square p-value is not trusted: a 2 x 2 table gets Fisher's exact test,
    a larger one a Monte-Carlo p-value from `draws` random tables with the same margins (the
    observed statistic counted once among them, so p is never 0).

    Returns respondents, chi_square, dof, p_value, p_value_method, cramers_v, smallest_expected and
    expected_ok (whether every expected count reached `min_expected`).
    """
    counts = table.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0].to_numpy(dtype="int64")
    if counts.shape[0] < 2 or counts.shape[1] < 2:
        raise ValueError("a test of independence needs at least two rows and two columns with counts")
    result = chi2_contingency(counts, correction=False)
    smallest = float(result.expected_freq.min())
    p_value, method = float(result.pvalue), CHI_SQUARE
    if smallest < min_expected:
        if counts.shape == (2, 2):
            p_value, method = float(fisher_exact(counts).pvalue), FISHER_EXACT
        else:
            tables = random_table(counts.sum(axis=1), counts.sum(axis=0), seed=seed).rvs(draws)
            simulated = ((tables - result.expected_freq) ** 2 / result.expected_freq).sum(axis=(1, 2))
            observed = _chi_square_statistic(counts, result.expected_freq)
            # A small tolerance so ties with the observed statistic count as "at least as extreme".
            extreme = int((simulated >= observed - 1e-9).sum())
            p_value, method = (extreme + 1) / (draws + 1), f"{MONTE_CARLO} ({draws:,} tables)"
    return {
        "respondents": int(counts.sum()),
        "chi_square": float(result.statistic),
        "dof": int(result.dof),
        "p_value": p_value,
        "p_value_method": method,
        "cramers_v": float(association(counts, method="cramer", correction=False)),
        "smallest_expected": smallest,
        "expected_ok": smallest >= min_expected,
    }
