"""The guard rails of docs/architecture.md, so the layout stays what the doc says.

- the layer contracts (import-linter, configured in pyproject.toml) hold, and would catch a break;
- ruff (rule sets F and B) and vulture (confidence 80) find nothing;
- nothing under stats/, privacy/, analysis/ or reports/ opens or writes a file, or displays anything
  (an AST scan: reports show tables and figures only through the `reporting` helpers);
- after a report notebook's `load-inputs` cell nothing opens an input file (an audit hook);
- no tracked file points at a repository path, or a machine path, that the repository does not hold.
"""

from __future__ import annotations

import ast
import io
import os
import re
import shutil
import subprocess
import sys
import tokenize
import tomllib
from pathlib import Path

import nbformat
import pytest

from tests.conftest import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "sro_research"
NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
LOAD_TAG = "load-inputs"


# --------------------------------------------------------------------------- linters


def _tool(name: str) -> str:
    """A command-line tool of the test extra, from this interpreter's environment first."""
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.is_file() else shutil.which(name)
    if not found:
        pytest.fail(f"`{name}` is not installed: it is in the `test` extra (pip install -e '.[test]')")
    return found


def _run(command: list[str], cwd: Path = PROJECT_ROOT, pythonpath: Path = PROJECT_ROOT):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(pythonpath), os.environ.get("PYTHONPATH")]))}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_layer_contracts_hold():
    result = _run([_tool("lint-imports"), "--no-cache"])
    assert result.returncode == 0, f"a layer contract is broken (see docs/architecture.md):\n{result.stdout}{result.stderr}"


def test_a_forbidden_import_breaks_a_contract(tmp_path):
    """The contracts are live: in a copy of the package, build importing a report fails lint-imports."""
    shutil.copytree(PACKAGE, tmp_path / "sro_research", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT_ROOT / "pyproject.toml", tmp_path)
    config = tmp_path / "sro_research" / "build" / "config.py"
    config.write_text(config.read_text() + "\nimport sro_research.reports.claims_ledger  # noqa\n")
    result = _run([_tool("lint-imports"), "--no-cache"], cwd=tmp_path, pythonpath=tmp_path)
    assert result.returncode != 0 and "BROKEN" in result.stdout, result.stdout + result.stderr
    assert "sro_research.build.config -> sro_research.reports.claims_ledger" in result.stdout


def test_every_top_level_module_is_under_a_contract():
    """A new folder at the package top must be given a place in the contracts (and the doc)."""
    contracts = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    named = {module for contract in contracts
             for module in contract.get("source_modules", []) + contract.get("forbidden_modules", [])}
    top = {path.stem if path.is_file() else path.name
           for path in PACKAGE.iterdir()
           if (path.suffix == ".py" or (path / "__init__.py").is_file()) and path.stem not in ("__init__", "__main__")}
    missing = sorted(name for name in top if f"sro_research.{name}" not in named)
    assert not missing, ", ".join(f"sro_research.{name}" for name in missing) + " is in no import-linter contract (pyproject.toml)"


def test_ruff_finds_nothing():
    result = _run([_tool("ruff"), "check", "--no-cache", "sro_research", "tests", "benchmarks"])
    assert result.returncode == 0, result.stdout + result.stderr


def test_vulture_finds_no_dead_code():
    result = _run([_tool("vulture")])  # paths and min_confidence from [tool.vulture]
    assert result.returncode == 0, f"dead code (delete it, or use it):\n{result.stdout}{result.stderr}"


# --------------------------------------------------------------------------- no file opened, written or displayed


