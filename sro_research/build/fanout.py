"""A fan-out: one report declared in reports.toml over a list of districts, built as one report each.

    [reports.district_public_data_wi]
    fan_out = { over = "sro_research.readers.crdc:districts_in_state", state = "WI", title = "..." }

`over` names a function (a reader: the build itself knows no report's data), called with the
fan-out's other keys and with the report's parameters its signature names (paths resolved, as the
kernel sees them). It returns one record per district, `{"leaid": ..., "district_name": ...}`. Each
record becomes the report `<report>__<leaid>`: the record's keys that the notebook declares (at least
`leaid`) set as its parameters, its title filled from the record (`{district_name}`), built, cached
and published like any other report. The list is kept in manifest.json with the checksums of the
files the function read, so a build with nothing changed does not call it again.
"""

from __future__ import annotations

import importlib
import inspect
import re
from dataclasses import replace
from pathlib import Path

from sro_research.build import cache
from sro_research.build.config import ConfigError, ReportSpec, fill_title
from sro_research.build.index import read_build_manifest
from sro_research.build.parameters import ParameterError, effective_values, notebook_parameters

SEPARATOR = "__"  # <report>__<leaid>
FAN_OUTS = "fan_outs"  # manifest.json: each fan-out's title, list of districts and what it was read from
RESERVED = ("over", "title")  # fan_out keys that are not arguments of its function
_UNSAFE = re.compile(r"[^a-z0-9_\-]+")


def member_name(report: str, record: dict) -> str:
    return f"{report}{SEPARATOR}{_UNSAFE.sub('-', str(record['leaid']).strip().lower())}"


def index_title(spec: ReportSpec) -> str:
    """The fan-out's own index page title: `title` in the fan_out table, else the report's without its blanks."""
    return spec.fan_out.get("title") or re.sub(r"\{[^}]*\}:?\s*", "", spec.title_template or spec.title).strip() or spec.name


def wanted(name: str, names: list[str] | None) -> bool:
    """Is the fan-out `name` (or one of its reports) asked for? (All are when no names are given.)"""
    return not names or any(n == name or n.startswith(name + SEPARATOR) for n in names)


def _function(spec: ReportSpec):
    module, _, function = spec.fan_out["over"].partition(":")
    try:
        return getattr(importlib.import_module(module), function)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"report {spec.name!r}: fan_out over {spec.fan_out['over']!r} cannot be loaded ({exc})") from exc


def _arguments(spec: ReportSpec, function, given: dict, root: Path) -> dict:
    """The fan_out table's own arguments (`*_dir`/`*_path` resolved against the project root), then
    the report's parameters (notebook defaults < reports.toml < -p) the function's signature names."""
    arguments = {k: v for k, v in spec.fan_out.items() if k not in RESERVED}
    for key, value in arguments.items():
        if key.endswith(("_dir", "_path")) and isinstance(value, str) and not Path(value).expanduser().is_absolute():
            arguments[key] = str(root / value)
    declared = notebook_parameters(spec.notebook)
    values = effective_values(declared, {**spec.parameters, **{k: v for k, v in given.items() if k in declared}}, root)
    accepted = inspect.signature(function).parameters
    arguments.update({k: v for k, v in values.items() if k in accepted and k not in arguments})
    return arguments


