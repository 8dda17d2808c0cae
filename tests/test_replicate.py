"""ReplicateDesign against R's survey package (on the `api` data, not SSOCS) and its own invariants."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sro_research.stats.replicate import ReplicateDesign, nces_flag

R_DIR = Path(__file__).parent / "fixtures" / "r_survey"
DESIGNS = ("apiclus1_jk1", "apistrat_jkn")


# -- against R's survey package ------------------------------------------------------------------


def r_design(folder: Path, name: str, mse: bool) -> ReplicateDesign:
    data = pd.read_csv(folder / f"data_{name}.csv")
    params = pd.read_csv(folder / f"design_{name}.csv")
    return ReplicateDesign(
        data,
        "pw",
        "rw[0-9]+",
        type=params["type"].iloc[0],
        scale=float(params["scale"].iloc[0]),
        rscales=params["rscale"].to_numpy(dtype=float),
        mse=mse,
    )


def python_estimate(design: ReplicateDesign, ref: pd.Series) -> pd.Series:
    """The ReplicateDesign row that answers one row of R's reference.csv."""
    by = ref["by"].split("+") if isinstance(ref["by"], str) and ref["by"] else None
    statistic, variable = ref["statistic"], ref["variable"]
    if statistic == "mean":
        out = design.mean(variable.split("+"), by=by)
        out = out[out["variable"] == (ref["term"] if by is None else variable)]
    elif statistic == "total":
        out = design.total(variable.split("+"), by=by)
        out = out[out["variable"] == (ref["term"] if by is None else variable)]
    elif statistic == "ratio":
        numerator, denominator = variable.split("/")
        out = design.ratio(numerator, denominator, by=by)
    elif statistic == "proportion":
        out = design.proportion(variable, by=by)
        out = out[out["level"].astype(str) == ref["term"][len(variable):]]
    else:
        raise AssertionError(f"unknown statistic {statistic}")
    if by is not None:
        labels = out[by].astype(str).agg("|".join, axis=1)
        out = out[labels == ref["domain"]]
    assert len(out) == 1, f"no single Python row for {ref.to_dict()}"
    return out.iloc[0]


def compare_with_r(folder: Path) -> int:
    reference = pd.read_csv(folder / "reference.csv", keep_default_na=False)
    checked = 0
    for (name, mse), rows in reference.groupby(["design", "mse"]):
        design = r_design(folder, name, str(mse).upper() == "TRUE")
        for _, ref in rows.iterrows():
            got = python_estimate(design, ref)
            if np.isnan(float(ref["estimate"])):
                # A domain with no usable rows: R prints SE 0, we give NaN and flag it; both have no estimate.
                assert np.isnan(got["estimate"]) and np.isnan(got["se"]) and got["flag"] == "‡"
                checked += 1
                continue
            for column in ("estimate", "se", "ci_low", "ci_high"):
                assert got[column] == pytest.approx(float(ref[column]), rel=1e-9, abs=1e-9, nan_ok=True), (
                    f"{name} mse={mse} {ref['statistic']} {ref['variable']} by={ref['by']} "
                    f"{ref['domain']} {ref['term']}: {column} {got[column]} vs R {ref[column]}"
                )
            checked += 1
    return checked


def test_matches_committed_r_survey_reference():
    versions = (R_DIR / "versions.txt").read_text()
    assert "survey" in versions and "R version" in versions
    checked = compare_with_r(R_DIR)
    reference = pd.read_csv(R_DIR / "reference.csv")
    assert checked == len(reference) > 100
    # Both variance types and both centrings, with and without domains, are in the reference.
    assert set(reference["design"]) == set(DESIGNS)
    assert set(reference["mse"]) == {True, False}
    assert {"mean", "total", "ratio", "proportion"} <= set(reference["statistic"])


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript is not installed")
def test_matches_r_survey_rerun_live(tmp_path):
    result = subprocess.run(
        ["Rscript", str(R_DIR / "make_reference.R"), str(tmp_path)], capture_output=True, text=True, timeout=300
    )
    if result.returncode != 0 and "there is no package called" in result.stderr:
        pytest.skip("R's survey package is not installed")
    assert result.returncode == 0, result.stderr
    assert compare_with_r(tmp_path) > 100


# -- invariants (property tests) -----------------------------------------------------------------