PURE_FOLDERS = ("stats", "privacy", "analysis", "reports")
# Calls that open or parse a file: by name (open, or a function imported by name) or as an
# attribute of anything (pd.read_csv, pyreadstat.read_sav, path.read_text, path.open, yaml.safe_load).
OPENERS = {
    "open", "read_csv", "read_excel", "read_table", "read_fwf", "read_json", "read_parquet", "read_feather",
    "read_pickle", "read_stata", "read_spss", "read_sas", "read_sav", "read_por", "read_dta", "read_sas7bdat",
    "read_xport", "read_file_multiprocessing", "read_file_in_chunks", "read_text", "read_bytes",
    "safe_load", "full_load", "unsafe_load", "loadtxt", "genfromtxt", "fromfile", "ExcelFile", "load_workbook",
}
LOADERS_OF = {"json", "yaml", "tomllib", "pickle", "np", "numpy"}  # their `.load(file)` opens a file too
# Calls that write, create or remove a file or folder, by name or as an attribute of anything
# (table.to_csv, path.write_text, path.mkdir, fig.savefig), or of the module that owns them
# (json.dump, shutil.copy, os.remove). pandas' text writers (to_csv, to_json, ...) and yaml's
# dumpers return a string when given no target, so they count only when given one.
WRITERS = {
    "to_excel", "to_parquet", "to_feather", "to_pickle", "to_stata", "to_hdf", "to_orc", "write_text", "write_bytes",
    "mkdir", "makedirs", "touch", "unlink", "rmdir", "rmtree", "savefig", "savetxt", "savez", "write_sav", "write_dta",
    "write_xport", "write_por", "copyfile", "copy2", "copytree", "NamedTemporaryFile", "mkstemp", "mkdtemp",
    "save_table",  # reporting's CSV writer: a notebook calls it (or show_table), not a report module
}
WRITERS_GIVEN_A_TARGET = {"to_csv", "to_json", "to_html", "to_latex", "to_markdown", "to_string", "to_xml"}
WRITERS_OF = {  # module -> its functions that write
    "json": {"dump"}, "pickle": {"dump"}, "np": {"save", "dump"}, "numpy": {"save", "dump"},
    "shutil": {"copy", "move"}, "os": {"remove", "rename", "replace", "write"},
}
DUMPERS_GIVEN_A_STREAM = {"yaml": {"dump", "safe_dump", "dump_all", "safe_dump_all"}}
# Showing anything: print, IPython's display (imported from IPython: any such import counts),
# matplotlib's plt.show. Report modules return objects; the notebook shows them with `reporting`.
DISPLAYS = {"print", "display"}
# (module path, function) -> why it may open or write a file. Keep it empty: pass objects in instead.
ALLOWED: dict[tuple[str, str], str] = {}


def _calls(source: str) -> list[tuple[int, str, str, str]]:
    """(line, enclosing function, call, kind) for each call in `source` that opens, parses or writes a
    file, or shows something (kind "opens", "writes" or "displays"); an import of IPython is a display."""
    found = []

    def kind_of(call: ast.Call) -> str | None:
        func = call.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        owner = getattr(getattr(func, "value", None), "id", "")
        targeted = bool(call.args) or any(k.arg in ("path_or_buf", "buf", "path", "stream") for k in call.keywords)
        if name in OPENERS or (name == "load" and owner in LOADERS_OF):
            return "opens"
        if name in WRITERS or name in WRITERS_OF.get(owner, ()) or (name in WRITERS_GIVEN_A_TARGET and targeted):
            return "writes"
        if name in DUMPERS_GIVEN_A_STREAM.get(owner, ()) and (len(call.args) > 1 or any(k.arg == "stream" for k in call.keywords)):
            return "writes"
        if (isinstance(func, ast.Name) and name in DISPLAYS) or (name == "show" and owner == "plt"):
            return "displays"
        return None

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, child.name if function == "<module>" else f"{function}.{child.name}")
                continue
            if isinstance(child, ast.Call) and (kind := kind_of(child)):
                found.append((child.lineno, function, ast.unparse(child.func), kind))
            modules = ([child.module or ""] if isinstance(child, ast.ImportFrom)
                       else [alias.name for alias in child.names] if isinstance(child, ast.Import) else [])
            for module in modules:
                if module.split(".")[0] == "IPython":
                    found.append((child.lineno, function, f"import {module}", "displays"))
            visit(child, function)

    visit(ast.parse(source), "<module>")
    return sorted(found)


def _openers(source: str) -> list[tuple[int, str, str]]:
    """(line, enclosing function, call) for each call in `source` that opens or parses a file."""
    return [(line, function, call) for line, function, call, kind in _calls(source) if kind == "opens"]


PURE_MODULES = sorted(path for folder in PURE_FOLDERS for path in (PACKAGE / folder).rglob("*.py"))
WHY = {
    "opens": "read files in readers/ and pass the objects in",
    "writes": "return the object; the notebook saves it with reporting.show_table / save_table / show_appendix",
    "displays": "return the object; the notebook shows it with reporting.show_table / show_figure / note",
}


