"""Parameter values are checked and typed before any kernel starts."""

import re

import pytest

from sro_research.build.parameters import Parameter, ParameterError, parse_assignments, resolve


def declared(**types):
    return {name: Parameter(name, type_name, default, "help") for name, (type_name, default) in types.items()}


PARAMS = declared(
    n=("int", "3"),
    rate=("float", "0.5"),
    flag=("bool", "True"),
    label=("str", '"x"'),
    years=("list", '["2015-16"]'),
    counts=("list[int]", "[1]"),
    folder=("Optional[str]", "None"),
    other=("str | None", "None"),
    options=("dict", "{}"),
    school=("str", "None"),
)


@pytest.mark.parametrize(
    "name, text, expected",
    [
        ("n", "12", 12),
        ("rate", "2", 2.0),
        ("flag", "no", False),
        ("flag", "TRUE", True),
        ("label", "a b", "a b"),
        ("years", "2005-06, 2015-16", ["2005-06", "2015-16"]),
        ("years", '["2005-06"]', ["2005-06"]),
        ("counts", "1,2", [1, 2]),
        ("folder", "none", None),
        ("other", "/data", "/data"),
        ("options", '{"a": 1}', {"a": 1}),
    ],
)
def test_command_line_text_becomes_the_declared_type(name, text, expected):
    values = resolve("r", PARAMS, {}, {name: text, "school": "s"})
    assert values[name] == expected and type(values[name]) is type(expected)


@pytest.mark.parametrize("name, text", [("n", "1.5"), ("rate", "fast"), ("flag", "maybe"), ("counts", "a,b"), ("options", "[1]")])
def test_wrong_type_names_the_parameter_and_what_it_expects(name, text):
    with pytest.raises(ParameterError, match=rf"parameter '{name}' expects"):
        resolve("r", PARAMS, {}, {name: text, "school": "s"})


def test_config_values_are_type_checked_too():
    assert resolve("r", PARAMS, {"rate": 1, "school": "s"}, {})["rate"] == 1.0
    with pytest.raises(ParameterError, match="reports.toml.*'n' expects int"):
        resolve("r", PARAMS, {"n": "3", "school": "s"}, {})
    with pytest.raises(ParameterError, match="'n' expects int"):
        resolve("r", PARAMS, {"n": True, "school": "s"}, {})


def test_command_line_overrides_config():
    assert resolve("r", PARAMS, {"n": 1, "school": "s"}, {"n": "2"})["n"] == 2


def test_required_and_unknown():
    with pytest.raises(ParameterError, match="missing required parameter 'school'"):
        resolve("r", PARAMS, {}, {})
    with pytest.raises(ParameterError, match="unknown parameter 'nn'; valid parameters: n, rate"):
        resolve("r", PARAMS, {}, {"nn": "1", "school": "s"})


