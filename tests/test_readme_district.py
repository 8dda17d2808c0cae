"""The README's "Run it for your district", followed as written for the SYNTHETIC example district.

The section's shell blocks run, in order, in one bash session in a temporary folder, from a fresh
`git clone` of this checkout (its committed HEAD). Three lines are stood in for, each for a stated
reason: the clone's address is this checkout; `make list` (which installs the locked libraries) links
the current .venv instead, to stay fast; and the statewide fan-out is planned, not run (its build is
tested in tests/test_build_fanout.py and tests/test_build_scale.py). Any other line runs verbatim, so
the test fails when the README drifts from what works. The profile edit (the TOML block) is followed
with the example district's values: the test checks that every key it names is one the example has.
"""

import os
import re
import shlex
import shutil
import subprocess
import tomllib

import pytest

from tests.conftest import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"
SECTION = "## Run it for your district"
EXAMPLE = PROJECT_ROOT / "districts" / "example.toml"


def section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return text[start:end if end > 0 else None]


def blocks(text: str) -> list[tuple[str, str]]:
    """(language, code) of each fenced block, the list item's indentation removed."""
    found = []
    for indent, language, code in re.findall(r"^( *)```(\w*)\n(.*?)^ *```", text, re.S | re.M):
        found.append((language, "\n".join(line[len(indent):] for line in code.splitlines())))
    return found


def steps(text: str) -> list[str]:
    return re.findall(r"^(\d+)\. ", text, re.M)


def fan_outs() -> set[str]:
    reports = tomllib.loads((PROJECT_ROOT / "reports.toml").read_text(encoding="utf-8"))["reports"]
    return {name for name, table in reports.items() if "fan_out" in table}


def followed(lines: list[str], venv: str) -> list[str]:
    """The shell lines as the test runs them (see the module docstring for the three stand-ins)."""
    script = []
    for line in lines:
        words = shlex.split(line, comments=True)
        if not words:
            continue
        if words[:2] == ["git", "clone"]:
            script.append(f"git clone --quiet {shlex.quote(str(PROJECT_ROOT))} {shlex.quote(words[-1])}")
        elif words == ["make", "list"]:
            script.append(f"ln -s {shlex.quote(venv)} .venv && .venv/bin/sro-research list > /dev/null")
        elif words[:2] == [".venv/bin/sro-research", "build"] and set(words) & fan_outs():
            [name] = set(words) & fan_outs()
            script.append(f".venv/bin/python -c {shlex.quote(PLAN.format(name=name))}")
        else:
            script.append(line)
    return script


# The fan-out planned: its reports listed from the example folder, the example district among them.
PLAN = ("from sro_research.build.pipeline import plan; from sro_research.district import load_profile; "
        "names = [p.spec.name for p in plan(['{name}'], None)]; leaid = load_profile('example').leaid; "
        "assert '{name}__' + leaid in names, names; print(len(names), 'district reports planned')")


def test_the_section_has_at_most_ten_steps_and_its_profile_keys_are_the_examples():
    text = section()
    numbers = steps(text)
    assert numbers == [str(i) for i in range(1, len(numbers) + 1)] and 5 <= len(numbers) <= 10
    [profile] = [tomllib.loads(code) for language, code in blocks(text) if language == "toml"]
    example = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    for key, value in profile.items():
        if isinstance(value, dict):
            assert set(value) <= set(example.get(key, {})), f"[{key}] {set(value) - set(example.get(key, {}))}"
        else:
            assert key in example, key
    assert {"name", "leaid", "state", "folders"} <= set(profile)
    # The download step puts the files where the profile says, from the Department of Education's site.
    download = text.split("\n5. ")[1].split("\n6. ")[0]
    assert f"{profile['folders']['crdc']}/2021-22/" in download and "https://ocrdata.ed.gov" in download
    assert "list: $(STAMP)" in (PROJECT_ROOT / "Makefile").read_text()  # `make list` installs from the lock


@pytest.mark.slow
def test_following_the_readme_builds_the_example_districts_page_from_a_fresh_clone(tmp_path):
    if not (PROJECT_ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    text = section()
    lines = [line for language, code in blocks(text) if language == "sh" for line in code.splitlines()]
    script = followed(lines, str(PROJECT_ROOT / ".venv"))
    # Followed for the example district: its profile is the one copied, its values kept (step 4).
    script = [line.replace("DISTRICT=saint-paul", "DISTRICT=example-copy") for line in script]
    assert "DISTRICT=example-copy" in script, "step 3 no longer sets DISTRICT=saint-paul"
    env = {k: v for k, v in os.environ.items() if k not in ("SRO_PROJECT_ROOT", "SSOCS_DIR", "SRO_DISTRICT")}
    clone = tmp_path / "sro-research"
    env["PYTHONPATH"] = str(clone)  # the clone's package, not the checkout's the venv was installed from
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", "\n".join(script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert "district reports planned" in done.stdout
    [page] = re.findall(r"`(reports/[\w./$-]+\.html)`", text.split("\n8. ")[1].split("\n9. ")[0])
    html = (clone / page.replace("$DISTRICT", "example-copy")).read_text(encoding="utf-8")
    example = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert example["name"] in html or example["name"].upper() in html
    assert "synthetic" in html.lower()
    assert not re.search(r"Minneapolis|\bMPS\b|Hennepin", html)
    assert (clone / "districts" / "example-copy.toml").read_bytes() == EXAMPLE.read_bytes()
