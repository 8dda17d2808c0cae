"""Time the CRDC cross-table audit: every fixture year's breakdowns, suppressed and audited, as the annual review builds them.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_audit.py [--threshold 10]

For each CRDC year in tests/fixtures/crdc (SYNTHETIC), `reports.annual_review_crdc.year_breakdowns`
(district, state and nation; three measures; race, sex, disability and the district's crossings), and
prints per year the CPU seconds (this process, so other people's work on a shared machine counts less
than in wall time), the wall seconds, the linear programmes solved and the hidden counts. The audit
solves two programmes per hidden count (privacy.count_ranges). Before one HiGHS model per set of
visible counts (scipy `linprog` per programme), the four years took 52.9 s of CPU (8.8-17.8 s a year,
150 s wall at load 5-6 on the shared 2-core machine); after, 15.7 s (3.3-4.4 s a year, 43 s wall),
with the same hidden counts and ranges. This is a script, not a test: it prints and
never fails on the numbers.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sro_research.analysis.crdc_rates import crdc_rates
from sro_research.privacy import count_ranges
from sro_research.readers.crdc import read_crdc_year
from sro_research.reports.annual_review_crdc import year_breakdowns

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "crdc"
LEAID = "2721240"  # the fixture's district
YEARS = ("2015-16", "2017-18", "2020-21", "2021-22")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=int, default=10)
    args = parser.parse_args()
    solved = {"n": 0}
    solve = count_ranges.CountRanges._solve

    def counted(self, cost):
        solved["n"] += 1
        return solve(self, cost)

    count_ranges.CountRanges._solve = counted
    print(f"{'year':8} {'cpu s':>7} {'wall s':>7} {'programmes':>10} {'hidden':>7}")
    total_cpu = 0.0
    for year in YEARS:
        solved["n"] = 0
        cpu, wall = time.process_time(), time.perf_counter()
        results = year_breakdowns(crdc_rates(read_crdc_year(FIXTURE, year), LEAID), args.threshold)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        total_cpu += cpu
        hidden = sum(r.audit.hidden_cells for r in results.values())
        print(f"{year:8} {cpu:7.2f} {wall:7.2f} {solved['n']:10d} {hidden:7d}")
    print(f"all years: {total_cpu:.1f} s of CPU")


if __name__ == "__main__":
    main()
