"""The build pipeline, end to end, on the small fixture notebooks in tests/fixtures/project."""

import hashlib
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from sro_research import __version__
from sro_research.build.pipeline import build, git_commit
from sro_research.cli import main
from tests.conftest import EXTERNAL_RESOURCE



@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Build every fixture report once (the third fails on purpose)."""
    from tests.conftest import FIXTURES

    root = tmp_path_factory.mktemp("built") / "project"
    shutil.copytree(FIXTURES / "project", root)
    mp = pytest.MonkeyPatch()
    mp.setenv("SRO_PROJECT_ROOT", str(root))
    mp.setenv("SSOCS_DIR", "/data/ssocs-for-the-footer")
    results = build(config=root / "reports.toml")
    yield root, {r.name: r for r in results}
    mp.undo()


def test_every_report_yields_html_executed_notebook_and_tables(built):
    root, results = built
    out = root / "reports"
    for name in ("demo", "demo_small"):
        assert results[name].ok
        assert (out / f"{name}.html").is_file()
        executed = nbformat.read(out / "executed" / f"{name}.ipynb", as_version=4)
        assert any(cell.get("outputs") for cell in executed.cells if cell.cell_type == "code")
        table = (out / "tables" / name / "sample.csv").read_text().splitlines()
        assert table[0] == "group,value,scaled"
    assert (out / "index.html").is_file()
    # Nothing else is left behind: no staging folder, no kernel socket files in the project.
    assert sorted(p.name for p in root.iterdir()) == ["data", "notebooks", "reports", "reports.toml", "required.toml"]
    assert not (out / ".staging").exists()


def test_one_notebook_yields_several_reports_with_their_own_parameters(built):
    root, _ = built
    out = root / "reports"
    assert len((out / "tables" / "demo" / "sample.csv").read_text().splitlines()) == 1 + 3
    assert len((out / "tables" / "demo_small" / "sample.csv").read_text().splitlines()) == 1 + 1
    assert "This is the small fixture." in (out / "demo_small.html").read_text()


def test_html_opens_offline_with_code_hidden_and_figures_embedded(built):
    root, _ = built
    page = (root / "reports" / "demo.html").read_text()
    assert not EXTERNAL_RESOURCE.search(page), EXTERNAL_RESOURCE.search(page).group(0)
    assert "<script src" not in page
    assert "data:image/png;base64," in page
    assert "record_input(path" not in page  # code cells are hidden
    assert "a warning only developers see" not in page  # stderr is for developers
    assert "Sample rows (demo)" in page


def test_html_footer_and_index_carry_provenance(built):
    root, _ = built
    sha = hashlib.sha256((root / "data" / "sample.csv").read_bytes()).hexdigest()
    commit = git_commit(root)
    page = (root / "reports" / "demo.html").read_text()
    index = (root / "reports" / "index.html").read_text()
    for text in (page, index):
        assert sha in text
        assert commit.split()[0] in text
        assert f"{__version__}" in text
        assert "rows = 3" in text
        assert "SSOCS_DIR = …/ssocs-for-the-footer" in text  # where defaults came from: the folder's name
        assert "/data/ssocs-for-the-footer" not in text  # never an absolute path of the build machine
    assert "demo_small.html" in index and "rows = 1" in index
    manifest = json.loads((root / "reports" / "manifest.json").read_text())
    assert manifest["reports"]["demo"]["inputs"][0]["sha256"] == sha
    assert manifest["reports"]["demo"]["parameters"]["label"] == '"demo"'
    assert manifest["reports"]["demo_small"]["parameters"]["label"] == "'small'"
    assert "built_at" in manifest["reports"]["demo"]


def test_failing_notebook_names_report_cell_and_exception_and_keeps_traceback(built):
    root, results = built
    failure = results["fails"].failure
    assert not results["fails"].ok
    assert failure.cell == 4 and failure.ename == "ValueError"
    assert "fixture failure on purpose" in str(failure) and "fails.ipynb" in str(failure)
    kept = nbformat.read(root / "reports" / "failed" / "fails.ipynb", as_version=4)
    errors = [o for c in kept.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors and errors[0]["ename"] == "ValueError"
    assert not (root / "reports" / "fails.html").exists()
    assert not (root / "reports" / "tables" / "fails").exists()  # nothing half-published
    index = (root / "reports" / "index.html").read_text()
    assert "Last build failed" in index


def test_failure_leaves_previous_report_untouched_and_exits_1(fixture_project, capsys):
    config = str(fixture_project / "reports.toml")
    assert main(["--config", config, "build", "fails", "-p", "fail=false"]) == 0
    html = fixture_project / "reports" / "fails.html"
    before = html.read_bytes()
    assert main(["--config", config, "build", "fails", "demo_small"]) == 1
    err = capsys.readouterr().err
    assert "FAILED fails: fails.ipynb cell 4" in err and "ValueError" in err
    assert html.read_bytes() == before  # previous HTML stays
    assert (fixture_project / "reports" / "tables" / "fails" / "partial.csv").exists()
    assert (fixture_project / "reports" / "failed" / "fails.ipynb").exists()
    assert (fixture_project / "reports" / "demo_small.html").exists()  # the others are still built
    # A later success clears the stale failure.
    assert main(["--config", config, "build", "fails", "-p", "fail=no"]) == 0
    assert not (fixture_project / "reports" / "failed" / "fails.ipynb").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["build", "demo", "-p", "rows=three"], "parameter 'rows' expects int"),
        (["build", "demo", "-p", "nope=1"], "unknown parameter 'nope'; valid parameters: rows, label"),
        (["build", "demo", "-p", "show_figure=maybe"], "parameter 'show_figure' expects bool"),
        (["build", "demo", "-p", "rows"], "write parameters as KEY=VALUE"),
        (["build", "missing_report"], "unknown report 'missing_report'; reports: demo, demo_small, fails"),
        (["build", "-p", "nope=1"], "unknown parameter 'nope'"),
    ],
)
def test_bad_requests_exit_2_with_one_line_before_any_kernel(fixture_project, capsys, args, message):
    assert main(["--config", str(fixture_project / "reports.toml"), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err
    assert not (fixture_project / "reports").exists()  # nothing ran


def test_missing_required_parameter_exits_2_and_a_value_builds(fixture_project, capsys):
    config = str(fixture_project / "required.toml")
    assert main(["--config", config, "build"]) == 2
    assert "missing required parameter 'school'" in capsys.readouterr().err
    assert main(["--config", config, "build", "-p", "school=South", "-p", "year=2018"]) == 0
    executed = nbformat.read(fixture_project / "reports" / "executed" / "needs_value.ipynb", as_version=4)
    assert "South 2018" in "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.outputs)


def test_list_shows_parameters_types_defaults_and_help(fixture_project, capsys):
    assert main(["--config", str(fixture_project / "reports.toml"), "list"]) == 0
    out = capsys.readouterr().out
    assert "rows: int = 3  # rows of the sample table to show" in out
    assert "rows: int = 1 (reports.toml; notebook: 3)" in out
    assert "note_text: Optional[str] = None" in out


def test_out_folder_option(fixture_project, tmp_path):
    out = tmp_path / "elsewhere"
    assert main(["--config", str(fixture_project / "reports.toml"), "build", "demo_small", "--out", str(out)]) == 0
    assert (out / "demo_small.html").exists() and (out / "index.html").exists()


def test_a_rendering_failure_fails_that_report_only(fixture_project, monkeypatch):
    from sro_research.build import pipeline as build_module

    real = build_module.render_html

    def broken_for_demo(nb, title):
        if title == "Demo report":
            raise RuntimeError("template exploded")
        return real(nb, title)

    monkeypatch.setattr(build_module, "render_html", broken_for_demo)
    results = {r.name: r for r in build(["demo", "demo_small"], config=fixture_project / "reports.toml")}
    assert not results["demo"].ok and str(results["demo"].failure) == (
        "demo.ipynb ran, but rendering it to HTML failed: RuntimeError: template exploded"
    )
    assert (fixture_project / "reports" / "failed" / "demo.ipynb").exists()
    assert not (fixture_project / "reports" / "demo.html").exists()
    assert results["demo_small"].ok


def test_module_entry_point_and_console_script(fixture_project):
    import subprocess
    import sys

    for command in ([sys.executable, "-m", "sro_research"], [str(Path(sys.executable).with_name("sro-research"))]):
        listed = subprocess.run([*command, "--config", str(fixture_project / "reports.toml"), "list"],
                                capture_output=True, text=True, check=True)
        assert listed.stdout.startswith("demo: Demo report")
        bad = subprocess.run([*command, "--config", str(fixture_project / "reports.toml"), "build", "demo", "-p", "rows=x"],
                             capture_output=True, text=True)
        assert bad.returncode == 2 and bad.stderr.strip().startswith("sro-research: error: report 'demo' (-p): parameter 'rows'")
