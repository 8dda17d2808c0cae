"""Time the full SSOCS estimate table, and the same estimates through the `svy` package if installed.

    SSOCS_DIR=/path/to/ssocs .venv/bin/python benchmarks/bench_ssocs_table.py [--repeat 7]

"Full table" = all five years x every indicator x every domain (all, level, level_grouped,
enrollment size, locale, minority, percent White, peer group), each with a jackknife SE: what
`ssocs.estimate_table()` returns. Target: under 1 second on a 2-core machine, and faster than svy
on the same estimates. This is a script, not a test: it prints timings and never fails on them.

The product behind each year's table is small (51 weight columns x ~2,500 schools x ~300 columns),
so on a busy 2-core machine OpenBLAS's two threads can contend with other work; compare with
OPENBLAS_NUM_THREADS=1 when timings look noisy (the script prints the load average).

`svy` (PyPI) is not a project dependency. To compare, install it outside the project venv, e.g.
`pip install --target /tmp/svylib svy`, and run with PYTHONPATH=/tmp/svylib.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np
import pandas as pd

from sro_research.readers import ssocs


def timed(function, repeat: int) -> tuple[float, float, object]:
    """(best, median) seconds over `repeat` runs, and the last result."""
    seconds, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - start)
    return min(seconds), statistics.median(seconds), result


def svy_table(frame: pd.DataFrame, table: pd.DataFrame):
    """The same year x indicator x domain estimates through svy (replication, JK1, centred on the estimate)."""
    import polars as pl
    import svy

    samples = {}
    for year, rows in frame.groupby("year", sort=False):
        rows = rows.assign(all=ssocs.ALL_SCHOOLS)
        rows["peer_group"] = pd.Series(ssocs.peer_label(year), index=rows.index).where(ssocs.peer_mask(rows) == 1)
        for column in ssocs.DOMAINS:
            rows[column] = rows[column].astype(object).where(rows[column].notna(), None).astype(str).replace("None", None)
        columns = [*ssocs.DOMAINS, *ssocs.INDICATORS, ssocs.WEIGHT, *ssocs.REPWEIGHTS]
        design = svy.Design(
            wgt=ssocs.WEIGHT,
            rep_wgts=svy.JackknifeWgts(prefix="REPWGT", n_reps=ssocs.N_REPLICATES, kind="jk1"),
        )
        samples[year] = svy.Sample(pl.from_pandas(rows[columns].reset_index(drop=True)), design)

    def run():
        results = []
        for (year, indicator, domain), _ in table.groupby(["year", "indicator", "domain_variable"], sort=False):
            sample = samples[year]
            where = svy.col(domain).is_not_null() if domain != "all" else None
            results.append(
                sample.estimation.mean(
                    indicator, by=None if domain == "all" else domain, where=where, method="replication",
                    variance_center="estimate", drop_nulls=True,
                )
            )
        return results

    return run


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ssocs-dir", default=None, help="SSOCS folder (default $SSOCS_DIR)")
    parser.add_argument("--repeat", type=int, default=7, help="runs per timing (best and median shown)")
    args = parser.parse_args(argv)
    folder = ssocs.find_ssocs_dir(args.ssocs_dir)
    if folder is None:
        print(f"no SSOCS folder: pass --ssocs-dir or set ${ssocs.SSOCS_DIR_ENV}", file=sys.stderr)
        return 2
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"SSOCS folder: {folder}; CPUs: {os.cpu_count()} (load average {load}); numpy {np.__version__}, pandas {pd.__version__}; "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")

    start = time.perf_counter()
    frame = ssocs.load_ssocs(ssocs_dir=folder)
    cold_load = time.perf_counter() - start
    best_load, median_load, _ = timed(lambda: ssocs.load_ssocs(ssocs_dir=folder), args.repeat)
    best, median, table = timed(lambda: ssocs.estimate_table(data=frame), args.repeat)
    best_all, median_all, _ = timed(lambda: ssocs.estimate_table(ssocs_dir=folder), args.repeat)
    print(f"full table: {len(table)} estimates ({table['year'].nunique()} years, {table['indicator'].nunique()} indicators, "
          f"{table['domain_variable'].nunique()} domain variables), each with a 50-replicate JK1 SE")
    print(f"  read + harmonize five files, first time:        {cold_load:7.3f} s")
    print(f"  read + harmonize, files cached (best/median):   {best_load:7.3f} / {median_load:.3f} s")
    print(f"  estimate_table from the loaded frame:           {best:7.3f} / {median:.3f} s")
    print(f"  estimate_table from the folder (cached files):  {best_all:7.3f} / {median_all:.3f} s")
    print(f"  target < 1 s: {'met' if median_all < 1 else 'NOT met'}")

    try:
        import svy  # noqa: F401
    except ImportError:
        print("svy is not installed: no comparison (see this script's docstring)")
        return 0
    run = svy_table(frame, table)
    svy_best, svy_median, results = timed(run, max(1, min(args.repeat, 3)))
    print(f"  svy {svy.__version__}, same {len(results)} estimate calls: {svy_best:7.3f} / {svy_median:.3f} s")
    print(f"  ratio svy / estimate_table (from the loaded frame, median): {svy_median / median:,.1f}x")
    check = table[(table.year == "2015-16") & (table.indicator == "security_full_time") & (table.domain_variable == "all")].iloc[0]
    print(f"  agreement check, 2015-16 full-time security staff: ours {check['estimate']:.3f} (SE {check['se']:.3f}); "
          f"svy: {results[[i for i, (k, _) in enumerate(table.groupby(['year', 'indicator', 'domain_variable'], sort=False)) if k == ('2015-16', 'security_full_time', 'all')][0]]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
