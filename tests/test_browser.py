"""A built report opens in a real browser with the network off: Debian's headless Chromium."""

import shutil
import subprocess

import pytest

from sro_research.build.pipeline import build

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # Any request for a non-local host fails, so a page that needs the network shows it.
    "--host-resolver-rules=MAP * ~NOTFOUND",
]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")


def test_report_renders_offline_in_chromium(fixture_project, tmp_path):
    results = build(["demo"], config=fixture_project / "reports.toml")
    page = results[0].html
    profile = tmp_path / "profile"
    dom = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    assert "Sample rows (demo)" in dom
    assert "How this report was made" in dom
    assert 'src="data:image/png;base64,' in dom
    shot = tmp_path / "demo.png"
    subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--window-size=1200,1600", f"--screenshot={shot}", page.as_uri()],
        capture_output=True, timeout=120, check=True,
    )
    assert shot.stat().st_size > 10_000  # a rendered page, not a blank one