@st.composite
def surveys(draw):
    n = draw(st.integers(min_value=4, max_value=40))
    n_rep = draw(st.integers(min_value=2, max_value=8))
    floats = st.floats(min_value=0.1, max_value=50, allow_nan=False)
    weights = np.array(draw(st.lists(floats, min_size=n, max_size=n)))
    factors = np.array(draw(st.lists(st.floats(0, 2), min_size=n * n_rep, max_size=n * n_rep))).reshape(n, n_rep)
    y = np.array(draw(st.lists(st.floats(-100, 100), min_size=n, max_size=n)))
    x = np.array(draw(st.lists(st.floats(1, 100), min_size=n, max_size=n)))
    group = draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n))
    frame = pd.DataFrame({"y": y, "x": x, "group": group, "w": weights})
    for r in range(n_rep):
        frame[f"rep{r + 1}"] = weights * factors[:, r]
    return frame


def assert_same(left: pd.DataFrame, right: pd.DataFrame):
    columns = ["estimate", "se", "ci_low", "ci_high", "weighted_n"]
    np.testing.assert_allclose(left[columns].to_numpy(float), right[columns].to_numpy(float), rtol=1e-9, atol=1e-9)
    assert list(left["n"]) == list(right["n"])


@settings(max_examples=40, deadline=None)
@given(surveys(), st.randoms(use_true_random=False))
def test_row_order_does_not_change_estimates(frame, rnd):
    order = list(range(len(frame)))
    rnd.shuffle(order)
    shuffled = frame.iloc[order]
    for method in ("mean", "total"):
        a = getattr(ReplicateDesign(frame, "w", "rep[0-9]+"), method)(["y", "x"], by="group")
        b = getattr(ReplicateDesign(shuffled, "w", "rep[0-9]+"), method)(["y", "x"], by="group")
        assert_same(a, b)
    a = ReplicateDesign(frame, "w", "rep[0-9]+").ratio("y", "x", by="group")
    b = ReplicateDesign(shuffled, "w", "rep[0-9]+").ratio("y", "x", by="group")
    assert_same(a, b)


@settings(max_examples=40, deadline=None)
@given(surveys())
def test_domain_estimate_equals_estimate_on_the_subset(frame):
    design = ReplicateDesign(frame, "w", "rep[0-9]+", type="JK1")
    by_domain = design.mean("y", by="group")
    ratio_by_domain = design.ratio("y", "x", by="group")
    for _, row in by_domain.iterrows():
        mask = (frame["group"] == row["group"]).to_numpy()
        on_subset = design.subset(mask).mean("y")
        assert_same(pd.DataFrame([row]), on_subset)
        # Building a fresh design from the subset's rows gives the same answer too.
        fresh = ReplicateDesign(frame[mask], "w", "rep[0-9]+", scale=design.scale).ratio("y", "x")
        assert_same(ratio_by_domain[ratio_by_domain["group"] == row["group"]], fresh)


@settings(max_examples=30, deadline=None)
@given(surveys())
def test_by_each_equals_separate_by_calls(frame):
    frame = frame.assign(half=np.where(frame["x"] > 50, "high", "low"))
    design = ReplicateDesign(frame, "w", "rep[0-9]+")
    stacked = design.mean(["y", "x"], by_each=["group", "half"])
    for name in ("group", "half"):
        part = stacked[stacked["domain_variable"] == name]
        separate = design.mean(["y", "x"], by=name)
        assert list(part["domain_value"]) == list(separate[name])
        assert_same(part.reset_index(drop=True), separate)
    with pytest.raises(ValueError, match="either by"):
        design.mean("y", by="group", by_each=["half"])


@settings(max_examples=40, deadline=None)
@given(surveys())
def test_total_of_ones_is_the_sum_of_weights(frame):
    frame = frame.assign(one=1.0)
    design = ReplicateDesign(frame, "w", "rep[0-9]+")
    total = design.total("one").iloc[0]
    assert total["estimate"] == pytest.approx(frame["w"].sum(), rel=1e-12)
    assert total["weighted_n"] == pytest.approx(frame["w"].sum(), rel=1e-12)
    by_group = design.total("one", by="group")
    expected = frame.groupby("group")["w"].sum()
    assert by_group.set_index("group")["estimate"].to_dict() == pytest.approx(expected.to_dict(), rel=1e-12)


# -- variance formula, missing values, flags, errors ---------------------------------------------


