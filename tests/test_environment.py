"""pyproject.toml (runtime, test and lab) and environment.yml must list the same dependencies at the same minimum versions."""

import re
import tomllib

import yaml

from tests.conftest import PROJECT_ROOT

SPEC = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")


def _normalise(requirement: str) -> tuple[str, str]:
    name, version = SPEC.match(requirement).groups()
    return re.sub(r"[-_.]+", "-", name).lower(), version.replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    wanted = dict(_normalise(r) for r in project["dependencies"] + extras["test"] + extras["lab"])
    conda = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())["dependencies"]
    listed = dict(_normalise(d) for d in conda if isinstance(d, str) and not d.startswith(("python", "pip")))
    assert listed == wanted, {
        "only in pyproject.toml": sorted(set(wanted) - set(listed)),
        "only in environment.yml": sorted(set(listed) - set(wanted)),
        "different versions": sorted(k for k in set(wanted) & set(listed) if wanted[k] != listed[k]),
    }


def test_environment_yml_installs_this_package():
    conda = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())["dependencies"]
    pip = next(d["pip"] for d in conda if isinstance(d, dict) and "pip" in d)
    assert "-e ." in pip