def test_assignments_need_an_equals_sign():
    assert parse_assignments(["a=1", "b=x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}
    with pytest.raises(ParameterError, match="KEY=VALUE"):
        parse_assignments(["a"])


def test_parameters_cell_is_read_as_papermill_reads_it():
    """Our ast reading (no papermill import on the fast path) agrees with papermill's on every notebook."""
    import papermill as pm

    from sro_research.build.parameters import notebook_parameters
    from tests.conftest import FIXTURES, PROJECT_ROOT

    notebooks = [*(PROJECT_ROOT / "notebooks").glob("*.ipynb"), *(FIXTURES / "project" / "notebooks").glob("*.ipynb")]
    assert len(notebooks) >= 6
    for notebook in notebooks:
        ours = notebook_parameters(notebook)
        theirs = pm.inspect_notebook(str(notebook))
        assert list(ours) == list(theirs), notebook
        for name, param in ours.items():
            expected = theirs[name]
            assert (param.type_name or "None", param.default_source, param.help) == (
                expected["inferred_type_name"], expected["default"], expected["help"]), (notebook, name)


def test_parameters_cell_edge_cases():
    from sro_research.build.parameters import parse_parameters_cell

    params = parse_parameters_cell(
        'import os\nlabel: str = "a # not a comment"  # the label\n'
        'years: list = [\n    "2015-16",\n]  # spans lines\nplain = 3\n'
    )
    assert list(params) == ["label", "years", "plain"]
    assert params["label"].default_source == '"a # not a comment"' and params["label"].help == "the label"
    assert params["years"].help == "spans lines" and params["plain"].type_name == ""
    with pytest.raises(ParameterError, match="not valid Python"):
        parse_parameters_cell("x: int = (")


BOUNDED = {
    "suppression_threshold": Parameter("suppression_threshold", "int", "10", "smallest count shown (min: 1)"),
    "share": Parameter("share", "float", "0.5", "a share (min: 0, max: 1)"),
    "names_path": Parameter("names_path", "Optional[str]", "None", "names to scrub"),
    "ssocs_dir": Parameter("ssocs_dir", "Optional[str]", "None", "folder of files"),
    "locale": Parameter("locale", "str", '"City"', "peer locale (one of: City, Suburb)"),
    "size": Parameter("size", "str", '"1,000 or more"', 'enrollment (one of: "Less than 300", "1,000 or more")'),
}


@pytest.mark.parametrize(
    "values, message",
    [
        ({"suppression_threshold": -3}, "parameter 'suppression_threshold' must be at least 1, got -3"),
        ({"suppression_threshold": 0}, "must be at least 1, got 0"),
        ({"share": 1.5}, "parameter 'share' must be at most 1, got 1.5"),
        ({"names_path": "no/such/names.txt"}, "parameter 'names_path': no such file: "),
        ({"ssocs_dir": "/no/such/folder"}, "parameter 'ssocs_dir': no such folder: /no/such/folder"),
        ({"locale": "Moon"}, "parameter 'locale' must be one of City, Suburb; got 'Moon'"),
        ({"size": "1,000"}, "parameter 'size' must be one of Less than 300, 1,000 or more; got '1,000'"),
    ],
)
def test_constraints_are_checked_before_any_kernel(tmp_path, values, message):
    from sro_research.build.parameters import check_constraints

    with pytest.raises(ParameterError, match=re.escape(message)):
        check_constraints("r", BOUNDED, values, tmp_path)


def test_constraints_pass_and_come_from_reports_toml_too(tmp_path):
    from sro_research.build.parameters import check_constraints

    (tmp_path / "names.txt").write_text("Ann\n")
    check_constraints("r", BOUNDED, {"suppression_threshold": 1, "share": 0.0, "names_path": "names.txt",
                                     "ssocs_dir": str(tmp_path)}, tmp_path)
    with pytest.raises(ParameterError, match="'ssocs_dir'.* is not a folder"):
        check_constraints("r", BOUNDED, {"ssocs_dir": "names.txt"}, tmp_path)
    with pytest.raises(ParameterError, match="must be at least 5, got 3"):
        check_constraints("r", BOUNDED, {"suppression_threshold": 3}, tmp_path, {"suppression_threshold": {"min": 5}})


def test_real_reports_reject_a_bad_threshold_and_a_missing_path_with_exit_2(capsys):
    from sro_research.cli import main

    assert main(["build", "engagement_findings", "-p", "suppression_threshold=-3"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.splitlines() == [
        "sro-research: error: report 'engagement_findings': parameter 'suppression_threshold' must be at least 1, got -3"]
    assert main(["build", "engagement_findings", "-p", "names_path=missing-names.txt"]) == 2
    assert "parameter 'names_path': no such file" in capsys.readouterr().err


def test_a_value_outside_the_notebooks_fixed_set_exits_2_before_any_kernel(capsys, tmp_path, monkeypatch):
    from sro_research.cli import main

    monkeypatch.setenv("TMPDIR", str(tmp_path))  # a kernel or worker would leave its folders here
    assert main(["build", "nces_comparisons", "-p", "peer_locale=Moon", "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "sro-research: error: report 'nces_comparisons': parameter 'peer_locale' must be one of "
        "City, Suburb, Urban fringe, Town, Rural; got 'Moon'"]
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob("sro-*"))


def test_relative_paths_given_with_p_resolve_against_the_callers_folder(tmp_path, monkeypatch):
    from sro_research.build.pipeline import plan

    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "names.txt").write_text("Ann\n")
    monkeypatch.chdir(tmp_path)  # a researcher's own folder, outside the project
    [item] = plan(["engagement_findings"], ["names_path=lists/names.txt", "mapping_path=none"])
    assert item.values["names_path"] == str(tmp_path / "lists" / "names.txt")
    assert item.values["mapping_path"] is None
    with pytest.raises(ParameterError, match=re.escape(f"no such file: {tmp_path / 'data' / 'names.txt'}")):
        plan(["engagement_findings"], ["names_path=data/names.txt"])  # not the project's data/


def test_no_input_may_lie_inside_the_output_folder(tmp_path):
    from sro_research.build.parameters import check_outside_output

    out = tmp_path / "site"
    (out / "private").mkdir(parents=True)
    check_outside_output("r", BOUNDED, {"names_path": str(tmp_path / "names.txt")}, tmp_path, out)
    check_outside_output("r", BOUNDED, {"names_path": "site-names.txt"}, tmp_path, out)  # a sibling, not inside
    for value in (str(out / "private" / "review.csv"), "site/private/../names.txt"):
        with pytest.raises(ParameterError, match="parameter 'names_path': .* is inside the output folder"):
            check_outside_output("r", BOUNDED, {"names_path": value}, tmp_path, out)
    with pytest.raises(ParameterError, match="'ssocs_dir'.*inside the output folder"):
        check_outside_output("r", BOUNDED, {"ssocs_dir": str(out)}, tmp_path, out)


def test_a_reports_declared_check_runs_before_any_kernel_and_refuses_with_exit_2(tmp_path):
    from sro_research.build.config import ConfigError, ReportSpec, load_reports
    from sro_research.build.pipeline import Plan, run_check

    export = tmp_path / "export.csv"
    export.write_text("Timestamp,Email\n2017-05-01 10:00,amina@example.org\nx,y\n", encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("header_rows: 2\n", encoding="utf-8")
    spec = ReportSpec("r", tmp_path / "nb.ipynb", "R", check="sro_research.readers.engagement_inputs:check_inputs")
    params = declared(responses_path=("Optional[str]", "None"), mapping_path=("Optional[str]", "None"))
    run_check(Plan(spec, params, {}), tmp_path)  # no export given: the reconstruction, nothing to check
    plan = Plan(spec, params, {"responses_path": "export.csv", "mapping_path": str(mapping)})  # relative to the root
    with pytest.raises(ParameterError, match="(?s)inputs refused before running.*row 2 is read as a header row") as error:
        run_check(plan, tmp_path)
    assert "amina" not in str(error.value) and "2017-05-01" not in str(error.value)
    toml = tmp_path / "reports.toml"
    toml.write_text('[reports.r]\nnotebook = "nb.ipynb"\ncheck = "not a function"\n', encoding="utf-8")
    (tmp_path / "nb.ipynb").write_text("{}", encoding="utf-8")
    with pytest.raises(ConfigError, match="'check' must name a function"):
        load_reports(toml)
