"""The scheduler's path: a notebook executed by plain papermill (Airflow, cron), then
`sro-research render`, gives the page the build gives: title, site header, data status, footer."""

import re

import pytest

from sro_research.cli import main
from tests.conftest import PROJECT_ROOT

REPORT = "annual_review_2016_17"  # published figures only: the quickest report, with injected parameters
# What differs between two runs of the same notebook: when it ran, and the random id papermill gives
# the cell it injects the parameters in (the notebook's own cells have none: nbconvert numbers them).
BUILT_AT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00|\d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d UTC")
CELL_ID = re.compile(r'id="cell-id=[0-9a-f-]+"')
# The commit is the checkout's in both; a commit made while the suite runs must not fail it.
COMMIT = re.compile(r"<code>[0-9a-f]{40}( \(with uncommitted changes\))?</code>")


def _normalized(page: str) -> str:
    return COMMIT.sub("COMMIT", CELL_ID.sub("CELL", BUILT_AT.sub("WHEN", page)))


@pytest.mark.slow
def test_a_notebook_run_by_plain_papermill_renders_to_the_builds_page(built_site, tmp_path, monkeypatch, capsys):
    import papermill as pm

    for variable in ("SRO_PROJECT_ROOT", "SRO_REPORT_NAME", "SSOCS_DIR"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("SRO_TABLES_DIR", str(tmp_path / "tables"))  # by hand they would go to scratch/
    executed = tmp_path / "out.ipynb"  # what a scheduler names it: the page must not be titled "out"
    pm.execute_notebook(str(PROJECT_ROOT / "notebooks" / "annual_review.ipynb"), str(executed), cwd=str(tmp_path),
                        parameters={"school_year": "2016-17", "use_export": False}, progress_bar=False)
    assert main(["render", str(executed), "--out", str(tmp_path / "site")]) == 0
    assert capsys.readouterr().out.startswith(f"rendered {REPORT}: ")
    rendered = (tmp_path / "site" / f"{REPORT}.html").read_text(encoding="utf-8")
    built = (built_site / f"{REPORT}.html").read_text(encoding="utf-8")
    assert "How this report was made" in rendered and "Input files read" in rendered
    assert re.search(r"<title>2016-17 annual review", rendered)
    assert _normalized(rendered) == _normalized(built)


def test_render_refuses_what_it_cannot_tell_apart(tmp_path, capsys):
    import nbformat

    plain = tmp_path / "plain.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), plain)
    assert main(["render", str(plain), "--out", str(tmp_path)]) == 2
    assert "not executed by papermill" in capsys.readouterr().err
    nb = nbformat.v4.new_notebook(metadata={"papermill": {"input_path": "notebooks/annual_review.ipynb",
                                                          "parameters": {"school_year": "2016-17"}}})
    nbformat.write(nb, plain)  # 2016-17 without use_export=False: no report in reports.toml ran like that
    assert main(["render", str(plain), "--out", str(tmp_path)]) == 2
    assert "no report in reports.toml fits it; name one with --report" in capsys.readouterr().err
