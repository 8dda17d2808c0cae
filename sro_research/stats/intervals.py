"""Confidence intervals for survey estimates, as R's `survey` package computes them.

* `korn_graubard`: a proportion's interval from its design-based variance, R's
  `svyciprop(method = "beta")`: the Clopper-Pearson (beta) interval evaluated at the effective
  sample size n* = p (1 - p) / V, adjusted for the design's degrees of freedom by
  (t(n - 1) / t(df))^2 (Korn and Graubard 1998).
* `clopper_pearson`: the exact binomial interval from a sampled count x of n. Used where the
  design gives no variance (an estimate of exactly 0 or 100%: every sampled unit said the same),
  so the Korn-Graubard effective size is undefined.
* `t_interval`: estimate +/- t(df) * SE, for means, totals and ratios (R's `confint(..., df =)`).
All functions are vectorised and return fractions for proportions (not percents).
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def _alpha(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1 (0.95 for 95%), got {level!r}")
    return 1 - level


def t_interval(estimate, se, df, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """estimate -/+ t_{df, 1 - alpha/2} * se; a df of None or inf uses the normal quantile."""
    alpha = _alpha(level)
    df = np.inf if df is None else np.asarray(df, dtype=float)
    q = stats.t.ppf(1 - alpha / 2, df)
    estimate, se = np.asarray(estimate, dtype=float), np.asarray(se, dtype=float)
    return estimate - q * se, estimate + q * se


def effective_n(p, variance) -> np.ndarray:
    """The Korn-Graubard effective sample size p (1 - p) / V (NaN where V is 0 or missing)."""
    p, variance = np.asarray(p, dtype=float), np.asarray(variance, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(variance > 0, p * (1 - p) / variance, np.nan)


def korn_graubard(p, se, n, df, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """R's svyciprop(method = "beta"): p a fraction, se its design SE, n the sampled units in the
    domain (R's nrow(design)), df the design's degrees of freedom. NaN where se is 0 or missing."""
    alpha = _alpha(level)
    p = np.asarray(p, dtype=float)
    n_eff = effective_n(p, np.asarray(se, dtype=float) ** 2)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        adjust = (stats.t.ppf(alpha / 2, n - 1) / stats.t.ppf(alpha / 2, np.asarray(df, dtype=float))) ** 2
    n_eff = n_eff * adjust
    x = n_eff * p
    with np.errstate(invalid="ignore"):
        low = stats.beta.ppf(alpha / 2, x, n_eff - x + 1)
        high = stats.beta.ppf(1 - alpha / 2, x + 1, n_eff - x)
    # As R's qbeta: shape 0 gives a bound at 0 (low) or 1 (high).
    low = np.where(np.isfinite(n_eff) & (x == 0), 0.0, low)
    high = np.where(np.isfinite(n_eff) & (n_eff - x == 0), 1.0, high)
    return low, high


def clopper_pearson(x, n, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """The exact binomial interval for x successes of n (R's binom.test(x, n)$conf.int)."""
    alpha = _alpha(level)
    x, n = np.asarray(x, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore"):
        low = np.where(x > 0, stats.beta.ppf(alpha / 2, x, n - x + 1), 0.0)
        high = np.where(x < n, stats.beta.ppf(1 - alpha / 2, x + 1, n - x), 1.0)
    return low, high