@pytest.mark.parametrize("path", PURE_MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_pure_module_opens_writes_and_shows_nothing(path):
    """stats/, privacy/, analysis/ and reports/ get objects passed in and return objects: only readers/
    open inputs, and only the `reporting` helpers a notebook calls write tables or show anything."""
    module = path.relative_to(PROJECT_ROOT).as_posix()
    found = [(kind, f"line {line}, in {function}: {call}") for line, function, call, kind in _calls(path.read_text(encoding="utf-8"))
             if (module, function) not in ALLOWED]
    assert not found, f"{module} does what docs/architecture.md keeps out of {path.parent.name}/:\n  " + "\n  ".join(
        f"{kind} ({WHY[kind]}): {where}" for kind, where in found)


def test_the_scan_sees_every_kind_of_opening():
    source = (
        "import json, yaml\nimport pandas as pd\nfrom pyreadstat import read_sav\n"
        "def load(path):\n    pd.read_csv(path); read_sav(path); path.read_text()\n"
        "    def inner():\n        yaml.safe_load(open(path)); json.load(path.open())\n"
        "table = pd.DataFrame(); table.loc[0]; json.loads('{}')\n"
    )
    assert sorted((function, call) for _, function, call in _openers(source)) == [
        ("load", "path.read_text"), ("load", "pd.read_csv"), ("load", "read_sav"),
        ("load.inner", "json.load"), ("load.inner", "open"), ("load.inner", "path.open"),
        ("load.inner", "yaml.safe_load"),
    ]


def test_the_scan_sees_every_kind_of_writing_and_showing():
    source = (
        "import json, os, shutil, yaml\nimport matplotlib.pyplot as plt\nfrom IPython.display import HTML\n"
        "def save(table, path, fig):\n    table.to_csv(path); path.write_text('x'); path.parent.mkdir()\n"
        "    fig.savefig(path); json.dump({}, path); yaml.safe_dump({}, path); shutil.copy(path, path)\n"
        "    os.remove(path); table.to_excel(path)\n"
        "def show(table):\n    display(HTML('x')); print(table); plt.show()\n"
        "text = table.to_csv(); yaml.safe_dump({}); json.dumps({}); table.copy(); [].remove(1); shown = table.display()\n"
    )
    assert sorted((function, call, kind) for _, function, call, kind in _calls(source)) == [
        ("<module>", "import IPython.display", "displays"),
        ("save", "fig.savefig", "writes"), ("save", "json.dump", "writes"), ("save", "os.remove", "writes"),
        ("save", "path.parent.mkdir", "writes"), ("save", "path.write_text", "writes"), ("save", "shutil.copy", "writes"),
        ("save", "table.to_csv", "writes"), ("save", "table.to_excel", "writes"), ("save", "yaml.safe_dump", "writes"),
        ("show", "display", "displays"), ("show", "plt.show", "displays"), ("show", "print", "displays"),
    ]


# --------------------------------------------------------------------------- inputs loaded once

# Injected right after the load-inputs cell: from then on, opening any input file raises. Inputs are
# the project's data/ folder, the SSOCS folder ($SSOCS_DIR) and every *_path / *_dir parameter.
# An audit hook sees Python-level opens (pandas, yaml, open()); pyreadstat opens files in C, so its
# readers are wrapped to ask the same question first.
GUARD = '''# Injected by tests/test_architecture.py: after the load-inputs cell no input file is opened.
import os as _guard_os, sys as _guard_sys
import pyreadstat as _guard_pyreadstat
from sro_research.paths import data_dir as _guard_data_dir

_guard_roots = [_guard_data_dir(), _guard_os.environ.get("SSOCS_DIR")]
_guard_roots += [globals().get(_name) for _name in {names!r}]
_guard_roots = tuple(_guard_os.path.realpath(_guard_os.fspath(_root)) for _root in _guard_roots if _root)
_guard_opened = []


class InputOpenedAfterLoading(RuntimeError):
    """A file under the inputs was opened after the load-inputs cell."""


def _guard_hook(event, args, roots=_guard_roots, opened=_guard_opened):
    if event != "open" or not isinstance(args[0], (str, bytes, _guard_os.PathLike)):
        return
    path = _guard_os.path.realpath(_guard_os.fsdecode(args[0]))
    if any(path == root or path.startswith(root.rstrip(_guard_os.sep) + _guard_os.sep) for root in roots):
        opened.append(path)
        raise InputOpenedAfterLoading(f"{{path}} was opened after the load-inputs cell: read it there and pass the object")


_guard_sys.addaudithook(_guard_hook)


def _guard_reader(read):
    def guarded(path, *args, **kwargs):
        _guard_hook("open", (path,))
        return read(path, *args, **kwargs)
    return guarded


for _name in ("read_sav", "read_sas7bdat", "read_por", "read_dta", "read_xport"):
    setattr(_guard_pyreadstat, _name, _guard_reader(getattr(_guard_pyreadstat, _name)))
'''
CHECK = '''# Injected by tests/test_architecture.py: also catches an opening whose error was swallowed.
assert not _guard_opened, f"input files opened after the load-inputs cell: {sorted(set(_guard_opened))}"
'''


def _load_inputs_index(nb, path: Path) -> int:
    """Position of the notebook's one code cell tagged load-inputs, after its parameters cell."""
    tagged = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and LOAD_TAG in cell.metadata.get("tags", [])]
    if not tagged:
        pytest.fail(f"notebook {path.name} has no cell tagged {LOAD_TAG}: tag the code cell that reads every input")
    if len(tagged) > 1:
        pytest.fail(f"notebook {path.name} has {len(tagged)} cells tagged {LOAD_TAG}; it needs exactly one")
    parameters = [i for i, cell in enumerate(nb.cells) if "parameters" in cell.metadata.get("tags", [])]
    assert parameters and parameters[0] < tagged[0], f"notebook {path.name}: the {LOAD_TAG} cell must follow the parameters cell"
    return tagged[0]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_report_notebook_has_one_load_inputs_cell(path):
    _load_inputs_index(nbformat.read(path, as_version=4), path)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_load_inputs_cell_opens_files_only_through_readers(path):
    """The load-inputs cell calls readers/ (which validate and record checksums); it parses no file itself."""
    nb = nbformat.read(path, as_version=4)
    source = nb.cells[_load_inputs_index(nb, path)].source
    found = [f"line {line}: {call}" for line, _, call, kind in _calls(source) if kind != "displays"]
    assert not found, f"{path.name}'s load-inputs cell opens or writes files itself (add a reader):\n  " + "\n  ".join(found)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_input_file_is_opened_after_the_load_inputs_cell(path, tmp_path, monkeypatch):
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from sro_research.build.parameters import notebook_parameters

    nb = nbformat.read(path, as_version=4)
    index = _load_inputs_index(nb, path)
    inputs = sorted(name for name in notebook_parameters(path) if name.endswith(("_path", "_dir")))
    nb.cells.insert(index + 1, nbformat.v4.new_code_cell(GUARD.format(names=inputs)))
    nb.cells.append(nbformat.v4.new_code_cell(CHECK))
    guarded = tmp_path / path.name
    nbformat.write(nb, guarded)
    for variable in ("SRO_PROJECT_ROOT", "SRO_REPORT_NAME", "SRO_INPUTS_MANIFEST"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("SRO_TABLES_DIR", str(tmp_path / "tables"))  # outputs may be written, outside the inputs
    try:
        pm.execute_notebook(str(guarded), str(tmp_path / "executed.ipynb"), cwd=str(path.parent), progress_bar=False)
    except PapermillExecutionError as error:
        pytest.fail(f"{path.name}: {error.ename}: {error.evalue}")


def test_the_guard_stops_an_input_being_opened(tmp_path):
    """The injected cell itself, run in a child interpreter: reading data/ raises, writing elsewhere does not."""
    script = tmp_path / "guarded.py"
    script.write_text(
        "import sys\nresponses_path = sys.argv[1]\n" + GUARD.format(names=["responses_path"]) +
        "open(sys.argv[2], 'w').write('table')\n"
        "for target in (sys.argv[1], sys.argv[3]):\n"
        "    try:\n        open(target).read()\n        print('read', target)\n"
        "    except InputOpenedAfterLoading as error:\n        print('refused', error)\n"
        "try:\n    _guard_pyreadstat.read_sav(sys.argv[1])\nexcept InputOpenedAfterLoading:\n    print('refused sav')\n"
    )
    export, output = tmp_path / "export.csv", tmp_path / "out.csv"
    export.write_text("a\n1\n")
    codebook = PROJECT_ROOT / "data" / "engagement" / "codebook.yaml"
    result = _run([sys.executable, str(script), str(export), str(output), str(codebook)])
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"refused {export} was opened after the load-inputs cell: read it there and pass the object",
        f"refused {codebook} was opened after the load-inputs cell: read it there and pass the object",
        "refused sav",
    ]
    assert output.read_text() == "table"