def small_frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({"y": rng.normal(10, 3, 30), "w": rng.uniform(1, 5, 30)})
    for r in range(6):
        frame[f"rep{r + 1}"] = frame["w"] * rng.uniform(0.5, 1.5, 30)
    return frame


def hand_variance(frame, scale, rscales, mse):
    theta = np.average(frame["y"], weights=frame["w"])
    reps = np.array([np.average(frame["y"], weights=frame[f"rep{r + 1}"]) for r in range(6)])
    centre = theta if mse else reps.mean()
    return scale * np.sum(np.asarray(rscales) * (reps - centre) ** 2)


@pytest.mark.parametrize(
    "kwargs, scale",
    [
        ({"type": "JK1"}, 5 / 6),
        ({"type": "BRR"}, 1 / 6),
        ({"type": "Fay", "rho": 0.5}, 1 / (6 * 0.25)),
        ({"type": "JKn", "rscales": [0.5, 0.5, 2 / 3, 2 / 3, 2 / 3, 0.75]}, 1.0),
        ({"type": "other", "scale": 0.3}, 0.3),
    ],
)
@pytest.mark.parametrize("mse", [True, False])
def test_variance_follows_svrepdesign_scales(kwargs, scale, mse):
    frame = small_frame()
    design = ReplicateDesign(frame, "w", [f"rep{r + 1}" for r in range(6)], mse=mse, **kwargs)
    assert design.scale == pytest.approx(scale)
    expected = hand_variance(frame, scale, kwargs.get("rscales", np.ones(6)), mse)
    assert design.mean("y").iloc[0]["se"] ** 2 == pytest.approx(expected, rel=1e-12)


def test_multiplier_replicates_equal_combined_weights():
    frame = small_frame()
    multipliers = frame[[f"rep{r + 1}" for r in range(6)]].to_numpy() / frame["w"].to_numpy()[:, None]
    combined = ReplicateDesign(frame, "w", "rep[0-9]+").mean("y")
    separate = ReplicateDesign(frame, "w", multipliers, combined_weights=False).mean("y")
    assert_same(combined, separate)


def test_missing_values_are_left_out_of_that_estimate_only_and_counted():
    frame = small_frame()
    frame["z"] = frame["y"] * 2
    frame.loc[[0, 3, 5], "y"] = np.nan
    frame["g"] = ["a", "b"] * 15
    frame.loc[7, "g"] = None
    design = ReplicateDesign(frame, "w", "rep[0-9]+")
    both = design.mean(["y", "z"])
    y, z = both.iloc[0], both.iloc[1]
    assert (y["n"], y["n_missing"], z["n"], z["n_missing"]) == (27, 3, 30, 0)
    complete = ReplicateDesign(frame.dropna(subset=["y"]), "w", "rep[0-9]+").mean("y").iloc[0]
    assert y["estimate"] == pytest.approx(complete["estimate"]) and y["se"] == pytest.approx(complete["se"])
    by = design.mean("z", by="g")
    assert by["n"].sum() == 29  # the row with no domain is in no domain
    ratio = design.ratio("z", "y").iloc[0]
    assert (ratio["n"], ratio["n_missing"]) == (27, 3)


def test_proportion_levels_sum_to_one_and_absent_level_is_zero():
    frame = small_frame()
    frame["c"] = ["x", "y", "z"] * 10
    design = ReplicateDesign(frame, "w", "rep[0-9]+")
    shares = design.proportion("c")
    assert shares["estimate"].sum() == pytest.approx(1.0)
    assert list(shares["level"]) == ["x", "y", "z"]
    absent = design.proportion("c", levels=["x", "nobody"])
    assert absent.set_index("level").loc["nobody", "estimate"] == 0


def test_nces_flags_and_thresholds_are_parameters():
    cv = np.array([0.1, 0.3, 0.5, 0.51, 0.2, np.nan])
    n = np.array([50, 50, 50, 50, 2, 50])
    assert list(nces_flag(cv, n)) == ["", "!", "!", "‡", "‡", ""]
    assert list(nces_flag(cv, n, caution_cv=0.05, suppress_cv=0.25, min_n=1)) == ["!", "‡", "‡", "‡", "!", ""]
    assert list(nces_flag([0.1], [50], se=[np.nan])) == ["‡"]
    design = ReplicateDesign(small_frame(), "w", "rep[0-9]+", caution_cv=0.0, min_n=1)
    assert design.mean("y").iloc[0]["flag"] == "!"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"type": "XYZ"}, "not one of"),
        ({"type": "JKn"}, "rscales"),
        ({"type": "Fay"}, "rho"),
        ({"type": "other"}, "scale"),
        ({"rscales": [1, 1]}, "rscales has 2 values"),
        ({"ci_level": 95}, "ci_level must be between 0 and 1"),  # a percent gave NaN intervals
        ({"df": 0}, "df must be positive"),
    ],
)
def test_bad_design_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ReplicateDesign(small_frame(), "w", "rep[0-9]+", **kwargs)


