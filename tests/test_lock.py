"""requirements.lock, pyproject.toml and environment.yml stay in step: `make lock` after any dependency change."""

import re
import tomllib

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import PROJECT_ROOT

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", re.MULTILINE)


def _locked() -> dict[str, list[str]]:
    pins: dict[str, list[str]] = {}
    for name, version in PIN.findall((PROJECT_ROOT / "requirements.lock").read_text()):
        pins.setdefault(canonicalize_name(name), []).append(version)  # a universal lock may pin per Python
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    return [Requirement(r) for r in project["dependencies"] + [r for group in extras.values() for r in group]]


def test_every_dependency_and_extra_is_locked_at_an_allowed_version():
    locked = _locked()
    problems = []
    for requirement in _declared():
        versions = locked.get(canonicalize_name(requirement.name))
        if not versions:
            problems.append(f"{requirement.name} is not in requirements.lock")
        elif not any(requirement.specifier.contains(v, prereleases=True) for v in versions):
            problems.append(f"{requirement.name}: locked {versions} does not satisfy {requirement.specifier}")
    assert not problems, "; ".join(problems) + " -- run `make lock`"


def test_every_environment_yml_dependency_is_locked():
    conda = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())["dependencies"]
    names = [re.split(r"[<>=!~ ]", d)[0] for d in conda if isinstance(d, str) and not d.startswith(("python", "pip"))]
    missing = [name for name in names if canonicalize_name(name) not in _locked()]
    assert not missing, f"in environment.yml but not locked: {missing} -- add them to pyproject.toml and run `make lock`"


def test_every_locked_package_carries_hashes():
    text = (PROJECT_ROOT / "requirements.lock").read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    assert blocks and all("--hash=sha256:" in block for block in blocks if PIN.match(block))