# --------------------------------------------------------------------------- references to files


def _repository_files() -> list[str]:
    """Tracked files plus new ones not ignored: what a commit of this working tree holds."""
    result = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=PROJECT_ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        return []  # not a git checkout: the test below skips
    return sorted({name for name in result.stdout.split("\0") if name and (PROJECT_ROOT / name).is_file()})


FILES = _repository_files() if shutil.which("git") and (PROJECT_ROOT / ".git").exists() else []
# A repository path: starts with one of the repository's top-level folders, not inside a URL or a
# longer path (".../shared/data/ssocs" is not "data/ssocs"). Globs are checked as globs.
TOP_FOLDERS = sorted({name.split("/")[0] for name in FILES if "/" in name})
REPO_PATH = re.compile(r"(?<![\w./:@~$-])((?:%s)/[\w./*-]*[\w*])" % "|".join(map(re.escape, TOP_FOLDERS or ["-"])))
# A file named alone: only documents and modules, since CSV, JSON and notebook names are mostly
# outputs and temporary files in tests.
BARE_NAME = re.compile(r"(?<![\w./@~$-])([\w-]+\.(?:md|py))(?![\w/-])")
# A path on someone's machine.
MACHINE_PATH = re.compile(r"(?<![\w.:/~$-])(/(?:work|home|Users|root|mnt)/[^\s\"'`)\]>,;]*[^\s\"'`)\]>,;.])")
PLACEHOLDER = re.compile(r"^[A-Z][A-Z_]*$")  # reports/NAME.html
OTHER_REPOSITORY = re.compile(r"repositor(?:y|ies) `?[\w.-]+/[\w.-]+")  # paths on that line are its paths
SCANNER = "tests/test_architecture.py"  # this file: its examples are there to be found


