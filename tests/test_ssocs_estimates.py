"""SSOCS intervals, design effects, weighted counts and tested differences against R's survey
package run on the SSOCS files themselves (tests/fixtures/r_survey/make_ssocs_reference.R)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import SSOCS, needs_ssocs
from sro_research.analysis import ssocs_differences as sd
from sro_research.analysis import ssocs_estimates as est
from sro_research.readers import ssocs
from sro_research.readers.published import load_published
from sro_research.reports import comparison_wording as wording
from sro_research.stats.differences import holm_significant, independent_difference, satterthwaite_df
from sro_research.stats.intervals import clopper_pearson, korn_graubard, t_interval

R_DIR = Path(__file__).parent / "fixtures" / "r_survey"
TOLERANCE = 1e-6


@pytest.fixture(scope="module")
def differences(ssocs_frame, ssocs_table):
    return sd.difference_table(ssocs_frame, ssocs_table)


def _python_value(table: pd.DataFrame, differences: pd.DataFrame, ref: pd.Series) -> float:
    """The Python number that answers one row of ssocs_reference.csv (R works in fractions)."""
    if ref["kind"] == "estimate":
        variable = {"All public schools": "all", "High school": "level", "peer_group": "peer_group"}[ref["domain"]]
        hit = table[(table["year"] == ref["year"]) & (table["indicator"] == ref["indicator"]) & (table["domain_variable"] == variable)]
        if variable != "peer_group":
            hit = hit[hit["domain_value"] == ref["domain"]]
        assert len(hit) == 1, ref.to_dict()
        row = hit.iloc[0]
        column = {"estimate": "estimate", "se": "se", "ci_low": "ci_low", "ci_high": "ci_high", "deff": "deff", "df": "df",
                  "n": "n"}[ref["statistic"]]
        scale = 100 if column in ("estimate", "se", "ci_low", "ci_high") else 1
        return float(row[column]) / scale
    # The R reference names the default peer group's comparison by its level (high schools).
    kind = {"peer_vs_high_schools": sd.PEER_KIND}.get(ref["kind"], ref["kind"])
    hit = differences[(differences["kind"] == kind) & (differences["year"] == ref["year"]) & (differences["indicator"] == ref["indicator"])]
    if kind == "subgroup":
        hit = hit[(hit["domain_variable"] == "locale") & (hit["to"] == "City") & (hit["from"] == "Rural")]
    assert len(hit) == 1, ref.to_dict()
    return float(hit.iloc[0]["difference" if ref["statistic"] == "difference" else "se"]) / 100


def _compare(reference: pd.DataFrame, table, differences) -> None:
    assert len(reference) > 100
    for _, ref in reference.iterrows():
        got = _python_value(table, differences, ref)
        assert got == pytest.approx(float(ref["value"]), abs=TOLERANCE), ref.to_dict()


@needs_ssocs
@pytest.mark.ssocs
def test_intervals_deff_df_and_differences_equal_the_committed_r_reference(ssocs_table, differences):
    _compare(pd.read_csv(R_DIR / "ssocs_reference.csv"), ssocs_table, differences)


@needs_ssocs
@pytest.mark.ssocs
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript is not installed")
def test_r_reference_rerun_live(tmp_path, ssocs_table, differences):
    check = subprocess.run(["Rscript", "-e", "library(survey); library(haven)"], capture_output=True)
    if check.returncode != 0:
        pytest.skip("R's survey or haven package is not installed")
    subprocess.run(["Rscript", str(R_DIR / "make_ssocs_reference.R"), str(SSOCS), str(tmp_path)], check=True, capture_output=True)
    live = pd.read_csv(tmp_path / "ssocs_reference.csv")
    committed = pd.read_csv(R_DIR / "ssocs_reference.csv")
    assert live[["kind", "year", "indicator", "domain", "statistic"]].equals(committed[["kind", "year", "indicator", "domain", "statistic"]])
    _compare(live, ssocs_table, differences)


# -- the interval functions on their own ----------------------------------------------------------


def test_clopper_pearson_is_the_exact_binomial_interval():
    low, high = clopper_pearson([0, 94, 3], [94, 94, 10])
    assert low[0] == 0 and high[1] == 1
    assert low[1] == pytest.approx(0.025 ** (1 / 94))  # x = n: lower bound (alpha/2)^(1/n)
    assert high[0] == pytest.approx(1 - 0.025 ** (1 / 94))
    assert (low[2], high[2]) == pytest.approx((0.06673951, 0.65245285), abs=1e-7)  # R: binom.test(3, 10)


def test_korn_graubard_without_design_effect_is_clopper_pearson():
    # With V = p(1-p)/n and df = n - 1, the effective size is n: the beta interval of x = p n.
    p, n = 0.3, 50
    low, high = korn_graubard(p, np.sqrt(p * (1 - p) / n), n, n - 1)
    cp_low, cp_high = clopper_pearson(15, 50)
    assert (float(low), float(high)) == pytest.approx((float(cp_low), float(cp_high)))
    assert np.isnan(korn_graubard(1.0, 0.0, 94, 48)[0])  # no variance: not defined


def test_t_interval_and_differences():
    low, high = t_interval(50.0, 2.0, 49)
    assert high - 50 == pytest.approx(2.0 * 2.009575, abs=1e-5)
    difference, se, df, t, p = independent_difference(47.745247, 1.3, 49, 54.373178, 1.36, 49)
    assert se == pytest.approx(np.hypot(1.3, 1.36)) and 49 < df <= 98
    assert satterthwaite_df(1.0, 49, 1.0, 49) == pytest.approx(98)
    assert list(holm_significant([0.01, 0.04, 0.03])) == [True, False, False]


# -- the table's new columns ---------------------------------------------------------------------


@needs_ssocs
@pytest.mark.ssocs
def test_zero_variance_cells_get_clopper_pearson_and_say_so(ssocs_table):
    certain = ssocs_table[(ssocs_table["se"] == 0) & (ssocs_table["estimate"].isin([0.0, 100.0]))]
    assert set(certain["ci_method"]) == {est.CLOPPER_PEARSON}
    assert (certain["ci_low"] < 100).all()  # no more [100, 100]
    others = ssocs_table[~ssocs_table.index.isin(certain.index)]
    assert set(others["ci_method"]) == {est.KORN_GRAUBARD}
    assert ((others["ci_low"] <= others["estimate"]) & (others["estimate"] <= others["ci_high"])).all()
    assert set(ssocs_table["df"].unique()) <= {47.0, 48.0, 49.0}


@needs_ssocs
@pytest.mark.ssocs
def test_weighted_counts_agree_with_every_nces_published_count(ssocs_table):
    check = est.published_count_check(ssocs_table, load_published("ssocs_published_tables"))
    assert len(check) >= 12
    assert check["within_rounding"].all(), check[~check["within_rounding"]]
    all_2016 = check[(check["figure_id"] == "G28")].iloc[0]
    assert all_2016["published"] == "47,200" and all_2016["se"] > 0


@needs_ssocs
@pytest.mark.ssocs
def test_peer_group_definitions_and_drop_outs(ssocs_frame):
    table = est.peer_definition_table(ssocs_frame)
    assert list(table["year"]) == list(ssocs.YEARS)
    y06 = table.set_index("year").loc["2005-06"]
    assert (y06["sampled_schools_meeting_other_criteria"], y06["dropped_unknown"]) == (199, 6)
    assert "don't know" in y06["why_dropped"]
    assert "not in the public file" in table.set_index("year").loc["2017-18", "cannot_match"]


@needs_ssocs
@pytest.mark.ssocs
def test_differences_table(differences):
    assert list(differences.columns) == sd.DIFFERENCE_COLUMNS
    assert set(differences["kind"]) == {"year_change", sd.PEER_KIND, "subgroup"}
    changes = differences[(differences["kind"] == "year_change") & (differences["domain_variable"] == "all")
                          & (differences["indicator"] == "sworn_law_enforcement")].set_index("year")
    assert changes.loc["2015-16 to 2019-20", "difference"] == pytest.approx(6.6, abs=0.05)
    assert changes.loc["2015-16 to 2019-20", "significant"] is True
    assert changes.loc["2017-18 to 2019-20", "significant"] is False
    assert not changes.loc["2005-06 to 2015-16", "comparable"] and np.isnan(changes.loc["2005-06 to 2015-16", "p_value"])
    # The peer group changes definition every year, so its year-to-year changes claim no p-value.
    peer_changes = differences[(differences["kind"] == "year_change") & (differences["domain_variable"] == "peer_group")]
    assert not peer_changes["comparable"].any()
    assert wording.verdict(changes.loc["2015-16 to 2019-20"]) == "significantly higher (p < .05)"
    assert wording.verdict(changes.loc["2017-18 to 2019-20"]) == "not measurably different"
    assert "without adjustment" in wording.multiple_comparison_note(differences)
