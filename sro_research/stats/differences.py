"""Tests of differences between survey estimates: t statistics, p-values, degrees of freedom.

Two cases, and they need different variances:
  * independent samples (two survey years): Var(b - a) = se_a^2 + se_b^2, with Welch-Satterthwaite
    degrees of freedom from each estimate's own;
  * estimates from the same sample (a subgroup against the group it belongs to, or two groups of
    one year): the difference is taken inside each replicate and its replicate variance used
    (`ReplicateDesign.variance`), which carries the covariance; the design's df apply.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

ALPHA = 0.05  # two-sided significance level, as NCES tests


def satterthwaite_df(var_a, df_a, var_b, df_b) -> np.ndarray:
    """Welch-Satterthwaite degrees of freedom of a sum of two independent variances."""
    var_a, var_b = np.asarray(var_a, dtype=float), np.asarray(var_b, dtype=float)
    df_a, df_b = np.asarray(df_a, dtype=float), np.asarray(df_b, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        denominator = var_a**2 / df_a + var_b**2 / df_b
        return np.where(denominator > 0, (var_a + var_b) ** 2 / denominator, np.minimum(df_a, df_b))


def t_test(difference, se, df) -> tuple[np.ndarray, np.ndarray]:
    """(t, two-sided p) for difference / se on df degrees of freedom; NaN where se is 0 or missing."""
    difference, se = np.asarray(difference, dtype=float), np.asarray(se, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(se > 0, difference / se, np.nan)
    p = 2 * stats.t.sf(np.abs(t), np.asarray(df, dtype=float))
    return t, p


def independent_difference(estimate_a, se_a, df_a, estimate_b, se_b, df_b):
    """b - a for independent samples: (difference, se, df, t, p)."""
    difference = np.asarray(estimate_b, dtype=float) - np.asarray(estimate_a, dtype=float)
    var_a, var_b = np.asarray(se_a, dtype=float) ** 2, np.asarray(se_b, dtype=float) ** 2
    se = np.sqrt(var_a + var_b)
    df = satterthwaite_df(var_a, df_a, var_b, df_b)
    t, p = t_test(difference, se, df)
    return difference, se, df, t, p


def holm_significant(p_values, alpha: float = ALPHA) -> np.ndarray:
    """Holm's step-down test of a family of p-values: which stay significant at family level alpha."""
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p)
    m = len(p)
    keep = np.zeros(m, dtype=bool)
    for rank, index in enumerate(order):
        if not p[index] <= alpha / (m - rank):
            break
        keep[index] = True
    return keep
