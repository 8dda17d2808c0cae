"""A report's parameters: read from its notebook's `parameters` cell and checked before any kernel starts.

papermill only warns about unknown names and injects whatever it is given, so a typo in a scheduled
run would silently build a report with defaults. Here every value is checked against the
annotation in the notebook (`n: int = 3  # help`) and turned into that type first.
"""

from __future__ import annotations

import ast
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BASE_TYPES = {"str": str, "int": int, "float": float, "bool": bool, "list": list, "dict": dict}
_OPTIONAL = re.compile(r"^(?:Optional\[(?P<inner>.+)\]|(?P<left>.+?)\s*\|\s*None|None\s*\|\s*(?P<right>.+))$")
_GENERIC = re.compile(r"^(?P<base>\w+)\[(?P<args>.+)\]$")
_TRUE, _FALSE = {"true", "yes", "1", "on"}, {"false", "no", "0", "off"}
_NO_DEFAULT = object()  # the default is an expression, not a literal we can show or check
# A bound written in a parameter's comment: `threshold: int = 10  # smallest count shown (min: 1)`.
_BOUND = re.compile(r"\b(?P<kind>min|max)\s*:\s*(?P<value>-?\d+(?:\.\d+)?)", re.IGNORECASE)
# The values a parameter may take: `# peer group (one of: City, Suburb)`, or quoted when they hold
# commas: `(one of: "Less than 300", "1,000 or more")`.
_CHOICES = re.compile(r"\(one of:\s*(?P<values>[^)]*)\)", re.IGNORECASE)


class ParameterError(Exception):
    """A parameter value that the notebook cannot take; the message is one line for the user."""


@dataclass(frozen=True)
class Parameter:
    name: str
    type_name: str  # as annotated in the notebook, e.g. "Optional[str]"; "" when not annotated
    default_source: str  # the default as written in the notebook
    help: str

    @property
    def optional(self) -> bool:
        return self.type_name == "" or bool(_OPTIONAL.match(self.type_name))

    def _bare(self) -> tuple[str, str]:
        """('list', 'int') for 'Optional[list[int]]'; ('', '') when not annotated."""
        name = self.type_name.strip()
        match = _OPTIONAL.match(name)
        if match:
            name = (match.group("inner") or match.group("left") or match.group("right")).strip()
        generic = _GENERIC.match(name)
        if generic:
            return generic.group("base").lower(), generic.group("args").strip().lower()
        return name.lower(), ""

    @property
    def base(self) -> str:
        """The bare type ('str', 'list', ...) or '' when the notebook did not annotate one."""
        return self._bare()[0]

    @property
    def element(self) -> str:
        """The element type of `list[int]`-style annotations, else ''."""
        base, args = self._bare()
        return args if base == "list" else ""

    @property
    def default(self) -> Any:
        try:
            return ast.literal_eval(self.default_source)
        except (ValueError, SyntaxError):
            return _NO_DEFAULT

    @property
    def required(self) -> bool:
        """No usable default: `x: str = None` without Optional means the caller must give x."""
        return self.default is None and not self.optional

    def describe_type(self) -> str:
        return self.type_name or "any"

    @property
    def bounds(self) -> dict[str, float]:
        """Bounds written in the comment, e.g. {'min': 1} for `# ... (min: 1)`."""
        return {m.group("kind").lower(): float(m.group("value")) for m in _BOUND.finditer(self.help)}

    @property
    def choices(self) -> tuple[str, ...]:
        """The values written in the comment as `(one of: a, b)`; () when any value will do."""
        match = _CHOICES.search(self.help)
        if not match:
            return ()
        text = match.group("values")
        values = re.findall(r'"([^"]*)"', text) if '"' in text else text.split(",")
        return tuple(value.strip() for value in values if value.strip())


def _segment(lines: list[bytes], node: ast.AST) -> str:
    """The source text of `node` (ast offsets count UTF-8 bytes); ast.get_source_segment re-splits
    the whole cell on every call, which was most of a no-change build's time."""
    first, last = node.lineno - 1, node.end_lineno - 1
    if first == last:
        return lines[first][node.col_offset:node.end_col_offset].decode()
    middle = lines[first + 1:last]
    return b"".join([lines[first][node.col_offset:], *middle, lines[last][:node.end_col_offset]]).decode()


def _comment_after(lines: list[bytes], node: ast.AST) -> str:
    """The `# comment` following a statement, '' when there is none.

    The statement's end comes from the parser, so a '#' inside a string default is never taken
    for a comment (no tokenize needed: its regexes cost more than the rest of a no-change build).
    """
    rest = lines[node.end_lineno - 1][node.end_col_offset:].decode().strip()
    return rest.lstrip("#").strip() if rest.startswith("#") else ""


