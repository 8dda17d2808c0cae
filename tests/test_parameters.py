"""Parameter values are checked and typed before any kernel starts."""

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
