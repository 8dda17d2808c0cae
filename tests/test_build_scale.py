"""Scale-out: the same build submitted to a dask.distributed cluster (a LocalCluster here)."""

import json
import time

import pytest

from sro_research.build.pipeline import build

distributed = pytest.importorskip("distributed")

FAN_OUT = 4  # enough to run reports at once on each worker thread and queue the rest; each starts a kernel


def fan_out_config(root, count=FAN_OUT):
    """One notebook, `count` reports: the per-school fan-out a district or state would run."""
    lines = ["# The fixture notebook once per school (tests/test_build_scale.py, benchmarks/bench_build.py)."]
    for i in range(count):
        lines += [f"[reports.school_{i:03d}]", 'notebook = "notebooks/fanout.ipynb"',
                  f'title = "School {i:03d}"', f'parameters = {{ school = "S{i:03d}" }}', ""]
    path = root / "fanout.toml"
    path.write_text("\n".join(lines))
    return path


@pytest.mark.slow
def test_statewide_fan_out_on_a_local_dask_cluster(fixture_project):
    """A fan-out over a state's districts (the four MN districts of the CRDC fixture) on a LocalCluster."""
    from tests.conftest import MN_DISTRICTS as MN, statewide_config

    config = statewide_config(fixture_project)
    out = fixture_project / "reports"
    # As after an earlier in-process notebook run: an event loop in this thread's context. Dask's
    # in-process workers copy that context; each report must still get a loop of its own.
    from jupyter_core.utils import ensure_event_loop

    ensure_event_loop()
    # Threads, not processes: the cluster starts in a second; each report still runs its own kernel.
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        started = time.monotonic()
        results = build(config=config, scheduler=cluster.scheduler_address)
        seconds = time.monotonic() - started
    assert [r.ok for r in results] == [True] * len(MN), [str(r.failure) for r in results if not r.ok]
    assert len(MN) <= FAN_OUT
    for leaid in (MN[0], MN[-1]):
        executed = (out / "executed" / f"district_mn__{leaid}.ipynb").read_text()
        assert f'leaid = \\"{leaid}\\"' in executed  # each report got its own district
        assert f"SYNTHETIC DISTRICT {leaid}: students referred" in (out / f"district_mn__{leaid}.html").read_text()
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["reports"]) == len(MN) and list(manifest["fan_outs"]) == ["district_mn"]
    assert all(f"district_mn__{leaid}.html" in (out / "district_mn.html").read_text() for leaid in MN)
    assert not [p for p in out.rglob(".*")]
    print(f"{len(MN)} district reports on a LocalCluster: {seconds:.1f}s")
    # Outputs came back to the output folder: a second run is all cache hits, without the cluster.
    assert {r.status for r in build(config=config)} == {"up to date"}
