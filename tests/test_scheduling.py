"""The scheduling examples in docs/ are well-formed and run the build the README describes."""

import configparser
import shutil
import subprocess

import pytest
import yaml

from tests.conftest import PROJECT_ROOT

EXAMPLES = PROJECT_ROOT / "docs" / "scheduling"


def test_cron_line_has_five_time_fields_and_runs_the_build():
    lines = [l for l in (EXAMPLES / "crontab").read_text().splitlines() if l.strip() and not l.startswith("#")]
    assert len(lines) == 1
    fields = lines[0].split(maxsplit=5)
    assert len(fields) == 6 and all(f.replace("*", "0").replace("/", "").replace(",", "").replace("-", "").isdigit() for f in fields[:5])
    assert "make reports" in fields[5] and "cd " in fields[5]


def _unit(name):
    parser = configparser.ConfigParser(strict=True, interpolation=None)
    parser.optionxform = str
    parser.read(EXAMPLES / name)
    return parser


def test_systemd_service_and_timer_pair():
    service, timer = _unit("sro-research-reports.service"), _unit("sro-research-reports.timer")
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["ExecStart"].endswith("make reports")
    assert service["Service"]["WorkingDirectory"].startswith("/")
    assert timer["Timer"]["OnCalendar"] and timer["Install"]["WantedBy"] == "timers.target"
    if shutil.which("systemd-analyze"):
        done = subprocess.run(["systemd-analyze", "verify", "--man=no", str(EXAMPLES / "sro-research-reports.timer")],
                              capture_output=True, text=True)
        assert "Unknown" not in done.stderr and "Failed to parse" not in done.stderr, done.stderr


def test_ci_workflow_builds_from_a_checkout_and_keeps_reports_as_an_artifact():
    workflow = yaml.safe_load((EXAMPLES / "github-actions-reports.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    assert steps[0]["uses"].startswith("actions/checkout")
    assert any(step.get("run") == "make reports" for step in steps)
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"] == "reports/" and upload["if"] == "always()"
    assert workflow[True]["schedule"][0]["cron"]  # YAML reads the key `on` as True


@pytest.mark.parametrize("name", ["scheduling.md", "scheduling/crontab", "scheduling/sro-research-reports.service",
                                  "scheduling/sro-research-reports.timer", "scheduling/github-actions-reports.yml"])
def test_readme_points_to_each_scheduling_document(name):
    assert f"docs/{name}" in (PROJECT_ROOT / "README.md").read_text()