def _records(spec: ReportSpec, given: dict, root: Path) -> tuple[list[dict], list[dict]]:
    """(records, the input files the function recorded)."""
    from sro_research.provenance import recording

    function = _function(spec)
    arguments = _arguments(spec, function, given, root)
    missing = [p.name for p in inspect.signature(function).parameters.values()
               if p.default is inspect.Parameter.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
               and arguments.get(p.name) in (None, "")]
    if missing:
        raise ConfigError(f"report {spec.name!r}: fan_out over {spec.fan_out['over']!r} needs {', '.join(missing)}: "
                          f"give it in the fan_out table or the report's parameters")
    try:
        with recording() as inputs:
            records = function(**arguments)
    except (ValueError, OSError, TypeError) as exc:  # reader errors name file, row, column and rule
        raise ParameterError(f"report {spec.name!r}: fan_out over {spec.fan_out['over']!r} failed: {exc}") from None
    if not isinstance(records, (list, tuple)) or not all(
            isinstance(r, dict) and str(r.get("leaid") or "").strip() for r in records):
        raise ConfigError(f"report {spec.name!r}: fan_out over {spec.fan_out['over']!r} must return a list of "
                          f"records, each with a 'leaid'")
    records = [dict(r) for r in records]
    if not records:
        shown = ", ".join(f"{k}={v!r}" for k, v in arguments.items() if k in spec.fan_out)
        raise ParameterError(f"report {spec.name!r}: fan_out over {spec.fan_out['over']!r} found no district ({shown})")
    return records, inputs


def districts(spec: ReportSpec, given: dict, root: Path, recorded: dict, force: bool = False) -> tuple[list[dict], dict]:
    """The fan-out's records, and what to keep in manifest.json: from the last build's list when its
    declaration is the same and the files its function read are unchanged, else from the function."""
    # The declaration, -p values and the package's source (the function's own code): any change lists again.
    key = cache._digest([spec.fan_out, dict(sorted(given.items())), spec.parameters, cache.package_digest()])
    previous = recorded.get(spec.name) or {}
    if not force and previous.get("key") == key and previous.get("members") and \
            not cache.changed_input(previous.get("inputs", {}), root):
        return previous["members"], {**previous, **_page_words(spec)}
    records, inputs = _records(spec, given, root)
    return records, {**_page_words(spec), "key": key, "members": records, "inputs": cache.input_states(inputs, root)}


def _page_words(spec: ReportSpec) -> dict:
    """What the fan-out's own page says about itself: its title, the function, and the district profile its
    reports are built with (a `district` parameter), whose site header the page carries."""
    return {"title": index_title(spec), "over": spec.fan_out["over"], "district": spec.parameters.get("district")}


def _declared(spec: ReportSpec) -> dict:
    declared = notebook_parameters(spec.notebook)
    if "leaid" not in declared:
        raise ConfigError(f"report {spec.name!r}: a fan-out's notebook ({spec.notebook.name}) must declare a "
                          f"'leaid' parameter in its parameters cell")
    return declared


def members(spec: ReportSpec, records: list[dict]) -> list[ReportSpec]:
    """One report per record: named `<report>__<leaid>`, the record's declared keys as parameters."""
    declared = _declared(spec)
    made, seen = [], set()
    for record in records:
        name = member_name(spec.name, record)
        if name in seen:
            raise ConfigError(f"report {spec.name!r}: fan_out lists LEA id {record['leaid']!r} twice")
        seen.add(name)
        parameters = {**spec.parameters, **{k: v for k, v in record.items() if k in declared}}
        member = {"of": spec.name, **record}
        words = {**parameters, **{k: v for k, v in record.items()}}
        made.append(replace(spec, name=name, parameters=parameters, fan_out={}, member=member,
                            title=fill_title(spec.title_template or spec.title, words)))
    return made


def expand(specs: dict[str, ReportSpec], names: list[str] | None, given: dict, root: Path, out: Path,
           force: bool = False) -> tuple[dict[str, ReportSpec], dict[str, dict]]:
    """Every report, each wanted fan-out replaced by its reports (in place, in file order), and the
    lists to keep in manifest.json. A fan-out not asked for is left out, its function not called."""
    recorded = read_build_manifest(out).get(FAN_OUTS, {})
    expanded: dict[str, ReportSpec] = {}
    lists: dict[str, dict] = {}
    for name, spec in specs.items():
        if not spec.fan_out:
            expanded[name] = spec
        elif wanted(name, names):
            _declared(spec)  # before the list is read
            records, lists[name] = districts(spec, given, root, recorded, force)
            expanded.update((m.name, m) for m in members(spec, records))
    return expanded, lists
