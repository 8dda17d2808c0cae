"""reports.toml: which reports exist, which notebook makes each, and its parameter values."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from sro_research.paths import MARKER, project_root
from sro_research.data_status import DATA_STATUSES
from sro_research.district import DATA_KINDS, DISTRICT_ENV, DistrictProfile, ProfileError, chosen, load_profile

NAME = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
KNOWN_KEYS = {"notebook", "title", "description", "parameters", "timeout", "env", "constraints", "check", "data_status",
              "needs", "fan_out"}
CHECK = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")  # module:function
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DEFAULT_TIMEOUT = 1800  # seconds a single cell may run before the build calls it hung


class ConfigError(Exception):
    """reports.toml is missing, malformed or names a notebook that does not exist."""


@dataclass(frozen=True)
class ReportSpec:
    name: str
    notebook: Path  # absolute
    title: str  # the title as configured, `{parameter}` placeholders filled from `parameters`
    description: str = ""
    parameters: dict = field(default_factory=dict)
    timeout: int = DEFAULT_TIMEOUT
    # Environment variables the notebook reads (e.g. SSOCS_DIR): passed to its kernel, recorded in its
    # footer and part of its cache key. The build itself knows no report's data.
    env: tuple[str, ...] = ()
    # Bounds on parameters, e.g. {"suppression_threshold": {"min": 1}}, checked before any kernel starts.
    constraints: dict = field(default_factory=dict)
    # What the report's numbers are with these parameters ("real", "reconstruction", "synthetic",
    # "published"): lists of reports label a title with it before (or without) a build.
    data_status: str | None = None
    # The title as written in reports.toml: `{school_year}` and the like are filled from the parameters a
    # run resolves (`with_values`), so a title never describes a value the run did not use.
    title_template: str = ""
    # "module:function" run with the report's parameters (paths resolved) before any kernel starts; a
    # ValueError or OSError it raises refuses the build (exit 2). The report's own input checks live
    # there, so the build still knows no report's data.
    check: str = ""
    # Kinds of district data the report cannot be built without (district.DATA_KINDS): a district whose
    # profile lacks one does not get the report, and the landing page says so.
    needs: tuple[str, ...] = ()
    # The district the report is about: its words fill `{district_name}` and the like in the title, its
    # profile path goes to the kernel as $SRO_DISTRICT, its checksum is part of the cache key.
    district: DistrictProfile | None = None
    # One report per district: {"over": "module:function", "title": the fan-out's own index page, and the
    # function's other arguments}. Expanded by build/fanout.py into one report per record it returns.
    fan_out: dict = field(default_factory=dict)
    # On a report a fan-out made: {"of": the declared report, "leaid": ..., "district_name": ...}.
    member: dict = field(default_factory=dict)

    def missing(self) -> tuple[str, ...]:
        """The kinds of data this report needs that its district's profile lacks."""
        return tuple(kind for kind in self.needs if self.district is None or not self.district.has(kind))


def config_path(path: str | Path | None = None) -> Path:
    return Path(path).resolve() if path else project_root() / MARKER


def load_district(path: str | Path | None = None, district: str | None = None) -> DistrictProfile | None:
    """The district profile a build is for (`district`: --district, else $SRO_DISTRICT, else reports.toml's
    `district`); None for a project that names no district (its titles keep any `{district_name}` as written)."""
    path = config_path(path)
    try:
        setting = chosen(district, path)
    except ProfileError:
        return None
    try:
        return load_profile(setting, path)
    except ProfileError as exc:
        raise ConfigError(str(exc)) from None


def district_environment(profile: DistrictProfile | None) -> dict[str, str]:
    """What a kernel is told about its district: $SRO_DISTRICT, the profile file (readers load it from there)."""
    return {DISTRICT_ENV: str(profile.path)} if profile is not None and profile.path else {}


