"""Warm kernels (build/forked_kernels.py, build/kernel_fork_server.py): forked from a parent that has
imported the heavy libraries, one fresh kernel per report, nothing shared between reports; and the
plain kernel start they fall back to."""

import json
import os

import matplotlib
import nbformat
import psutil
import pytest

from sro_research.build import forked_kernels
from sro_research.build.execution import execute
from sro_research.build.pipeline import build
from sro_research.build.progress import NoProgress

SEED_0_FIRST_DRAW = 0.5488135039273248  # numpy.random.seed(0); numpy.random.random()


def _found(executed) -> dict:
    """What the state probe found when it started (its FOUND line)."""
    nb = nbformat.read(executed, as_version=4)
    lines = [line for cell in nb.cells for out in cell.get("outputs", []) for line in out.get("text", "").splitlines()]
    return json.loads(next(line for line in lines if line.startswith("FOUND "))[len("FOUND "):])


@pytest.mark.parametrize("forked", [True, False], ids=["forked", "plain"])
def test_two_reports_in_one_worker_share_no_state(fixture_project, monkeypatch, forked):
    if not forked:
        monkeypatch.setenv(forked_kernels.ENABLE_ENV, "0")
    out = fixture_project / "reports"
    results = build(["probe_first", "probe_second"], out=out, config=fixture_project / "state_probe.toml", jobs=1)
    assert [r.ok for r in results] == [True, True], [str(r.failure) for r in results]
    first, second = (_found(out / "executed" / f"probe_{name}.ipynb") for name in ("first", "second"))
    for found in (first, second):
        assert found["global"] is None and found["module_attribute"] is None and found["module"] is False
        assert found["environment"] is None
        assert found["linewidth"] == matplotlib.rcParamsDefault["lines.linewidth"]
        assert found["first_draw"] != SEED_0_FIRST_DRAW  # not the seed the other report set
    assert first["first_draw"] != second["first_draw"]  # each kernel draws from fresh entropy
    assert first["kernel_pid"] != second["kernel_pid"]
    assert first["parent_pid"] == second["parent_pid"]  # one worker (plain) or one warm parent (forked)
    if forked:  # the warm parent: the fork server this process started, inherited by the worker, kept for the next build
        server = psutil.Process(first["parent_pid"])
        assert "kernel_fork_server" in " ".join(server.cmdline()) and server.ppid() == os.getpid()
    assert "left behind by second" in (out / "probe_second.html").read_text()


@pytest.mark.parametrize("forked", [True, False], ids=["forked", "plain"])
def test_a_kernel_that_dies_fails_its_report_naming_the_cell(fixture_project, monkeypatch, forked):
    if not forked:
        monkeypatch.setenv(forked_kernels.ENABLE_ENV, "0")
    [result] = build(["kernel_dies"], config=fixture_project / "state_probe.toml", jobs=1)
    assert not result.ok
    assert (result.failure.cell, result.failure.ename) == (2, "DeadKernelError")
    assert result.failure.public() == "kernel_dies.ipynb cell 2: DeadKernelError"


def _probe(fixture_project, tmp_path, name):
    output = tmp_path / f"{name}.ipynb"
    env = {"SRO_PROJECT_ROOT": str(fixture_project), "SRO_REPORT_NAME": name, "SRO_TABLES_DIR": str(tmp_path)}
    failure = execute(fixture_project / "notebooks" / "state_probe.ipynb", output, {"mark": name},
                      cwd=fixture_project, env=env, timeout=120, report=name, progress=NoProgress())
    assert failure is None, str(failure)
    return _found(output)


def test_a_server_that_cannot_serve_falls_back_to_plain_kernels(fixture_project, tmp_path, monkeypatch, capsys):
    """A server that stops at once (as one refusing to fork after an import started a thread does):
    the report still runs, in a kernel started plainly as this process's child, with one warning."""
    monkeypatch.setattr(forked_kernels, "SERVER_COMMAND", "import os; os.close({fd})")
    monkeypatch.setattr(forked_kernels, "_servers", [])
    monkeypatch.setattr(forked_kernels, "_warned", set())
    found = _probe(fixture_project, tmp_path, "fallback")
    assert found["parent_pid"] == os.getpid()
    assert "a kernel could not be forked" in capsys.readouterr().err


def test_kernels_of_another_environment_come_from_another_server():
    """A variable that can change what an import does (here PYTHONHASHSEED) needs its own server;
    the package's own variables, pytest's and each report's do not."""
    base = {"PATH": "/usr/bin", "HOME": "/h", forked_kernels.RUNTIME_ONLY_PREFIX + "REPORT_NAME": "a",
            "PYTEST_CURRENT_TEST": "x", "SSOCS_DIR": "/a", "JPY_SESSION_NAME": "n"}
    same = {**base, forked_kernels.RUNTIME_ONLY_PREFIX + "REPORT_NAME": "b", "PYTEST_CURRENT_TEST": "y",
            "SSOCS_DIR": "/b", "JPY_SESSION_NAME": "m"}
    per_report = frozenset({"SSOCS_DIR"})
    assert forked_kernels.comparable(base, per_report) == forked_kernels.comparable(same, per_report)
    assert forked_kernels.comparable(base, per_report) != forked_kernels.comparable({**same, "PYTHONHASHSEED": "1"}, per_report)
    assert forked_kernels.comparable(base, frozenset()) != forked_kernels.comparable(same, frozenset())  # SSOCS_DIR


def test_only_this_interpreters_ipykernel_is_forked(monkeypatch):
    import sys

    assert forked_kernels.forkable([sys.executable, "-m", "ipykernel_launcher", "-f", "k.json"])
    assert not forked_kernels.forkable(["/other/env/bin/python", "-m", "ipykernel_launcher", "-f", "k.json"])
    assert not forked_kernels.forkable([sys.executable, "-m", "some_other_kernel", "-f", "k.json"])
    monkeypatch.setenv(forked_kernels.ENABLE_ENV, "0")
    assert not forked_kernels.enabled()
