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
    # Nothing else is left behind: no staging folder, no kernel socket files in the project;
    # the failed notebook is kept outside the published folder.
    assert sorted(p.name for p in root.iterdir()) == [
        ".sro-failed", "data", "notebooks", "reports", "reports.toml", "required.toml", "slow.toml", "state_probe.toml"]
    assert not [p for p in out.rglob(".*")], "no hidden or temporary file under the output folder"


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
    # The executed notebook, traceback included, is kept outside the published folder.
    assert results["fails"].failed_notebook == root / ".sro-failed" / "fails.ipynb"
    kept = nbformat.read(root / ".sro-failed" / "fails.ipynb", as_version=4)
    errors = [o for c in kept.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors and errors[0]["ename"] == "ValueError"
    assert not (root / "reports" / "fails.html").exists()
    assert not (root / "reports" / "tables" / "fails").exists()  # nothing half-published
    assert not (root / "reports" / "failed").exists()
    index = (root / "reports" / "index.html").read_text()
    assert "Last build failed" in index and "fails.ipynb cell 4: ValueError" in index


def test_published_files_name_cell_and_exception_type_never_the_message(built):
    """An exception's message may quote a respondent's answer: only the terminal shows it."""
    root, _ = built
    for path in (root / "reports").rglob("*"):
        if path.is_file():
            assert "fixture failure on purpose" not in path.read_text(errors="replace"), path
    manifest = json.loads((root / "reports" / "manifest.json").read_text())
    failure = manifest["reports"]["fails"]["last_failure"]
    assert (failure["cell"], failure["exception"], failure["error"]) == (4, "ValueError", "fails.ipynb cell 4: ValueError")


def test_build_log_has_one_line_per_report_with_timing_status_cache_and_error(built):
    root, _ = built
    lines = [json.loads(line) for line in (root / "reports" / "build-log.jsonl").read_text().splitlines()]
    by_report = {line["report"]: line for line in lines}
    assert set(by_report) == {"demo", "demo_small", "fails"}
    assert len({line["build"] for line in lines}) == 1
    for line in lines:
        assert line["start"] <= line["end"] and line["seconds"] > 0
        assert (line["cache"], line["reason"]) == ("miss", "no record of a previous build")
    assert by_report["demo"]["status"] == "built" and by_report["demo"]["error"] is None
    assert by_report["fails"]["status"] == "failed"
    assert by_report["fails"]["error"] == {"report": "fails", "notebook": "fails.ipynb", "cell": 4,
                                           "exception": "ValueError", "stage": "run"}


def test_failure_leaves_previous_report_in_place_marked_stale_and_exits_1(fixture_project, capsys):
    config = str(fixture_project / "reports.toml")
    out = fixture_project / "reports"
    assert main(["--config", config, "build", "fails", "-p", "fail=false"]) == 0
    executed = (out / "executed" / "fails.ipynb").read_bytes()
    assert main(["--config", config, "build", "fails", "demo_small"]) == 1
    err = capsys.readouterr().err
    # The terminal gets the whole message and where the failed notebook is kept.
    assert "FAILED fails: fails.ipynb cell 4 `if fail:`: ValueError: fixture failure on purpose" in err
    assert str(fixture_project / ".sro-failed" / "fails.ipynb") in err and "marked stale" in err
    assert (out / "executed" / "fails.ipynb").read_bytes() == executed  # previous report stays
    assert "done" in (out / "fails.html").read_text()
    assert (out / "tables" / "fails" / "partial.csv").exists()
    assert (out / "demo_small.html").exists()  # the others are still built
    # The parameters changed and the rebuild failed: the page on display is stale, and says so.
    entry = json.loads((out / "manifest.json").read_text())["reports"]["fails"]
    assert entry["stale"] is True and entry["stale_since"]["reason"] == "parameters changed"
    assert "now stale" in (out / "index.html").read_text()
    # A later success clears the failure and the stale mark.
    assert main(["--config", config, "build", "fails", "-p", "fail=no"]) == 0
    assert not (fixture_project / ".sro-failed" / "fails.ipynb").exists()
    entry = json.loads((out / "manifest.json").read_text())["reports"]["fails"]
    assert entry["stale"] is False and "last_failure" not in entry


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
    assert "rows: int = 3  # rows of the sample table to show (min: 1)" in out
    assert "rows: int = 1 (reports.toml; notebook: 3)" in out
    assert "note_text: Optional[str] = None" in out


def test_out_folder_option(fixture_project, tmp_path):
    out = tmp_path / "elsewhere"
    assert main(["--config", str(fixture_project / "reports.toml"), "build", "demo_small", "--out", str(out)]) == 0
    assert (out / "demo_small.html").exists() and (out / "index.html").exists()


def test_a_rendering_failure_fails_that_report_only(fixture_project, monkeypatch):
    from sro_research.build import render

    real = render.render_html

    def broken_for_demo(nb, title, district=None):
        if title == "Demo report":
            raise RuntimeError("template exploded")
        return real(nb, title, district)

    monkeypatch.setattr(render, "render_html", broken_for_demo)  # the forked workers inherit it
    results = {r.name: r for r in build(["demo", "demo_small"], config=fixture_project / "reports.toml")}
    assert not results["demo"].ok and str(results["demo"].failure) == (
        "demo.ipynb ran, but rendering it to HTML failed: RuntimeError: template exploded"
    )
    assert (fixture_project / ".sro-failed" / "demo.ipynb").exists()
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


def _log(out):
    return [json.loads(line) for line in (out / "build-log.jsonl").read_text().splitlines()]


def test_changing_one_data_file_rebuilds_exactly_the_reports_that_read_it(fixture_project, capsys):
    config = str(fixture_project / "reports.toml")
    out = fixture_project / "reports"
    assert main(["--config", config, "build", "demo", "demo_small"]) == 0
    pages = {name: (out / f"{name}.html").read_bytes() for name in ("demo", "demo_small")}
    # Nothing changed: both are up to date, and their pages untouched.
    assert main(["--config", config, "build", "demo", "demo_small"]) == 0
    assert capsys.readouterr().out.count("up to date") == 2
    assert [(e["report"], e["cache"], e["reason"]) for e in _log(out)[-2:]] == [
        ("demo", "hit", "nothing changed"), ("demo_small", "hit", "nothing changed")]
    # Touched but the same bytes: still up to date (checksums decide, not timestamps).
    sample = fixture_project / "data" / "sample.csv"
    sample.write_text(sample.read_text())
    assert main(["--config", config, "build", "demo", "demo_small"]) == 0
    assert [e["cache"] for e in _log(out)[-2:]] == ["hit", "hit"]
    # demo reads sample.csv, demo_small reads small.csv: only demo is rebuilt.
    sample.write_text(sample.read_text().replace("a,1", "a,10"))
    assert main(["--config", config, "build", "demo", "demo_small"]) == 0
    last = {e["report"]: e for e in _log(out)[-2:]}
    assert last["demo"]["cache"] == "miss" and last["demo"]["reason"] == f"input changed: {sample.relative_to(fixture_project)}"  # no absolute path in the log
    assert last["demo_small"]["cache"] == "hit"
    assert (out / "demo_small.html").read_bytes() == pages["demo_small"]
    assert (out / "demo.html").read_bytes() != pages["demo"]
    assert "10" in (out / "tables" / "demo" / "sample.csv").read_text()
    # --force rebuilds even what is up to date.
    assert main(["--config", config, "build", "demo_small", "--force", "--jobs", "1"]) == 0
    assert (_log(out)[-1]["cache"], _log(out)[-1]["reason"]) == ("miss", "--force")


def test_cache_key_covers_notebook_configuration_parameters_environment_package_and_lock(tmp_path):
    from sro_research.build import cache

    out = tmp_path / "out"
    (out / "executed").mkdir(parents=True)
    (out / "r.html").write_text("page")
    (out / "executed" / "r.ipynb").write_text("{}")
    data = tmp_path / "input.csv"
    data.write_text("x\n1\n")
    current = {part: "same" for part in cache.PART_NAMES}
    inputs = cache.input_states([{"path": str(data), "sha256": cache.file_sha256(data), "bytes": data.stat().st_size}])
    entry = {"html": "r.html", "executed": "executed/r.ipynb", "cache": {"key": dict(current), "inputs": inputs}}
    assert cache.decide(out, entry, current, force=False) == (False, "nothing changed")
    assert cache.decide(out, entry, current, force=True) == (True, "--force")
    for part, meaning in cache.PART_NAMES.items():
        assert cache.decide(out, entry, {**current, part: "other"}, force=False) == (True, meaning)
    assert cache.decide(out, {**entry, "last_failure": {"cell": 1}}, current, force=False) == (True, "last build failed")
    assert cache.decide(out, None, current, force=False) == (True, "no record of a previous build")
    data.write_text("x\n2\n")
    assert cache.decide(out, entry, current, force=False) == (True, f"input changed: {data}")
    data.unlink()
    assert cache.decide(out, entry, current, force=False) == (True, f"input missing: {data}")
    (out / "r.html").unlink()
    assert cache.decide(out, entry, current, force=False) == (True, "outputs missing")


def test_cache_keys_on_what_a_notebook_runs_not_on_saved_outputs(tmp_path):
    """JupyterLab saves a notebook with its outputs: that alone must not rebuild its reports."""
    from sro_research.build import cache
    from tests.conftest import FIXTURES

    source = FIXTURES / "project" / "notebooks" / "demo.ipynb"
    nb = nbformat.read(source, as_version=4)
    code = next(cell for cell in nb.cells if cell.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("stream", text="ran in Lab\n")]
    code.execution_count = 7
    nb.metadata["widgets"] = {"state": {}}
    saved = tmp_path / "saved.ipynb"
    nbformat.write(nb, saved)
    assert cache.notebook_digest(saved) == cache.notebook_digest(source)
    code.source += "\nrows = 2"
    nbformat.write(nb, saved)
    assert cache.notebook_digest(saved) != cache.notebook_digest(source)


def test_declared_environment_variables_are_passed_recorded_and_keyed(fixture_project, monkeypatch):
    from sro_research.build.pipeline import plan

    monkeypatch.setenv("SSOCS_DIR", "/one")
    first = {p.spec.name: p for p in plan(["demo", "fails"], [], fixture_project / "reports.toml")}
    assert first["demo"].environment == {"SSOCS_DIR": "/one"}
    assert first["fails"].environment == {}  # fails declares no env: the build records nothing for it
    monkeypatch.setenv("SSOCS_DIR", "/two")
    second = plan(["demo"], [], fixture_project / "reports.toml")[0]
    assert second.key["environment"] != first["demo"].key["environment"]


def test_no_change_build_does_not_import_notebook_machinery(fixture_project):
    """The fast path: deciding that nothing changed must not import papermill, nbconvert or pandas."""
    import subprocess
    import sys

    out = fixture_project / "reports"
    assert main(["--config", str(fixture_project / "reports.toml"), "build", "demo_small"]) == 0
    probe = (
        "import sys; from sro_research.cli import main; code = main(sys.argv[1:]); "
        "heavy = sorted(m for m in ('papermill', 'nbconvert', 'nbformat', 'pandas', 'nbclient', 'tqdm') if m in sys.modules); "
        "print(code, heavy)"
    )
    done = subprocess.run([sys.executable, "-c", probe, "--config", str(fixture_project / "reports.toml"), "build", "demo_small"],
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "0 []"
    assert _log(out)[-1]["cache"] == "hit"


def test_published_executed_notebooks_keep_their_images_whole(tmp_path):
    """Machine paths are shortened in every string of an executed notebook, but a base64 image is data:
    its text can contain '+/sWX.../' runs that look like a path, and shortening them corrupts it."""
    import base64

    from sro_research.build.worker import _without_machine_paths

    image = base64.b64encode(bytes(range(256)) * 8).decode()
    assert "/" in image
    nb = {"cells": [{"outputs": [{"data": {"image/png": image, "text/plain": f"{tmp_path}/x/figure.png"}}]}]}
    cleaned = _without_machine_paths(nb, tmp_path)
    data = cleaned["cells"][0]["outputs"][0]["data"]
    assert data["image/png"] == image
    assert data["text/plain"] == "x/figure.png"


def test_a_title_names_the_values_its_run_uses():
    """`{school_year}` in a reports.toml title is filled from the run's parameters, so overriding the year
    with -p never leaves a page headed with another year."""
    from sro_research.build.pipeline import plan
    from tests.conftest import PROJECT_ROOT

    config = PROJECT_ROOT / "reports.toml"  # the project's own reports, whatever project a test set up before
    [configured] = plan(["annual_review_2016_17"], None, config)
    [overridden] = plan(["annual_review_2016_17"], ["school_year=2020-21"], config)
    assert configured.spec.title.startswith("2016-17 annual review")
    assert overridden.spec.title.startswith("2020-21 annual review") and "2016-17" not in overridden.spec.title