def load_reports(path: str | Path | None = None, district: str | None = None) -> dict[str, ReportSpec]:
    """Every report declared in reports.toml, in file order, for the chosen district (see `load_district`)."""
    profile = load_district(path, district)
    path = config_path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such file; the build needs a reports.toml at the project root")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    reports = raw.get("reports")
    if not isinstance(reports, dict) or not reports:
        raise ConfigError(f"{path}: declares no [reports.NAME] tables")
    specs: dict[str, ReportSpec] = {}
    for name, table in reports.items():
        where = f"{path}: [reports.{name}]"
        if not NAME.match(name):
            raise ConfigError(f"{where}: report names use lower-case letters, digits, '_' and '-'")
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: must be a table")
        unknown = set(table) - KNOWN_KEYS
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; valid: {', '.join(sorted(KNOWN_KEYS))}")
        if "notebook" not in table:
            raise ConfigError(f"{where}: missing 'notebook'")
        notebook = (path.parent / table["notebook"]).resolve()
        if not notebook.is_file():
            raise ConfigError(f"{where}: notebook {table['notebook']} does not exist")
        parameters = table.get("parameters", {})
        if not isinstance(parameters, dict):
            raise ConfigError(f"{where}: 'parameters' must be a table")
        timeout = table.get("timeout", DEFAULT_TIMEOUT)
        if not isinstance(timeout, int) or isinstance(timeout, bool) or timeout <= 0:
            raise ConfigError(f"{where}: 'timeout' must be a positive whole number of seconds")
        env = table.get("env", [])
        if not isinstance(env, list) or not all(isinstance(v, str) and ENV_NAME.match(v) for v in env):
            raise ConfigError(f"{where}: 'env' must be a list of environment variable names, e.g. [\"SSOCS_DIR\"]")
        constraints = table.get("constraints", {})
        if not isinstance(constraints, dict) or not all(
            isinstance(bounds, dict) and set(bounds) <= {"min", "max"}
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in bounds.values())
            for bounds in constraints.values()
        ):
            raise ConfigError(f"{where}: 'constraints' must map parameter names to {{min = N, max = N}}")
        data_status = table.get("data_status")
        if data_status is not None and data_status not in DATA_STATUSES:
            raise ConfigError(f"{where}: 'data_status' must be one of {', '.join(DATA_STATUSES)}")
        if profile is not None and profile.status == "synthetic":
            data_status = "synthetic"  # an invented district: every number of every report is synthetic
        check = table.get("check", "")
        if not isinstance(check, str) or (check and not CHECK.match(check)):
            raise ConfigError(f"{where}: 'check' must name a function as \"package.module:function\"")
        needs = table.get("needs", [])
        if not isinstance(needs, list) or not all(kind in DATA_KINDS for kind in needs):
            raise ConfigError(f"{where}: 'needs' must list kinds of district data, from: {', '.join(DATA_KINDS)}")
        words = profile.words() if profile else {}
        fan_out = table.get("fan_out", {})
        if not isinstance(fan_out, dict) or (fan_out and not (isinstance(fan_out.get("over"), str) and CHECK.match(fan_out["over"]))):
            raise ConfigError(f"{where}: 'fan_out' must be a table naming the function that lists the districts, "
                              f"e.g. {{ over = \"sro_research.readers.crdc:districts_in_state\", state = \"WI\" }}")
        if not isinstance(fan_out.get("title", ""), str):
            raise ConfigError(f"{where}: fan_out's 'title' (its index page's title) must be text")
        specs[name] = ReportSpec(
            name=name,
            notebook=notebook,
            title=fill_title(str(table.get("title", name)), {**words, **parameters}),
            title_template=str(table.get("title", name)),
            description=str(table.get("description", "")),
            parameters=dict(parameters),
            timeout=timeout,
            env=tuple(env),
            constraints=constraints,
            data_status=data_status,
            check=check,
            needs=tuple(needs),
            district=profile,
            fan_out=dict(fan_out),
        )
    return specs


@dataclass(frozen=True)
class SiteSpec:
    """The [site] table of reports.toml: what every page says about the project itself."""

    project: str = "sro-research"
    contact: str = ""  # a line readers see in every footer, e.g. who to write to about an error
    landing: str = ""  # what the landing page says the reports are, under its heading
    district: str = ""  # the district's name, for the landing page's note on reports not built
    synthetic: bool = False  # an invented example district: every page and list says so


def load_site(path: str | Path | None = None, district: str | None = None) -> SiteSpec:
    """[site] from reports.toml, with the district profile's own [site] (project, landing) over it;
    defaults when neither says anything."""
    profile = load_district(path, district)
    path = config_path(path)
    site = tomllib.loads(path.read_text(encoding="utf-8")).get("site", {}) if path.is_file() else {}
    if not isinstance(site, dict):
        raise ConfigError(f"{path}: [site] must be a table")
    unknown = set(site) - {"project", "contact"}
    if unknown:
        raise ConfigError(f"{path}: [site] takes only 'project' and 'contact', not {', '.join(sorted(unknown))}")
    if profile is None:
        return SiteSpec(project=str(site.get("project", SiteSpec.project)), contact=str(site.get("contact", "")))
    own, words = profile.site, profile.words()
    return SiteSpec(
        project=fill_title(str(own.get("project") or site.get("project", SiteSpec.project)), words),
        contact=fill_title(str(own.get("contact") or site.get("contact", "")), words),
        landing=fill_title(str(own.get("landing", "")), words),
        district=profile.name,
        synthetic=profile.status == "synthetic",
    )


class _KeepMissing(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill_title(template: str, values: dict) -> str:
    """`template` with each `{parameter}` replaced by its value (a name without a value stays as written)."""
    return template.format_map(_KeepMissing({k: v for k, v in values.items() if v is not None}))


def with_values(spec: ReportSpec, values: dict) -> ReportSpec:
    """The report as one run builds it: about the district its values name (a `district` parameter) or its
    own, its title filled from that district's words, the values the run resolved and, for a fan-out's
    report, its district's record (`{district_name}`); a synthetic district makes the report's data synthetic."""
    district = spec.district
    if values.get("district"):  # a notebook's `district` parameter: the report is about that district
        district = load_district(None, str(values["district"]))
    words = district.words() if district else {}
    record = {k: v for k, v in spec.member.items() if k != "of"}
    status = "synthetic" if district is not None and district.status == "synthetic" else spec.data_status
    return replace(spec, title=fill_title(spec.title_template or spec.title, {**words, **spec.parameters, **values, **record}),
                   data_status=status, district=district)
