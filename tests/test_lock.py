"""The locks, pyproject.toml and environment.yml stay in step: `make lock` after any dependency change.

requirements.lock holds what building reports needs (`make reports`); requirements-dev.lock adds the
test tools, dask and JupyterLab (`make test`, `make lab`), at the same versions for what they share.
"""

import re
import tomllib

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import PROJECT_ROOT

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", re.MULTILINE)
RUNTIME, DEV = "requirements.lock", "requirements-dev.lock"


def _locked(lock: str) -> dict[str, list[str]]:
    pins: dict[str, list[str]] = {}
    for name, version in PIN.findall((PROJECT_ROOT / lock).read_text()):
        pins.setdefault(canonicalize_name(name), []).append(version)  # a universal lock may pin per Python
    return pins


def _project() -> dict:
    return tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]


def _runtime() -> list[Requirement]:
    return [Requirement(r) for r in _project()["dependencies"]]


def _extras() -> list[Requirement]:
    return [Requirement(r) for group in _project()["optional-dependencies"].values() for r in group]


@pytest.mark.parametrize("lock, requirements", [(RUNTIME, _runtime), (DEV, lambda: _runtime() + _extras())])
def test_every_dependency_is_locked_at_an_allowed_version(lock, requirements):
    locked = _locked(lock)
    problems = []
    for requirement in requirements():
        versions = locked.get(canonicalize_name(requirement.name))
        if not versions:
            problems.append(f"{requirement.name} is not in {lock}")
        elif not any(requirement.specifier.contains(v, prereleases=True) for v in versions):
            problems.append(f"{requirement.name}: locked {versions} does not satisfy {requirement.specifier}")
    assert not problems, "; ".join(problems) + " -- run `make lock`"


def _required_by(lock: str) -> dict[str, set[str]]:
    """{package: what requires it}, from the `# via` notes uv writes under each pin."""
    blocks = re.split(r"\n(?=[A-Za-z0-9])", (PROJECT_ROOT / lock).read_text())
    found = {}
    for block in blocks:
        pin = PIN.match(block)
        if pin:
            via = block.split("# via", 1)[1] if "# via" in block else ""
            found[canonicalize_name(pin.group(1))] = {line.strip("# \n") for line in via.splitlines() if line.strip("# \n")}
    return found


def test_the_runtime_lock_holds_no_test_lab_or_dask_tool():
    """`make reports` (a scheduled run) installs only what building reports needs: an extra's package
    is in the runtime lock only when a runtime package requires it (psutil, for ipykernel)."""
    runtime = _required_by(RUNTIME)
    needed = {canonicalize_name(r.name) for r in _runtime()}
    extra_only = [r.name for r in _extras() if canonicalize_name(r.name) in runtime
                  and canonicalize_name(r.name) not in needed
                  and runtime[canonicalize_name(r.name)] <= {"sro-research (pyproject.toml)"}]
    assert not extra_only, f"{RUNTIME} holds {extra_only}, which only the extras need -- run `make lock`"
    assert "playwright" not in runtime and "pytest" not in runtime and "jupyterlab" not in runtime


def test_the_dev_lock_pins_every_runtime_package_at_the_same_version():
    runtime, dev = _locked(RUNTIME), _locked(DEV)
    different = {name: (versions, dev.get(name)) for name, versions in runtime.items() if sorted(versions) != sorted(dev.get(name, []))}
    assert not different, f"{different} -- run `make lock` (the dev lock is resolved within the runtime lock)"


def test_every_environment_yml_dependency_is_locked():
    conda = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())["dependencies"]
    names = [re.split(r"[<>=!~ ]", d)[0] for d in conda if isinstance(d, str) and not d.startswith(("python", "pip"))]
    missing = [name for name in names if canonicalize_name(name) not in _locked(DEV)]
    assert not missing, f"in environment.yml but not locked: {missing} -- add them to pyproject.toml and run `make lock`"


@pytest.mark.parametrize("lock", [RUNTIME, DEV])
def test_every_locked_package_carries_hashes(lock):
    text = (PROJECT_ROOT / lock).read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    assert blocks and all("--hash=sha256:" in block for block in blocks if PIN.match(block))
