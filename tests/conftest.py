import os
import re
import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
# A resource the browser would load from the network: a src=, or a <link href=> (stylesheet, font).
# Links a reader may click (<a href="https://...">) are fine offline.
EXTERNAL_RESOURCE = re.compile(r"""(?:\bsrc\s*=|<link\b[^>]*\bhref\s*=)\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


@pytest.fixture
def fixture_project(tmp_path, monkeypatch):
    """A copy of the small fixture project, so builds write into a temporary folder."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", root)
    monkeypatch.setenv("SRO_PROJECT_ROOT", str(root))
    return root


@pytest.fixture
def published_copy(tmp_path):
    """A writable copy of data/published/, for tests that break a file on purpose."""
    folder = tmp_path / "published"
    shutil.copytree(PROJECT_ROOT / "data" / "published", folder)
    return folder


# The NCES SSOCS files: $SSOCS_DIR, else the repository's data/ssocs. Loaded once per test session.
def _ssocs_folder():
    from sro_research.readers import ssocs

    folder = ssocs.find_ssocs_dir()
    return folder if folder is not None and len(ssocs.available_years(folder)) == len(ssocs.YEARS) else None


SSOCS = _ssocs_folder()
needs_ssocs = pytest.mark.skipif(SSOCS is None, reason="the NCES SSOCS public-use files are not available (data/ssocs or SSOCS_DIR)")


@pytest.fixture(scope="session")
def ssocs_frame():
    from sro_research.readers import ssocs

    if SSOCS is None:
        pytest.skip("no SSOCS folder")
    return ssocs.load_ssocs(ssocs_dir=SSOCS)


@pytest.fixture(scope="session")
def ssocs_table(ssocs_frame):
    from sro_research.analysis import ssocs_estimates

    return ssocs_estimates.estimate_table(data=ssocs_frame)


# --------------------------------------------------------------------------- built sites, once per session
# Each notebook configuration is executed once per test session: the tests that read a built page,
# table, executed notebook or index share these folders instead of building their own.


def site_reports(config=None) -> list[str]:
    """The reports the session's built site holds: every report reports.toml declares that its own district's
    data allow, fan-outs aside (each is hundreds of reports; tests/test_build_fanout.py and the README test
    cover them)."""
    from sro_research.build.config import load_reports

    return [name for name, spec in load_reports(config or PROJECT_ROOT / "reports.toml").items()
            if not spec.missing() and not spec.fan_out]


def _build_site(out, names=None, env=None):
    from sro_research.build.pipeline import build

    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SSOCS_DIR", raising=False)  # as on a fresh clone: the repository's data/ssocs
        for name, value in (env or {}).items():
            patch.setenv(name, value)
        results = build(names, out=out, config=PROJECT_ROOT / "reports.toml")
    failed = [f"{r.name}: {r.failure}" for r in results if not r.ok]
    assert not failed, failed
    return out


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """Every report of the project, built as `make reports` builds them (or $SRO_TEST_SITE, already built)."""
    if os.environ.get("SRO_TEST_SITE"):
        return Path(os.environ["SRO_TEST_SITE"])
    return _build_site(tmp_path_factory.mktemp("site"), site_reports())


@pytest.fixture(scope="session")
def fallback_site(tmp_path_factory):
    """The two SSOCS reports built with SSOCS_DIR naming a folder without the files: published figures only."""
    empty = tmp_path_factory.mktemp("no-ssocs-files")
    return _build_site(tmp_path_factory.mktemp("fallback"), ["nces_comparisons", "claims_ledger"], {"SSOCS_DIR": str(empty)})


def notebook_outputs(path: Path) -> tuple[str, int]:
    """(the HTML and markdown an executed notebook displayed, its figure count)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    text = "".join(
        str(o.get("data", {}).get("text/html", "")) + str(o.get("data", {}).get("text/markdown", ""))
        for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )
    # Figures go out through reporting.show_figure: a PNG inside an <img> that carries alt text.
    return text, text.count('class="sro-figure"')


def executed_outputs(site: Path, report: str) -> tuple[str, int, Path]:
    """notebook_outputs of a built report, and its tables folder."""
    return (*notebook_outputs(site / "executed" / f"{report}.ipynb"), site / "tables" / report)


@pytest.fixture(scope="session")
def example_district_site(tmp_path_factory):
    """The SYNTHETIC example district's site (districts/example.toml and its CRDC folder), built once per session
    as `sro-research build --district example` builds it: the reports its data allow (the public-data report)."""
    from sro_research.build.pipeline import build

    out = tmp_path_factory.mktemp("example-district")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SSOCS_DIR", raising=False)
        patch.delenv("SRO_DISTRICT", raising=False)
        results = build(["district_public_data"], out=out, config=PROJECT_ROOT / "reports.toml", district="example")
    failed = [f"{r.name}: {r.failure}" for r in results if not r.ok]
    assert not failed, failed
    return out


# --------------------------------------------------------------------------- a statewide fan-out, once per session
CRDC_FIXTURE = FIXTURES / "crdc"
MN_DISTRICTS = ["2721240", "2799901", "2799902", "2799903"]  # the CRDC fixture's MN districts, in LEA-id order


def statewide_config(root, state="MN", over="sro_research.readers.crdc:districts_in_state", fail_leaid=""):
    """A reports.toml in `root` declaring one report (the fixture notebook district.ipynb) over every
    district of `state` in the SYNTHETIC CRDC fixture."""
    path = root / "districts.toml"
    path.write_text(f"""
[reports.district_{state.lower()}]
notebook = "notebooks/district.ipynb"
title = "{{district_name}}: students referred to law enforcement"
data_status = "synthetic"
fan_out = {{ over = "{over}", state = "{state}", title = "Every {state} district, one report each" }}
[reports.district_{state.lower()}.parameters]
crdc_dir = "{CRDC_FIXTURE}"
fail_leaid = "{fail_leaid}"
""")
    return path


@pytest.fixture(scope="session")
def statewide_site(tmp_path_factory):
    """The MN fan-out of the fixture project built by `sro-research build --jobs 2`, one district failing
    on purpose: (project root, exit status, stdout, stderr)."""
    import contextlib
    import io

    from sro_research.cli import main

    root = tmp_path_factory.mktemp("statewide") / "project"
    shutil.copytree(FIXTURES / "project", root)
    config = statewide_config(root, fail_leaid="2799902")
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        patch.setenv("SRO_PROJECT_ROOT", str(root))
        status = main(["--config", str(config), "build", "--jobs", "2"])
    return root, status, out.getvalue(), err.getvalue()

