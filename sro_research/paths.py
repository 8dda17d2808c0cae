"""Where the project's folders are, whether code runs from the build, pytest or JupyterLab."""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT_ENV = "SRO_PROJECT_ROOT"
# An absolute path of the build machine (POSIX or Windows): never shown in a published file.
ABSOLUTE_PATH = re.compile(r"(?<![\w.:/~-])(?:/(?:[^\s/'\"<>]+/)+[^\s/'\"<>,;)]*|[A-Za-z]:\\(?:[^\s\\'\"<>]+\\)+[^\s\\'\"<>,;)]*)")
MARKER = "reports.toml"  # the one file that only the project root holds
REPORT_ENV = "SRO_REPORT_NAME"  # set by the build for each report
TABLES_ENV = "SRO_TABLES_DIR"  # set by the build; by hand, tables go to the scratch folder
SCRATCH = "scratch"  # git-ignored, at the project root: what notebooks run by hand write, never published


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


def scratch_dir() -> Path:
    return project_root() / SCRATCH


def without_absolute_paths(text: str, root: Path | None = None) -> str:
    """Paths in the project become relative to it; any other absolute path shows its last folder only."""
    if root is not None:
        text = text.replace(str(root).rstrip("/") + "/", "")

    def shorten(match: re.Match) -> str:
        parts = [p for p in re.split(r"[\\/]", match.group(0)) if p]
        return "…/" + parts[-1] if parts else match.group(0)

    return ABSOLUTE_PATH.sub(shorten, text)


def project_relative(path: str | os.PathLike, root: Path | None = None) -> str:
    """`path` relative to the project root (with '..' when outside it): what a published record shows.

    The build resolves it against the root again, so a cache can still find the file.
    """
    resolved = Path(path).resolve()
    try:
        base = (root or project_root()).resolve()
    except FileNotFoundError:  # outside any checkout: nothing to be relative to
        return str(resolved)
    return os.path.relpath(resolved, base)
