"""Survey estimates with replicate-weight standard errors, in the spirit of R's `svrepdesign`.

A `ReplicateDesign` holds a data frame, its full-sample weight and its replicate weights, and
computes means, proportions, totals and ratios, overall or by domain, each with a standard error,
a 95% confidence interval, a coefficient of variation, unweighted and weighted n, and the NCES
reporting flag. It is general: nothing in it knows about SSOCS.

Variance, for R replicates with estimates theta_r and full-sample estimate theta:

    V = scale * sum_r rscales_r * (theta_r - c)^2,   c = theta (mse=True) or mean(theta_r)

with R's defaults for `scale`: JK1 (R-1)/R, JKn 1 (rscales required), BRR 1/R,
Fay 1/(R (1-rho)^2). Every replicate is computed in one matrix product (weights.T @ values),
not a Python loop per replicate.

Missing values (the one policy, applied by every method):
  * A row missing the analysis variable (for a ratio, either part) is left out of that estimate
    only, never imputed; `n_missing` counts such rows of the domain. A row missing its `by`
    value belongs to no domain. This is domain estimation: it equals R's `na.rm=TRUE`.
  * Weights must not be missing or negative: that is an error, not something to drop.

Confidence intervals are Wald intervals, estimate +/- z * SE (normal quantile, as R's
`confint` on `svymean`); pass `df` (a number, or "design" for each domain's design degrees of
freedom) for a t quantile instead. They are not clipped. Proportions' Korn-Graubard and
Clopper-Pearson intervals are in `stats.intervals`.

Each result also carries `df`, the design's degrees of freedom for that domain as R's `degf()`
computes it on the domain's subset (rank of its replicate weights - 1: replicates - 1 = 49 for
SSOCS unless a domain's replicate weights are linearly dependent), and `deff`, the design effect
against simple random sampling of the same size without replacement, as R's `deff = TRUE`
(means and totals; NaN for ratios).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from sro_research.stats.nces_standards import CAUTION_CV, CAUTION_FLAG, MIN_N, SUPPRESS_CV, SUPPRESS_FLAG, nces_flag

VARIANCE_TYPES = ("JK1", "JKn", "BRR", "Fay", "other")
RESULT_COLUMNS = ["estimate", "se", "ci_low", "ci_high", "cv", "n", "weighted_n", "n_missing", "flag", "df", "deff"]
__all__ = ["ReplicateDesign", "RESULT_COLUMNS", "VARIANCE_TYPES", "nces_flag", "CAUTION_FLAG", "SUPPRESS_FLAG"]


class ReplicateDesign:
    """A survey design described by full-sample and replicate weights.

    data        a DataFrame of analysis variables (one row per sampled unit).
    weights     the full-sample weight: a column name or an array of length len(data).
    repweights  the replicate weights: a list of column names, a regular expression matching
                column names (as in R, e.g. "REPFWT[0-9]+"), or an (n x R) array.
    type        "JK1", "JKn", "BRR", "Fay" or "other" (then `scale` is required).
    scale, rscales, rho, mse  as in R's svrepdesign (see the module docstring); mse=True centres
                the variance on the full-sample estimate, as NCES does.
    combined_weights  True (R's default) when replicate columns are weights, False when they are
                multipliers of the full-sample weight.
    ci_level, df       confidence level; df=None uses the normal quantile, a number a t quantile,
                "design" a t quantile with each domain's design degrees of freedom.
    caution_cv, suppress_cv, min_n  the NCES flag thresholds (see `nces_flag`).
    """

    def __init__(
        self,
        data: pd.DataFrame,
        weights,
        repweights,
        type: str = "JK1",
        scale: float | None = None,
        rscales=None,
        rho: float | None = None,
        mse: bool = True,
        combined_weights: bool = True,
        ci_level: float = 0.95,
        df: float | None = None,
        caution_cv: float = CAUTION_CV,
        suppress_cv: float = SUPPRESS_CV,
        min_n: int = MIN_N,
    ):
        if not isinstance(data, pd.DataFrame):
            raise TypeError(f"data must be a pandas DataFrame, not {data.__class__.__name__}")  # `type` is the design type here
        if type not in VARIANCE_TYPES:
            raise ValueError(f"type {type!r} is not one of {', '.join(VARIANCE_TYPES)}")
        self.data = data.reset_index(drop=True)
        n = len(self.data)
        w = self._column_or_array(weights, "weights").astype(float)
        reps = self._replicate_matrix(repweights)
        if reps.shape[0] != n:
            raise ValueError(f"replicate weights have {reps.shape[0]} rows, data has {n}")
        if not combined_weights:
            reps = reps * w[:, None]
        for label, values in (("full-sample weight", w), ("replicate weights", reps)):
            if np.isnan(values).any():
                raise ValueError(f"the {label} contain missing values; weights must be complete")
            if (values < 0).any():
                raise ValueError(f"the {label} contain negative values")
        if not 0 < ci_level < 1:
            raise ValueError(f"ci_level must be between 0 and 1 (0.95 for 95%), got {ci_level!r}")
        if df is not None and df != "design" and not df > 0:
            raise ValueError(f"df must be positive, 'design', or None for the normal quantile; got {df!r}")
        n_rep = reps.shape[1]
        if n_rep < 2:
            raise ValueError(f"need at least 2 replicate weights, got {n_rep}")

        if type == "Fay":
            if rho is None or not 0 <= rho < 1:
                raise ValueError("type='Fay' needs rho with 0 <= rho < 1")
        if type == "JKn" and rscales is None:
            raise ValueError("type='JKn' needs rscales: (n_h - 1) / n_h for the stratum of each replicate")
        if type == "other" and scale is None:
            raise ValueError("type='other' needs an explicit scale")
        if scale is None:
            scale = {
                "JK1": (n_rep - 1) / n_rep,
                "JKn": 1.0,
                "BRR": 1.0 / n_rep,
                "Fay": 1.0 / (n_rep * (1 - (rho or 0.0)) ** 2),
            }[type]
        rscales = np.ones(n_rep) if rscales is None else np.asarray(rscales, dtype=float).ravel()
        if rscales.shape != (n_rep,):
            raise ValueError(f"rscales has {rscales.size} values for {n_rep} replicates")

        self.type, self.scale, self.rscales, self.rho, self.mse = type, float(scale), rscales, rho, mse
        self.combined_weights = combined_weights
        self.ci_level, self.df = ci_level, df
        self.caution_cv, self.suppress_cv, self.min_n = caution_cv, suppress_cv, min_n
        # Column 0 is the full sample, columns 1..R the replicates: one product does them all.
        self._weights = np.column_stack([w, reps])
        self._weights_t = np.ascontiguousarray(self._weights.T)
        self._df_cache: dict[int, np.ndarray] = {}
        self._membership_cache: dict[tuple, tuple] = {}

    # -- construction helpers -------------------------------------------------------------

    def _column_or_array(self, spec, label: str) -> np.ndarray:
        if isinstance(spec, str):
            if spec not in self.data.columns:
                raise KeyError(f"{label} column {spec!r} is not in the data")
            return self.data[spec].to_numpy(dtype=float, na_value=np.nan)
        values = np.asarray(spec, dtype=float)
        if values.shape != (len(self.data),):
            raise ValueError(f"{label} must have one value per row ({len(self.data)}), got shape {values.shape}")
        return values

    def _replicate_matrix(self, spec) -> np.ndarray:
        if isinstance(spec, str):
            pattern = re.compile(spec)
            columns = [c for c in self.data.columns if pattern.fullmatch(str(c))]
            if not columns:
                raise KeyError(f"no column matches the replicate-weight pattern {spec!r}")
            # Natural order (REP2 before REP10), as the replicates are numbered.
            columns.sort(key=lambda c: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", str(c))])
            spec = columns
        if isinstance(spec, (list, tuple, pd.Index)) and all(isinstance(c, str) for c in spec):
            missing = [c for c in spec if c not in self.data.columns]
            if missing:
                raise KeyError(f"replicate-weight columns not in the data: {', '.join(missing)}")
            return self.data[list(spec)].to_numpy(dtype=float, na_value=np.nan)
        values = np.asarray(spec, dtype=float)
        if values.ndim != 2:
            raise ValueError("repweights must be column names, a regex, or a 2-D array")
        return values

    @property
    def n_replicates(self) -> int:
        return self._weights.shape[1] - 1

    def subset(self, rows) -> "ReplicateDesign":
        """The design restricted to `rows` (a boolean mask); replicate weights travel with rows.

        A missing value in the mask (pd.NA, from a comparison on a column with missing values)
        leaves that row out, as R's subset() does.
        """
        values = np.asarray(rows, dtype=object)
        if values.shape != (len(self.data),):
            raise ValueError(f"subset needs one boolean per row ({len(self.data)})")
        mask = pd.array(values, dtype="boolean").fillna(False).to_numpy(dtype=bool)
        return ReplicateDesign(
            self.data.loc[mask],
            self._weights[mask, 0],
            self._weights[mask, 1:],
            type=self.type,
            scale=self.scale,
            rscales=self.rscales,
            rho=self.rho,
            mse=self.mse,
            ci_level=self.ci_level,
            df=self.df,
            caution_cv=self.caution_cv,
            suppress_cv=self.suppress_cv,
            min_n=self.min_n,
        )

    # -- public estimators ----------------------------------------------------------------

    # Every estimator takes `by` (one column, or a list for their cross-classification, as R's
    # svyby) or `by_each` (a list of columns: the domains of each column separately, stacked with
    # `domain_variable` and `domain_value` columns, all in the same single matrix product).

    def mean(self, variables, by=None, by_each=None, with_totals: bool = False) -> pd.DataFrame:
        """Weighted mean of each variable (overall, or per domain); with_totals adds the weighted
        total (`total`) and its SE (`total_se`), computed in the same product."""
        names = _as_list(variables)
        return self._estimate("mean", names, self._numeric(names), None, self._membership(by, by_each), with_totals)

    def total(self, variables, by=None, by_each=None) -> pd.DataFrame:
        """Weighted total of each variable (overall, or per domain)."""
        names = _as_list(variables)
        return self._estimate("total", names, self._numeric(names), None, self._membership(by, by_each))

    def ratio(self, numerator, denominator, by=None, by_each=None) -> pd.DataFrame:
        """Ratio of weighted totals, sum(w * numerator) / sum(w * denominator), pairwise."""
        nums, dens = _as_list(numerator), _as_list(denominator)
        if len(nums) != len(dens):
            raise ValueError(f"{len(nums)} numerators but {len(dens)} denominators")
        names = [f"{a}/{b}" for a, b in zip(nums, dens, strict=True)]
        membership = self._membership(by, by_each, reserved=("numerator", "denominator"))
        out = self._estimate("ratio", names, self._numeric(nums), self._numeric(dens), membership)
        # From the pairs themselves, not by splitting "a/b": a column name may hold a "/".
        groups = len(out) // len(names)
        out.insert(out.columns.get_loc("variable") + 1, "numerator", np.repeat(nums, groups))
        out.insert(out.columns.get_loc("numerator") + 1, "denominator", np.repeat(dens, groups))
        return out

    def proportion(self, variable: str, by=None, levels=None, by_each=None) -> pd.DataFrame:
        """Share of weight in each level of a categorical variable (R: svymean(~factor(x))).

        One row per level (and domain), with a `level` column; `levels` limits or orders them
        (a level nobody has gets estimate 0). Proportions are fractions, not percents.
        """
        column = self._column(variable)
        if levels is None:
            # factorize sorts as the domains do, and does not fail on a column mixing numbers and text.
            levels = list(pd.factorize(column.dropna(), sort=True)[1])
        if not len(levels):
            raise ValueError(f"{variable!r} has no non-missing values")
        missing = column.isna().to_numpy()
        values = np.column_stack(
            [np.where(missing, np.nan, (column == level).to_numpy(dtype=float)) for level in levels]
        )
        labels = [f"{variable}={level}" for level in levels]
        out = self._estimate("mean", labels, values, None, self._membership(by, by_each, reserved=("level",)))
        out.insert(out.columns.get_loc("variable") + 1, "level", out["variable"].map(dict(zip(labels, levels, strict=True))))
        out["variable"] = variable
        return out

    # -- the computation --------------------------------------------------------------------

    def _column(self, name: str) -> pd.Series:
        if name not in self.data.columns:
            raise KeyError(f"variable {name!r} is not in the data")
        return self.data[name]

    def _numeric(self, names: list[str]) -> np.ndarray:
        columns = []
        for name in names:
            column = self._column(name)
            if column.dtype == bool or pd.api.types.is_bool_dtype(column):
                column = column.astype("float")
            if not pd.api.types.is_numeric_dtype(column):
                raise TypeError(f"variable {name!r} is not numeric ({column.dtype}); use proportion() for categories")
            columns.append(column.to_numpy(dtype=float, na_value=np.nan))
        return np.column_stack(columns)

    def _domains(self, by) -> tuple[np.ndarray, pd.DataFrame]:
        """Domain code per row (-1 = in no domain) and one row of labels per domain."""
        n = len(self.data)
        names = _as_list(by)
        codes, uniques = [], []
        for name in names:
            code, unique = pd.factorize(self._column(name), sort=True)
            codes.append(code)
            uniques.append(unique)
        if len(names) == 1:  # the common case: factorize already numbers the domains in order
            return codes[0].astype(np.int64), pd.DataFrame({names[0]: np.asarray(uniques[0])})
        codes = np.column_stack(codes)
        usable = (codes >= 0).all(axis=1)
        combos, inverse = np.unique(codes[usable], axis=0, return_inverse=True)
        domain = np.full(n, -1, dtype=np.int64)
        domain[usable] = inverse.ravel()
        labels = pd.DataFrame({name: np.asarray(uniques[i])[combos[:, i]] for i, name in enumerate(names)})
        return domain, labels

    def _one_hot(self, domain: np.ndarray, g: int) -> np.ndarray:
        in_domain = np.zeros((len(self.data), g))
        rows = domain >= 0
        in_domain[np.flatnonzero(rows), domain[rows]] = 1.0
        return in_domain

    def _membership(self, by, by_each, reserved=()) -> tuple[np.ndarray, pd.DataFrame | None]:
        """(n x G) 0/1 domain membership and one row of labels per domain (None: whole sample).

        `reserved`: the caller's own result columns besides RESULT_COLUMNS (e.g. "level"); a `by`
        variable with one of those names would collide with it in the result, so it is refused.
        Kept per design (the data do not change), so several estimators over the same domains
        classify the rows once.
        """
        key = (repr(by), repr(by_each), tuple(reserved))
        if key not in self._membership_cache:
            self._membership_cache[key] = self._classify(by, by_each, reserved)
        return self._membership_cache[key]

    def _classify(self, by, by_each, reserved) -> tuple[np.ndarray, pd.DataFrame | None]:
        if by is not None and by_each is not None:
            raise ValueError("give either by (one classification) or by_each (several, separately), not both")
        if by is None and by_each is None:
            return np.ones((len(self.data), 1)), None
        if not _as_list(by if by is not None else by_each):
            raise ValueError("by/by_each is an empty list of domain variables; pass None for the whole sample")
        if by is not None:
            taken = {"variable", *RESULT_COLUMNS, *reserved}
            for name in _as_list(by):
                if name in taken:
                    raise ValueError(
                        f"by variable {name!r} has the name of a result column ({', '.join(sorted(taken))}); "
                        f"rename it in the data first, or use by_each"
                    )
            domain, labels = self._domains(by)
            return self._one_hot(domain, len(labels)), labels
        blocks, labels = [], []
        for name in _as_list(by_each):
            domain, values = self._domains(name)
            blocks.append(self._one_hot(domain, len(values)))
            labels.append(pd.DataFrame({"domain_variable": name, "domain_value": values[name].to_numpy(dtype=object)}))
        return np.hstack(blocks), pd.concat(labels, ignore_index=True)

    def _thetas(self, kind: str, y: np.ndarray, x: np.ndarray | None, in_domain: np.ndarray):
        """Full-sample (row 0) and replicate (rows 1..R) estimates for every variable x domain,
        the (n x K*G) matrix of rows used, and the full-sample weighted sums of y and y^2."""
        n, k, g = len(self.data), y.shape[1], in_domain.shape[1]
        valid = ~np.isnan(y)
        if x is not None:
            valid &= ~np.isnan(x)
        # used[i, k, g]: row i enters the estimate of variable k in domain g.
        used = (valid[:, :, None] * in_domain[:, None, :]).reshape(n, k * g)
        y_used = (np.where(valid, y, 0.0)[:, :, None] * in_domain[:, None, :]).reshape(n, k * g)
        blocks = [y_used]
        if kind == "mean":
            blocks.append(used)
        elif kind == "ratio":
            blocks.append((np.where(valid, x, 0.0)[:, :, None] * in_domain[:, None, :]).reshape(n, k * g))
        # One product: (R + 1) weight columns x every variable, domain and numerator/denominator.
        sums = self._weights_t @ np.hstack(blocks)
        with np.errstate(divide="ignore", invalid="ignore"):
            thetas = sums[:, : k * g] if kind == "total" else sums[:, : k * g] / sums[:, k * g :]
        y_squared = self._weights[:, 0] @ (y_used * y_used)
        return thetas, used, sums, y_squared

    def variance(self, thetas: np.ndarray) -> np.ndarray:
        """The replicate variance of each column of `thetas` (row 0 full sample, rows 1..R replicates),
        e.g. of a difference of two estimates taken inside each replicate."""
        theta, replicates = thetas[0], thetas[1:]
        centre = theta if self.mse else replicates.mean(axis=0)
        return self.scale * (self.rscales @ (replicates - centre) ** 2)

    def replicate_estimates(self, variables, by=None, by_each=None) -> tuple[pd.DataFrame, np.ndarray]:
        """Weighted means with every replicate's value: (labels, thetas) where labels has one row per
        variable x domain (as `mean` returns) and thetas is (R + 1) x rows, row 0 the full sample.
        Combine columns (differences, contrasts) and pass them to `variance`."""
        names = _as_list(variables)
        in_domain, labels = self._membership(by, by_each)
        thetas, _, _, _ = self._thetas("mean", self._numeric(names), None, in_domain)
        g = in_domain.shape[1]
        out = pd.concat([labels] * len(names), ignore_index=True) if labels is not None else pd.DataFrame(index=range(len(names)))
        out.insert(0, "variable", np.repeat(names, g))
        return out, thetas

    def domain_df(self, in_domain: np.ndarray) -> np.ndarray:
        """R's degf() of each domain's subset design: rank of its replicate weights - 1."""
        key = hash(in_domain.tobytes())
        if key not in self._df_cache:
            reps = self._weights[:, 1:]
            rows = in_domain > 0
            # The rank of an R x R Gram matrix per domain costs little for any domain size.
            grams = np.stack([reps[rows[:, j]].T @ reps[rows[:, j]] for j in range(rows.shape[1])])
            eig = np.linalg.eigvalsh(grams)
            top = eig.max(axis=1)
            ranks = (eig > top[:, None] * 1e-10).sum(axis=1)
            self._df_cache[key] = np.where(top > 0, ranks - 1, np.nan).astype(float)
        return self._df_cache[key]

    def _estimate(self, kind: str, names: list[str], y: np.ndarray, x: np.ndarray | None, membership,
                  with_totals: bool = False) -> pd.DataFrame:
        in_domain, labels = membership
        k, g = y.shape[1], in_domain.shape[1]
        thetas, used, sums, y_squared = self._thetas(kind, y, x, in_domain)
        weighted_y = sums[0, : k * g]
        theta = thetas[0]
        variance = self.variance(thetas)
        se = np.sqrt(variance)
        df = np.tile(self.domain_df(in_domain), k)
        if self.df is None:
            z = stats.norm.ppf(0.5 + self.ci_level / 2)
        else:
            z = stats.t.ppf(0.5 + self.ci_level / 2, df if self.df == "design" else self.df)
        with np.errstate(divide="ignore", invalid="ignore"):
            cv = np.where(theta != 0, se / np.abs(theta), np.nan)
        n_used = used.sum(axis=0)
        weighted_n = self._weights[:, 0] @ used
        n_domain = np.repeat(in_domain.sum(axis=0)[None, :], k, axis=0).ravel()
        # Design effect as R's deff=TRUE: V / V_srs, V_srs = s^2 / n * (N - n) / N with s^2 the
        # weighted variance (divisor n - 1); for a total, times N^2.
        with np.errstate(divide="ignore", invalid="ignore"):
            mean_y = weighted_y / weighted_n
            s2 = (y_squared / weighted_n - mean_y**2) * n_used / (n_used - 1)
            v_srs = s2 / n_used * (weighted_n - n_used) / weighted_n
            if kind == "total":
                v_srs = v_srs * weighted_n**2
            deff = np.where((kind != "ratio") & (v_srs > 0), variance / v_srs, np.nan)
        out = pd.concat([labels] * k, ignore_index=True) if labels is not None else pd.DataFrame(index=range(k))
        out.insert(0, "variable", np.repeat(names, g))
        out["estimate"] = theta
        out["se"] = se
        out["ci_low"] = theta - z * se
        out["ci_high"] = theta + z * se
        out["cv"] = cv
        out["n"] = n_used.astype(np.int64)
        out["weighted_n"] = weighted_n
        out["n_missing"] = (n_domain - n_used).astype(np.int64)
        out["flag"] = nces_flag(
            cv, n_used, se, caution_cv=self.caution_cv, suppress_cv=self.suppress_cv, min_n=self.min_n
        )
        out["df"] = df
        out["deff"] = deff
        if with_totals:  # the domain totals of the same variables, from the same product
            out["total"] = sums[0, : k * g]
            out["total_se"] = np.sqrt(self.variance(sums[:, : k * g]))
        return out

    def __repr__(self) -> str:
        return (
            f"ReplicateDesign(n={len(self.data)}, replicates={self.n_replicates}, type={self.type!r}, "
            f"scale={self.scale:.6g}, mse={self.mse})"
        )


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence) or isinstance(value, pd.Index):
        return list(value)
    raise TypeError(f"expected a column name or a list of names, got {type(value).__name__}")
