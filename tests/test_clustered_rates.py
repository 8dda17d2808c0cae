"""School-clustered intervals for involvement rates, and the one zero-cell rule, against R and worked examples.

References: R 4.2 with sandwich 3.0 (`glm(..., family = poisson)` with `vcovCL(type = "HC1")`) and epitools
0.5 (`riskratio.wald`), run on the data below by tests/fixtures/r_clustered/clustered_rates.R; the live
test reruns it when Rscript and both packages are installed. Haldane–Anscombe: Haldane (1956), Ann. Hum.
Genet. 20:309; Anscombe (1956), Biometrika 43:461 (0.5 added to each cell of a table with a zero cell).
"""

import math
import shutil
import subprocess

import pandas as pd
import pytest

from sro_research.stats.clustered_rates import clustered_rate_measures, pearson_dispersion
from sro_research.stats.disproportionality import rate_ratio, risk_difference, risk_ratio
from tests.conftest import FIXTURES

SCHOOLS = pd.DataFrame({
    "school": [s for s in "abcdef" for _ in range(3)], "race": ["black", "white", "asian"] * 6,
    "count": [12, 3, 1, 30, 6, 0, 4, 2, 1, 18, 9, 2, 2, 1, 0, 25, 4, 3],
    "enrolled": [200, 220, 40, 300, 310, 50, 150, 160, 30, 260, 280, 45, 120, 130, 20, 330, 300, 60],
})
# R's output for the script, in its order: rates per 100 (white, black, asian), lower, upper; black/white ratio; phi
R_RATES = [1.7857142857, 6.6911764706, 2.8571428571]
R_LOW = [1.1698411136, 4.7674818869, 1.4214498587]
R_HIGH = [2.7258193212, 9.3910881305, 5.7429147122]
R_RATIO = [3.7470588235, 2.3606233470, 5.9477721614]
R_PHI = 1.4554084444
R_SCRIPT = FIXTURES / "r_clustered" / "clustered_rates.R"


def _measures():
    return clustered_rate_measures(SCHOOLS, "race", "count", "enrolled", "school", "white").set_index("race")


def test_rates_and_ratio_match_r_sandwich():
    m = _measures()
    order = ["white", "black", "asian"]
    assert m.loc[order, "risk"].tolist() == pytest.approx(R_RATES, rel=1e-8)
    assert m.loc[order, "risk_low"].tolist() == pytest.approx(R_LOW, rel=1e-6)
    assert m.loc[order, "risk_high"].tolist() == pytest.approx(R_HIGH, rel=1e-6)
    assert m.loc["black", ["rr_reference", "rr_reference_low", "rr_reference_high"]].tolist() == pytest.approx(R_RATIO, rel=1e-6)
    assert m.attrs["phi"] == pytest.approx(R_PHI, rel=1e-6) and m.attrs["clusters"] == 6


def test_point_estimates_are_the_pooled_rates_and_clustered_intervals_differ_from_poisson():
    m = _measures()
    black = SCHOOLS[SCHOOLS["race"] == "black"]
    assert m.loc["black", "risk"] == pytest.approx(100 * black["count"].sum() / black["enrolled"].sum())
    others = SCHOOLS[SCHOOLS["race"] != "black"]
    assert m.loc["black", "rr_others"] == pytest.approx(
        (black["count"].sum() / black["enrolled"].sum()) / (others["count"].sum() / others["enrolled"].sum()))
    white = SCHOOLS[SCHOOLS["race"] == "white"]
    poisson = rate_ratio(black["count"].sum(), black["enrolled"].sum(), white["count"].sum(), white["enrolled"].sum())
    assert poisson[0] == pytest.approx(m.loc["black", "rr_reference"])
    assert m.loc["black", "rr_reference_low"] != pytest.approx(poisson[1], rel=1e-3)


def test_dispersion_is_pearson_chi_square_over_df():
    black = SCHOOLS[SCHOOLS["race"] == "black"]
    rate = black["count"].sum() / black["enrolled"].sum()
    expected = black["enrolled"] * rate
    hand = (((black["count"] - expected) ** 2) / expected).sum() / (len(black) - 1)
    assert pearson_dispersion(black, "count", "enrolled") == pytest.approx(hand)
    assert _measures().loc["black", "phi"] == pytest.approx(hand)


def test_a_zero_count_takes_the_haldane_rule_never_a_zero_width_interval():
    frame = SCHOOLS.copy()
    frame.loc[frame["race"] == "asian", "count"] = 0
    m = clustered_rate_measures(frame, "race", "count", "enrolled", "school", "white").set_index("race")
    asian = m.loc["asian"]
    assert asian["risk"] == 0 and asian["risk_high"] > 0  # exact Poisson upper bound
    white = frame[frame["race"] == "white"]
    asian_enrolled = frame.loc[frame["race"] == "asian", "enrolled"].sum()
    ratio = (0.5 / asian_enrolled) / ((white["count"].sum() + 0.5) / white["enrolled"].sum())
    assert asian["rr_reference"] == pytest.approx(ratio)
    assert 0 < asian["rr_reference_low"] < ratio < asian["rr_reference_high"]
    half = math.log(asian["rr_reference_high"] / ratio)
    poisson_half = 1.959964 * math.sqrt(1 / 0.5 + 1 / (white["count"].sum() + 0.5))
    assert half == pytest.approx(poisson_half * math.sqrt(max(m.attrs["phi"], 1)), rel=1e-5)  # widened by phi


def test_risk_ratio_matches_epitools_with_and_without_a_zero_cell():
    # riskratio.wald(matrix(c(920, 80, 990, 10), 2, byrow = TRUE)): 0.125 (0.06515646427 to 0.2398073649)
    assert risk_ratio(10, 1000, 80, 1000) == pytest.approx((0.125, 0.06515646427, 0.2398073649), rel=1e-8)
    # riskratio.wald(matrix(c(100, 0, 90, 10), 2, byrow = TRUE) + 0.5): 21 (1.247229911 to 353.5835663)
    assert risk_ratio(10, 100, 0, 100) == pytest.approx((21.0, 1.247229911, 353.5835663), rel=1e-8)
    assert all(math.isnan(x) for x in risk_ratio(0, 100, 0, 100))  # nothing to compare
    diff, low, high = risk_difference(0, 100, 0, 120)
    assert diff == 0 and low < 0 < high


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed")
def test_live_r_reproduces_the_reference_values():
    probe = subprocess.run(["Rscript", "-e", "library(sandwich); library(epitools)"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("R's sandwich or epitools package is not installed")
    lines = subprocess.run(["Rscript", str(R_SCRIPT)], capture_output=True, text=True, check=True).stdout.splitlines()
    numbers = [[float(x) for x in line.split()] for line in lines[:5]]
    assert numbers[0] == pytest.approx(R_RATES) and numbers[1] == pytest.approx(R_LOW)
    assert numbers[2] == pytest.approx(R_HIGH) and numbers[3] == pytest.approx(R_RATIO)
    assert numbers[4][0] == pytest.approx(R_PHI)