def parse_parameters_cell(source: str, where: str = "parameters cell") -> dict[str, Parameter]:
    """`name: type = default  # help` assignments, in order (the same reading as papermill's).

    Parsed here with `ast` rather than by papermill so that deciding whether anything changed
    does not import papermill (see docs/scheduling.md: a no-change build is a fraction of a second).
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(f"{where}: not valid Python (line {exc.lineno}): {exc.msg}") from exc
    lines = [line.encode() for line in source.splitlines(keepends=True)]
    params: dict[str, Parameter] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name, type_name = node.target.id, _segment(lines, node.annotation)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, type_name = node.targets[0].id, ""
        else:
            continue  # imports and other statements are not parameters
        params[name] = Parameter(
            name=name,
            type_name=type_name,
            default_source=_segment(lines, node.value),
            help=_comment_after(lines, node),
        )
    return params


def parameters_cell_source(notebook: str | Path) -> str:
    """Source of the code cell tagged `parameters` ('' when the notebook has none)."""
    notebook = Path(notebook)
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError) as exc:
        raise ParameterError(f"{notebook}: cannot read the notebook: {exc}") from exc
    for cell in cells:
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            return "".join(source) if isinstance(source, list) else source
    return ""


def notebook_parameters(notebook: str | Path) -> dict[str, Parameter]:
    """The parameters declared in the notebook's cell tagged `parameters`, in order."""
    notebook = Path(notebook)
    params = parse_parameters_cell(parameters_cell_source(notebook), f"{notebook.name}: parameters cell")
    for param in params.values():
        if param.base and param.base not in BASE_TYPES:
            raise ParameterError(
                f"{notebook.name}: parameter {param.name!r} is annotated {param.type_name!r}; "
                f"supported: {', '.join(BASE_TYPES)} and Optional[...] of those"
            )
    return params


def _coerce_text(param: Parameter, text: str, where: str) -> Any:
    """Turn a command-line string into the parameter's type."""
    if param.optional and text.strip().lower() in {"none", "null"}:
        return None
    base = param.base
    try:
        if base in ("", "str"):
            return text
        if base == "int":
            return int(text)
        if base == "float":
            return float(text)
        if base == "bool":
            lowered = text.strip().lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise ValueError
        if base == "list":
            stripped = text.strip()
            items = json.loads(stripped) if stripped.startswith("[") else [s.strip() for s in stripped.split(",") if s.strip()]
            if not isinstance(items, list):
                raise ValueError
            if param.element in ("int", "float"):
                items = [BASE_TYPES[param.element](item) for item in items]
            return items
        if base == "dict":
            value = json.loads(text)
            if not isinstance(value, dict):
                raise ValueError
            return value
    except (ValueError, TypeError, json.JSONDecodeError):
        pass
    raise ParameterError(
        f"{where}: parameter {param.name!r} expects {_expects(param)}, got {text!r}"
    )


def _expects(param: Parameter) -> str:
    examples = {
        "int": "a whole number",
        "float": "a number",
        "bool": "true or false",
        "list": "a list (JSON like [\"a\",\"b\"] or comma-separated)",
        "dict": "a JSON object",
        "str": "text",
    }
    text = f"{param.describe_type()} ({examples.get(param.base, 'a value')})"
    return text + (" or none" if param.optional and param.type_name else "")


def _check_value(param: Parameter, value: Any, where: str) -> Any:
    """A value from reports.toml is already typed; make sure it is the right type."""
    if value is None or param.base == "":
        if value is None and not param.optional:
            raise ParameterError(f"{where}: parameter {param.name!r} may not be none; it expects {_expects(param)}")
        return value
    expected = BASE_TYPES[param.base]
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, bool) and expected is not bool:
        ok = False
    else:
        ok = isinstance(value, expected)
    if not ok:
        raise ParameterError(f"{where}: parameter {param.name!r} expects {_expects(param)}, got {value!r}")
    return value


def parse_assignments(pairs: list[str] | None) -> dict[str, str]:
    """`-p KEY=VALUE` strings -> {KEY: VALUE}; a pair without '=' is a usage error."""
    values: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"-p {pair!r}: write parameters as KEY=VALUE")
        values[key.strip()] = value
    return values


def from_callers_folder(given: dict[str, str], cwd: Path) -> dict[str, str]:
    """`-p` file and folder parameters as the caller meant them: relative to the folder the command
    runs in (as any command-line tool reads a path), not to the project root the kernel runs in."""
    absolute = dict(given)
    for name, value in given.items():
        text = value.strip()
        if name.endswith(("_path", "_dir")) and text and text.lower() not in {"none", "null"}:
            path = Path(text).expanduser()
            absolute[name] = str(path if path.is_absolute() else Path(os.path.abspath(cwd / path)))
    return absolute


