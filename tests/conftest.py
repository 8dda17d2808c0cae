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
