"""Disproportionality measures against hand-computed values and published worked examples."""

import math

import pandas as pd
import pytest

from sro_research.stats.disproportionality import (
    composition_index,
    disproportionality,
    rate,
    rate_difference,
    rate_ratio,
    relative_rate_index,
    risk,
    risk_difference,
    risk_ratio,
    significant,
)

Z = 1.959963984540054


def test_risk_is_per_100_with_the_wilson_interval():
    value, low, high = risk(10, 100)
    p, n = 0.1, 100
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z / (1 + Z**2 / n) * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))
    assert value == pytest.approx(10.0)
    assert (low, high) == pytest.approx((100 * (centre - half), 100 * (centre + half)))
    assert all(math.isnan(x) for x in risk(1, 0))


def test_risk_ratio_matches_a_published_worked_example():
    """cfm-calculator.com's relative risk calculator, worked example: a=80 of 1,000 exposed, c=10 of 1,000
    controls, RR = 0.0800 / 0.0100 = 8.00, interval exp(ln RR ± 1.96·sqrt(1/a + 1/c − 1/(a+b) − 1/(c+d)))
    (http://cfm-calculator.com/statistics/Relative-Risk-Calculator.php)."""
    ratio, low, high = risk_ratio(80, 1000, 10, 1000)
    se = math.sqrt(1 / 80 + 1 / 10 - 1 / 1000 - 1 / 1000)
    assert ratio == pytest.approx(8.00)
    assert low == pytest.approx(8 * math.exp(-Z * se)) and low == pytest.approx(4.170, abs=1e-3)
    assert high == pytest.approx(8 * math.exp(Z * se)) and high == pytest.approx(15.348, abs=1e-3)


def test_risk_against_all_others_matches_the_contra_costa_worked_example():
    """Contra Costa Health Services, "How to Calculate Relative Risk" (Table 71, AIDS deaths 1999-2001):
    50 deaths among 260,553 African Americans, 51 among 2,585,895 people of all other groups; the
    document prints the risk 0.0001919 for African Americans (50 / 260,553)
    (https://docslib.org/download/1855167/how-to-calculate-relative-risk)."""
    value, _, _ = risk(50, 260_553)
    assert value / 100 == pytest.approx(0.0001919, abs=5e-8)
    ratio, _, _ = risk_ratio(50, 260_553, 51, 2_585_895)
    assert ratio == pytest.approx((50 / 260_553) / (51 / 2_585_895))
    assert ratio == pytest.approx(9.73, abs=0.005)


def test_risk_difference_is_per_100_with_the_wald_interval():
    value, low, high = risk_difference(40, 400, 10, 500)
    se = math.sqrt(0.1 * 0.9 / 400 + 0.02 * 0.98 / 500)
    assert value == pytest.approx(8.0)
    assert (low, high) == pytest.approx((100 * (0.08 - Z * se), 100 * (0.08 + Z * se)))
    assert (low, high) == pytest.approx((4.814, 11.186), abs=1e-3)


def test_rate_has_the_exact_poisson_interval():
    """The exact (Garwood) 95% interval for a count of 10 is 4.795 to 18.390 (standard Poisson tables)."""
    value, low, high = rate(10, 1000)
    assert value == pytest.approx(1.0)
    assert (low * 10, high * 10) == pytest.approx((4.795, 18.390), abs=1e-3)
    assert rate(0, 100)[1] == 0.0


def test_rate_ratio_and_difference_for_event_counts():
    ratio, low, high = rate_ratio(40, 400, 10, 500)
    se = math.sqrt(1 / 40 + 1 / 10)
    assert ratio == pytest.approx(5.0)
    assert (low, high) == pytest.approx((5 * math.exp(-Z * se), 5 * math.exp(Z * se)))
    diff, low, high = rate_difference(40, 400, 10, 500)
    se = math.sqrt(40 / 400**2 + 10 / 500**2)
    assert (diff, low, high) == pytest.approx((8.0, 100 * (0.08 - Z * se), 100 * (0.08 + Z * se)))
    assert rate_ratio(0, 400, 10, 500)[0] == pytest.approx((0.5 / 400) / (10.5 / 500))  # Haldane–Anscombe


def test_composition_index_is_share_of_outcome_over_share_of_enrollment():
    out = composition_index(40, 55, 400, 1100)
    assert out["outcome_share"] == pytest.approx(100 * 40 / 55)
    assert out["enrollment_share"] == pytest.approx(100 * 400 / 1100)
    assert out["composition_index"] == pytest.approx((40 / 55) / (400 / 1100))  # = 2.0


def test_disproportionality_compares_with_white_students_and_with_all_others():
    counts = pd.DataFrame({"race": ["black", "white", "hispanic"], "n_out": [40, 10, 5], "enrolled": [400, 500, 200]})
    table = disproportionality(counts, "race", "n_out", "enrolled", "white").set_index("race")
    assert table.loc["black", "rr_reference"] == pytest.approx(0.10 / 0.02)
    assert table.loc["black", "rr_others"] == pytest.approx(0.10 / (15 / 700))
    assert table.loc["hispanic", "rd_reference"] == pytest.approx(100 * (0.025 - 0.02))
    assert math.isnan(table.loc["white", "rr_reference"])
    assert table["composition_index"].tolist() == pytest.approx([2.0, 0.4, 0.5])
    events = disproportionality(counts, "race", "n_out", "enrolled", "white", events=True).set_index("race")
    assert events.loc["black", "rr_reference_low"] == pytest.approx(rate_ratio(40, 400, 10, 500)[1])
    with pytest.raises(ValueError, match="reference group"):
        disproportionality(counts, "race", "n_out", "enrolled", "asian")


def test_relative_rate_index_uses_the_stage_before_as_base():
    """OJJDP's RRI ("Constructing an RRI Matrix", National DMC Databook, https://www.ojjdp.gov/ojstatbb/dmcdb/asp/matrix.asp):
    each decision point's rate is per 100 at the point before, so each index isolates that stage.
    Hand computation: Black 50 referred of 1,000, 20 arrested of 50 referred; white 20 of 1,000, 4 of 20:
    RRI at referral (5/100)/(2/100) = 2.5; at arrest (40/100)/(20/100) = 2.0."""
    stages = pd.DataFrame({"race": ["black", "white"], "enrolled": [1000, 1000], "referred": [50, 20], "arrested": [20, 4]})
    rri = relative_rate_index(stages, "race", ["enrolled", "referred", "arrested"], "white").set_index(["race", "stage"])
    assert rri.loc[("black", "referred"), "rri"] == pytest.approx(2.5)
    assert rri.loc[("black", "arrested"), "rri"] == pytest.approx(2.0)
    assert rri.loc[("black", "arrested"), "rate"] == pytest.approx(40.0)
    assert rri.loc[("white", "referred"), "rri"] == 1.0
    assert rri.loc[("black", "arrested"), "rri_low"] == pytest.approx(risk_ratio(20, 50, 4, 20)[1])
    events = relative_rate_index(stages, "race", ["enrolled", "referred", "arrested"], "white", events_at=("arrested",))
    assert events.set_index(["race", "stage"]).loc[("black", "arrested"), "rri_low"] == pytest.approx(rate_ratio(20, 50, 4, 20)[1])
    with pytest.raises(ValueError, match="two stages"):
        relative_rate_index(stages, "race", ["enrolled"], "white")


def test_significant_means_the_interval_excludes_the_null():
    assert significant(1.2, 3.0) and significant(0.2, 0.9)
    assert not significant(0.8, 1.5) and not significant(math.nan, 2.0)