def resolve(
    report: str,
    declared: dict[str, Parameter],
    configured: dict[str, Any],
    given: dict[str, str],
) -> dict[str, Any]:
    """The values to inject: notebook defaults < reports.toml < command line; all checked.

    Returns only the values that differ from the notebook's own cell (configured or given), so the
    executed notebook shows exactly what the build changed.
    """
    valid = ", ".join(declared) or "(none)"
    values: dict[str, Any] = {}
    for source, supplied in (("reports.toml", configured), ("-p", given)):
        for name, value in supplied.items():
            where = f"report {report!r} ({source})"
            if name not in declared:
                raise ParameterError(f"{where}: unknown parameter {name!r}; valid parameters: {valid}")
            param = declared[name]
            if isinstance(value, str) and source == "-p":
                values[name] = _coerce_text(param, value, where)
            else:
                values[name] = _check_value(param, value, where)
    missing = [p.name for p in declared.values() if p.required and values.get(p.name) is None]
    if missing:
        first = declared[missing[0]]
        raise ParameterError(
            f"report {report!r}: missing required parameter {first.name!r} ({_expects(first)})"
            + (f": {first.help}" if first.help else "")
            + f"; give it with -p {first.name}=VALUE"
        )
    return values


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def check_constraints(
    report: str,
    declared: dict[str, Parameter],
    values: dict[str, Any],
    root: Path,
    configured: dict[str, dict] | None = None,
) -> None:
    """Bounds (`(min: 1)` in the comment or `constraints` in reports.toml), values from a fixed set
    (`(one of: a, b)` in the comment) and that `*_path`/`*_dir` exist.

    Run before any kernel starts, so a bad value is one line and exit 2, not a traceback in a cell.
    """
    for name, param in declared.items():
        value = values[name] if name in values else param.default
        if value is _NO_DEFAULT or value is None:
            continue
        bounds = {**param.bounds, **{k: float(v) for k, v in (configured or {}).get(name, {}).items()}}
        is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if is_number and "min" in bounds and value < bounds["min"]:
            raise ParameterError(f"report {report!r}: parameter {name!r} must be at least {_number(bounds['min'])}, got {value!r}")
        if is_number and "max" in bounds and value > bounds["max"]:
            raise ParameterError(f"report {report!r}: parameter {name!r} must be at most {_number(bounds['max'])}, got {value!r}")
        if param.choices and isinstance(value, str) and value not in param.choices:
            raise ParameterError(f"report {report!r}: parameter {name!r} must be one of {', '.join(param.choices)}; got {value!r}")
    for name, path in input_paths(declared, values, root).items():
        kind = "folder" if name.endswith("_dir") else "file"
        if not path.exists():
            raise ParameterError(f"report {report!r}: parameter {name!r}: no such {kind}: {path}")
        if kind == "folder" and not path.is_dir():
            raise ParameterError(f"report {report!r}: parameter {name!r}: {path} is not a folder")


def effective_values(declared: dict[str, Parameter], values: dict[str, Any], root: Path) -> dict[str, Any]:
    """Every parameter the notebook will hold (given, or its literal default), paths resolved."""
    merged = {name: p.default for name, p in declared.items() if p.default is not _NO_DEFAULT}
    merged.update(values)
    merged.update({name: str(path) for name, path in input_paths(declared, values, root).items()})
    return merged


def input_paths(declared: dict[str, Parameter], values: dict[str, Any], root: Path) -> dict[str, Path]:
    """Every `*_path` / `*_dir` parameter that names something, resolved as the kernel sees it."""
    paths = {}
    for name, param in declared.items():
        value = values[name] if name in values else param.default
        if name.endswith(("_path", "_dir")) and isinstance(value, str) and value.strip():
            path = Path(value).expanduser()
            paths[name] = path if path.is_absolute() else root / path  # the kernel runs in the project root
    return paths


def check_outside_output(report: str, declared: dict[str, Parameter], values: dict[str, Any], root: Path,
                         out: Path) -> None:
    """No input inside the output folder: whatever is there is published (a review file would be, whole)."""
    out = out.resolve()
    for name, path in input_paths(declared, values, root).items():
        path = path.resolve()
        if path == out or out in path.parents:
            raise ParameterError(f"report {report!r}: parameter {name!r}: {path} is inside the output folder {out}; "
                                 f"everything there is published, so inputs (a comment review file above all) "
                                 f"must be kept outside it")
