"""Where the project's folders are, whether code runs from the build, pytest or JupyterLab."""

from __future__ import annotations

import os
from pathlib import Path

ROOT_ENV = "SRO_PROJECT_ROOT"
MARKER = "reports.toml"  # the one file that only the project root holds
REPORT_ENV = "SRO_REPORT_NAME"  # set by the build for each report
TABLES_ENV = "SRO_TABLES_DIR"  # set by the build; defaults to reports/tables/<report>


def project_root(start: str | os.PathLike | None = None) -> Path:
    """The folder holding reports.toml: $SRO_PROJECT_ROOT, else the nearest one above `start` (cwd).

    A notebook opened in JupyterLab runs with cwd = notebooks/, the build runs it with cwd = the
    project root; both must find the same data/ and reports/.
    """
    if os.environ.get(ROOT_ENV):
        return Path(os.environ[ROOT_ENV]).resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_file():
            return folder
    # Installed package used outside a checkout: fall back to the source tree it came from.
    source_tree = Path(__file__).resolve().parents[1]
    if (source_tree / MARKER).is_file():
        return source_tree
    raise FileNotFoundError(
        f"cannot find the project root: no {MARKER} in {here} or any folder above it; "
        f"run from inside the sro-research checkout or set {ROOT_ENV}"
    )


def data_dir() -> Path:
    return project_root() / "data"


def reports_dir() -> Path:
    return project_root() / "reports"
