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