def test_bad_weights_and_variables_are_refused():
    frame = small_frame()
    with pytest.raises(KeyError, match="no column matches"):
        ReplicateDesign(frame, "w", "REPWT[0-9]+")
    broken = frame.copy()
    broken.loc[2, "w"] = np.nan
    with pytest.raises(ValueError, match="missing values"):
        ReplicateDesign(broken, "w", "rep[0-9]+")
    broken.loc[2, "w"] = -1
    with pytest.raises(ValueError, match="negative"):
        ReplicateDesign(broken, "w", "rep[0-9]+")
    design = ReplicateDesign(frame.assign(s="text"), "w", "rep[0-9]+")
    with pytest.raises(TypeError, match="not numeric"):
        design.mean("s")
    with pytest.raises(KeyError, match="not in the data"):
        design.mean("nope")


def test_data_that_is_not_a_frame_is_refused_clearly():
    with pytest.raises(TypeError, match="data must be a pandas DataFrame, not dict"):
        ReplicateDesign({"x": [1, 2]}, weights=[1.0, 1.0], repweights=[[1.0, 1.0], [1.0, 1.0]])


def test_ratio_names_its_parts_even_when_a_name_holds_a_slash():
    frame = small_frame().rename(columns={"y": "arrests/1000"}).assign(x=2.0)
    out = ReplicateDesign(frame, "w", "rep[0-9]+").ratio(["arrests/1000"], ["x"])
    assert (out.iloc[0]["numerator"], out.iloc[0]["denominator"]) == ("arrests/1000", "x")


def test_proportion_of_a_column_mixing_numbers_and_text():
    # Survey exports often mix numeric codes with text answers ("refused") in one column.
    frame = small_frame()
    frame["c"] = pd.Series([1, 2, "refused"] * 10, dtype=object)
    shares = ReplicateDesign(frame, "w", "rep[0-9]+").proportion("c")
    assert list(shares["level"]) == [1, 2, "refused"]
    assert shares["estimate"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("name, call", [
    ("n", lambda d: d.mean("y", by="n")),  # used to overwrite the domain labels with sample sizes
    ("flag", lambda d: d.total("y", by=["g", "flag"])),
    ("level", lambda d: d.proportion("c", by="level")),  # used to fail with "cannot insert level"
    ("numerator", lambda d: d.ratio("y", "w", by="numerator")),
])
def test_a_by_variable_named_like_a_result_column_is_refused_clearly(name, call):
    frame = small_frame().assign(c=["x", "y", "z"] * 10, g=["a", "b"] * 15)
    frame[name] = ["p", "q"] * 15
    with pytest.raises(ValueError, match=f"by variable '{name}' has the name of a result column"):
        call(ReplicateDesign(frame, "w", "rep[0-9]+"))


def test_a_by_variable_named_level_still_works_for_means():
    frame = small_frame().assign(level=["p", "q"] * 15)
    out = ReplicateDesign(frame, "w", "rep[0-9]+").mean("y", by="level")
    assert list(out["level"]) == ["p", "q"]


@pytest.mark.parametrize("kwargs", [{"by": []}, {"by_each": []}])
def test_an_empty_by_list_is_refused_clearly(kwargs):
    with pytest.raises(ValueError, match="empty list of domain variables"):
        ReplicateDesign(small_frame(), "w", "rep[0-9]+").mean("y", **kwargs)


def test_subset_treats_a_missing_condition_as_false_like_r():
    frame = small_frame().assign(s=pd.array(["a", "b", None] * 10, dtype="string"))
    design = ReplicateDesign(frame, "w", "rep[0-9]+")
    got = design.subset(frame["s"] == "a").mean("y")
    expected = design.subset((frame["s"] == "a").fillna(False).to_numpy(dtype=bool)).mean("y")
    assert_same(got, expected)
    assert got.iloc[0]["n"] == 10
