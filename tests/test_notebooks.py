"""Notebooks are kept without outputs, each with a `parameters` cell a researcher can run as is."""

import nbformat
import pytest

from sro_research.build.pipeline import plan
from sro_research.build.config import load_reports
from sro_research.build.parameters import notebook_parameters
from tests.conftest import FIXTURES, PROJECT_ROOT

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb")) + sorted(FIXTURES.rglob("notebooks/*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_no_outputs_and_one_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(not cell.outputs and cell.execution_count is None for cell in code), f"{path.name} has stored outputs"
    tagged = [cell for cell in code if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name} needs exactly one cell tagged 'parameters'"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_report_notebook_runs_with_its_own_defaults(path):
    """No required parameters: JupyterLab's 'Run all' must work with the defaults in the cell."""
    params = notebook_parameters(path)
    assert params, f"{path.name} declares no parameters"
    for param in params.values():
        assert not param.required, f"{path.name}: {param.name} has no default"
        assert param.type_name, f"{path.name}: annotate {param.name} so the build can check its values"
        assert param.help, f"{path.name}: give {param.name} a help comment"


def test_every_report_notebook_is_declared_and_every_declared_report_is_valid():
    reports = load_reports()
    declared = {spec.notebook for spec in reports.values()}
    assert set((PROJECT_ROOT / "notebooks").glob("*.ipynb")) <= declared
    plan(None, None)  # checks every reports.toml value against its notebook, without running