def _placeholder(token: str) -> bool:
    return any(PLACEHOLDER.match(part.split(".")[0]) for part in token.split("/"))


def _text(name: str) -> str | None:
    """The part of a file that can refer to another file: all of a text file; of a Python module, its
    comments, docstrings and the strings given to Path() or open() (other strings are test data, such
    as a machine path a test checks is removed from a page)."""
    data = (PROJECT_ROOT / name).read_bytes()
    if b"\0" in data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return _python_references(text) if name.endswith(".py") else text


def _python_references(text: str) -> str:
    try:
        tree = ast.parse(text)
        comments = [token.string for token in tokenize.generate_tokens(io.StringIO(text).readline)
                    if token.type == tokenize.COMMENT]
    except (SyntaxError, tokenize.TokenError):
        return text
    docstrings = [ast.get_docstring(node, clean=False) or "" for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))]
    opened = [arg.value for node in ast.walk(tree) if isinstance(node, ast.Call)
              and getattr(node.func, "id", getattr(node.func, "attr", "")) in ("Path", "PurePath", "open")
              for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
    return "\n".join(comments + docstrings + opened)


def _holds(token: str, relative_to: str, files: set[str], folders: set[str]) -> bool:
    """Whether `token` names a held file or folder, from the project root or any folder above the citing file
    (a fixture project's reports.toml names its own notebooks/)."""
    bases = [str(parent) for parent in Path(relative_to).parents]
    for base in bases:
        candidate = os.path.normpath(os.path.join(base, token.rstrip("/")))
        if "*" in candidate and any(Path(name).match(candidate) for name in files):
            return True
        if candidate in files or candidate in folders:
            return True
    return False


def _ignored(paths: list[str]) -> set[str]:
    """Paths git ignores: build outputs such as reports/index.html are named, never held."""
    if not paths:
        return set()
    result = subprocess.run(["git", "check-ignore", "--no-index", "--stdin"], cwd=PROJECT_ROOT,
                            input="\n".join(paths), capture_output=True, text=True)
    return set(result.stdout.splitlines())


def test_no_file_points_at_a_file_the_repository_does_not_hold():
    if not FILES:
        pytest.skip("not a git checkout")
    files = set(FILES)
    folders = {str(parent) for name in FILES for parent in Path(name).parents} - {"."}
    names = {Path(name).name for name in FILES}
    unheld: dict[str, list[str]] = {}
    for name in FILES:
        text = _text(name) if name != SCANNER else None
        if text is None:
            continue
        own_lines = "\n".join(line for line in text.splitlines() if not OTHER_REPOSITORY.search(line))
        for token in REPO_PATH.findall(own_lines):
            token = token.rstrip(".")
            if not _placeholder(token) and not _holds(token, name, files, folders):
                unheld.setdefault(token, []).append(name)
        for token in BARE_NAME.findall(text):
            if token not in names:
                unheld.setdefault(token, []).append(name)
        for token in MACHINE_PATH.findall(text):
            unheld.setdefault(token, []).append(name)
    for output in _ignored(sorted(token for token in unheld if "/" in token and not token.startswith("/"))):
        unheld.pop(output, None)
    assert not unheld, "files name paths the repository does not hold:\n" + "\n".join(
        f"  {token}  (in {', '.join(sorted(set(citing)))})" for token, citing in sorted(unheld.items()))


def test_the_reference_scan_tells_paths_from_urls_and_examples():
    text = ("see docs/architecture.md and data/published/*.csv, https://example.org/data/x.csv, "
            "../shared/data/ssocs, /secure/mapping.yaml, reports/NAME.html; published_figures.md "
            "and /work/shared/x/README.md")
    assert [token for token in REPO_PATH.findall(text) if not _placeholder(token)] == [
        "docs/architecture.md", "data/published/*.csv"]
    assert BARE_NAME.findall(text) == ["published_figures.md"]
    assert MACHINE_PATH.findall(text) == ["/work/shared/x/README.md"]
    module = ('"""Layouts: see /work/a/README.md."""\nREFERENCE = Path("/work/b.md")  # and /work/c.md\n'
              'PAGE = "<p>/home/alice/secret</p>"\n')
    assert MACHINE_PATH.findall(_python_references(module)) == ["/work/c.md", "/work/a/README.md", "/work/b.md"]
    assert not OTHER_REPOSITORY.search("see docs/ssocs.md")
    assert OTHER_REPOSITORY.search("- 2019-20: repository `owner/name`, path `data/nces/x.sav`")


MODULE_NAME = re.compile(r"(?<![\w.])sro_research(?:\.[A-Za-z_]\w*)+")


def _names_a_module_or_attribute(dotted: str) -> bool:
    """sro_research.readers.ssocs.INDICATORS: each part a subpackage or module, then a name the module uses."""
    here = PACKAGE
    parts = dotted.split(".")[1:]
    for i, part in enumerate(parts):
        if (here / part / "__init__.py").is_file():
            here = here / part
        elif (here / f"{part}.py").is_file():
            module = here / f"{part}.py"
            return i + 1 == len(parts) or re.search(rf"\b{re.escape(parts[i + 1])}\b", module.read_text()) is not None
        else:  # a name the package itself defines
            return re.search(rf"\b{re.escape(part)}\b", (here / "__init__.py").read_text()) is not None
    return True


def test_no_file_names_a_module_the_package_does_not_have():
    """After a move, `python -m sro_research.old_name` in a README is a reference to nothing."""
    if not FILES:
        pytest.skip("not a git checkout")
    unknown: dict[str, list[str]] = {}
    for name in FILES:
        text = _text(name) if name != SCANNER else None
        for dotted in MODULE_NAME.findall(text or ""):
            if not _names_a_module_or_attribute(dotted):
                unknown.setdefault(dotted, []).append(name)
    assert not unknown, "files name modules the package does not have:\n" + "\n".join(
        f"  {dotted}  (in {', '.join(sorted(set(citing)))})" for dotted, citing in sorted(unknown.items()))


def test_the_module_check_tells_moved_modules_from_present_ones():
    assert _names_a_module_or_attribute("sro_research.stats.replicate.ReplicateDesign")
    assert _names_a_module_or_attribute("sro_research.build")
    assert _names_a_module_or_attribute("sro_research.__version__")
    assert not _names_a_module_or_attribute("sro_research.reconstruction")  # moved to synthetic/
    assert not _names_a_module_or_attribute("sro_research.stats.replicate.NoSuchDesign")
