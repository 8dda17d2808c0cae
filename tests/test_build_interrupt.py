"""A build killed midway (SIGINT, SIGTERM) stops within seconds, with one line, and leaves every
published report intact and nothing temporary (in the output folder or in $TMPDIR)."""

import json
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from sro_research.build import forked_kernels
from sro_research.cli import main


def _files(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _kernels(pid, kernels):
    """The build's kernels: plain ones run ipykernel_launcher; forked ones are the fork server's children."""
    children = psutil.Process(pid).children(recursive=True)
    if kernels == "plain":
        return [child for child in children if "ipykernel_launcher" in " ".join(child.cmdline())]
    servers = [child for child in children if "kernel_fork_server" in " ".join(child.cmdline())]
    return [kernel for server in servers for kernel in server.children()]


@pytest.mark.parametrize(("signum", "kernels"), [(signal.SIGINT, "forked"), (signal.SIGTERM, "forked"), (signal.SIGTERM, "plain")])
def test_interrupted_build_keeps_previous_reports_and_leaves_no_temporary_file(fixture_project, tmp_path, signum, kernels):
    config = str(fixture_project / "slow.toml")
    out = fixture_project / "reports"
    assert main(["--config", config, "build", "-p", "seconds=0"]) == 0
    before = _files(out)
    temporary = tmp_path / "tmpdir"  # the build's $TMPDIR: its folders, kernel sockets and connection files
    temporary.mkdir()
    # Rebuild with the configured 120 s sleep, and stop it while the notebook runs.
    env = {**os.environ, "TMPDIR": str(temporary), forked_kernels.ENABLE_ENV: "1" if kernels == "forked" else "0"}
    build = subprocess.Popen([sys.executable, "-m", "sro_research", "--config", config, "build"],
                             stderr=subprocess.PIPE, text=True, env=env)
    for line in build.stderr:
        if line.startswith("[slow] running"):
            break
    deadline = time.monotonic() + 120  # a forked kernel comes once the fork server has imported everything
    while not _kernels(build.pid, kernels) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _kernels(build.pid, kernels), "a kernel is running"
    time.sleep(3)  # the cell is sleeping
    children = psutil.Process(build.pid).children(recursive=True)  # workers, fork server, kernels
    assert any(path.name.startswith("sro-kernel-") for path in temporary.iterdir())
    build.send_signal(signum)
    started = time.monotonic()
    rest = build.stderr.read()
    assert build.wait(timeout=60) == 128 + signum
    assert time.monotonic() - started < 5
    _, alive = psutil.wait_procs(children, timeout=2)
    assert not alive, "workers and kernels stop with the build"
    assert rest.splitlines() == [f"sro-research: interrupted by {signal.Signals(signum).name}; published reports are unchanged"]
    assert not list(temporary.iterdir()), "the build leaves nothing in $TMPDIR"
    after = _files(out)
    log = after.pop("build-log.jsonl").decode().splitlines()
    before.pop("build-log.jsonl")
    assert after == before  # the previous report, manifest and index, byte for byte; nothing added
    assert json.loads(log[-1])["status"] == "interrupted" and json.loads(log[-1])["report"] == "slow"
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["reports"]) == {"slow"} and "slow.html" in (out / "index.html").read_text()
    # The published report still matches its own parameters: a build with them is up to date.
    assert main(["--config", config, "build", "-p", "seconds=0"]) == 0
    assert json.loads((out / "build-log.jsonl").read_text().splitlines()[-1])["cache"] == "hit"
