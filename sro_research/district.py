"""The district a build is about: one profile file (`districts/<slug>.toml`), chosen by one setting.

Every title, sentence, label, glossary entry and landing text that names a district reads it; no
district's name, id or wording lives in code. The setting, strongest first: `--district` on the
command line (the build sets $SRO_DISTRICT for its kernels), `$SRO_DISTRICT`, `district = "..."` at
the top of reports.toml. A value is a slug (`example` -> `districts/example.toml`) or a path
to a profile file anywhere.

Shared base, like `paths`: the build (titles, site text, which reports a profile can make) and the
notebooks (through `readers`) read the same profile, so this module imports no layer.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sro_research.paths import MARKER, project_root

DISTRICT_ENV = "SRO_DISTRICT"
DISTRICTS_DIR = "districts"
SLUG = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
LEAID = re.compile(r"^\d{7}$")  # NCES LEA ids: 2-digit state FIPS code + 5 digits, kept as text
STATUSES = ("real", "synthetic")  # is the district itself real, or an invented example
# What a profile's folders may hold; a report declares which of these it needs (`needs` in reports.toml).
DATA_KINDS = ("published", "claims", "engagement", "annual_review", "crdc")


class ProfileError(ValueError):
    """A district profile is missing, malformed or points at a folder that does not exist."""


@dataclass(frozen=True)
class DistrictProfile:
    slug: str
    name: str  # "Example Valley School District"
    short_name: str  # "Example Valley": used in short labels and sentences
    leaid: str  # NCES LEA id as text (leading zeros kept)
    state: str  # two-letter postal code as CRDC's LEA_STATE writes it
    state_name: str
    county: str = ""
    prosecutor: str = ""  # the office school-crime referrals go to, e.g. "Example County District Attorney"
    status: str = "real"  # "synthetic" for an invented example district: every page says so
    # Project-relative (or absolute) folders/files of this district's data, by kind (DATA_KINDS);
    # a kind left out is data the district does not have, and the reports needing it are not built.
    folders: dict[str, str] = field(default_factory=dict)
    figures: dict[str, object] = field(default_factory=dict)  # role -> figure id(s) in its published data
    peer_group: dict[str, object] = field(default_factory=dict)  # SSOCS peer group: schools like its own
    peer_label: str = ""  # "Schools like Example Valley's high schools"
    id_lengths: tuple[int, int] = (6, 9)  # fewest and most digits of a student id (the comment scrubber)
    other_id_lengths: tuple[int, ...] = (13,)
    site: dict[str, str] = field(default_factory=dict)  # project, landing, contact
    glossary: dict[str, str] = field(default_factory=dict)  # term -> this district's own definition
    path: Path | None = None
    root: Path | None = None  # the project its relative folders are in (default: the project root)

    @property
    def possessive(self) -> str:
        return self.short_name + ("'" if self.short_name.endswith("s") else "'s")

    def folder(self, kind: str) -> Path | None:
        """The district's folder (or file) of one kind of data, resolved; None when it has none."""
        if kind not in DATA_KINDS:
            raise KeyError(f"unknown kind of district data {kind!r}; one of: {', '.join(DATA_KINDS)}")
        value = self.folders.get(kind)
        if not value:
            return None
        path = Path(value)
        return path if path.is_absolute() else (self.root or project_root()) / path

    def has(self, kind: str) -> bool:
        return self.folder(kind) is not None

    def data_status(self, status: str) -> str:
        """A report's data status for this district: an invented (synthetic) district makes every number synthetic."""
        return "synthetic" if self.status == "synthetic" else status

    def words(self) -> dict[str, str]:
        """The values titles and sentences may name in braces: `{district_name}`, `{district_short}` ..."""
        return {"district_name": self.name, "district_short": self.short_name, "district_possessive": self.possessive,
                "state_name": self.state_name, "state": self.state, "county": self.county,
                "prosecutor": self.prosecutor, "leaid": self.leaid}


def configured(config: str | os.PathLike | None = None) -> str | None:
    """reports.toml's own `district` (the project's district), whatever $SRO_DISTRICT says; None if unset."""
    path = Path(config) if config else project_root() / MARKER
    if path.is_file():
        value = tomllib.loads(path.read_text(encoding="utf-8")).get("district")
        if value:
            return str(value)
    return None


def chosen(setting: str | None = None, config: str | os.PathLike | None = None) -> str:
    """The district setting in force: the argument, else $SRO_DISTRICT, else reports.toml's `district`."""
    if setting:
        return str(setting)
    if os.environ.get(DISTRICT_ENV):
        return os.environ[DISTRICT_ENV]
    value = configured(config)
    if value:
        return value
    raise ProfileError(f"no district chosen: set `district = \"<slug>\"` in {MARKER}, ${DISTRICT_ENV} or --district")


def profile_path(setting: str, root: Path | None = None) -> Path:
    """`districts/<slug>.toml` of the project (`root`, default the project root) for a slug; a path as
    given (relative to the caller's folder)."""
    if SLUG.match(setting):
        return (root or project_root()) / DISTRICTS_DIR / f"{setting}.toml"
    return Path(setting).expanduser().resolve()


def load_profile(setting: str | None = None, config: str | os.PathLike | None = None) -> DistrictProfile:
    """The chosen district's profile, validated: every problem named with the file and key. A slug is
    looked up in the districts/ folder beside `config` (reports.toml), default the project's."""
    root = Path(config).resolve().parent if config else project_root()
    path = profile_path(chosen(setting, config), root)
    if not path.is_file():
        known = sorted(p.stem for p in (root / DISTRICTS_DIR).glob("*.toml"))
        raise ProfileError(f"{path}: no such district profile; shipped profiles: {', '.join(known) or 'none'}")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from exc
    problems = []
    for key in ("name", "short_name", "leaid", "state", "state_name"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            problems.append(f"'{key}' is required (text)")
    if isinstance(raw.get("leaid"), str) and not LEAID.match(raw["leaid"]):
        problems.append(f"'leaid' must be the 7-digit NCES LEA id as text, e.g. \"0100005\", not {raw['leaid']!r}")
    if raw.get("status", "real") not in STATUSES:
        problems.append(f"'status' must be one of {', '.join(STATUSES)}")
    folders = raw.get("folders", {})
    for kind in set(folders) - set(DATA_KINDS):
        problems.append(f"[folders] {kind}: unknown kind; one of {', '.join(DATA_KINDS)}")
    ids = raw.get("ids", {})
    lengths = ids.get("student_id_lengths", [6, 9])
    if not (isinstance(lengths, list) and len(lengths) == 2 and all(isinstance(n, int) and n > 0 for n in lengths)):
        problems.append("[ids] student_id_lengths must be [fewest, most] digits, e.g. [6, 9]")
    if problems:
        raise ProfileError(f"{path}: " + "; ".join(problems))
    slug = path.stem
    profile = DistrictProfile(
        slug=slug, name=raw["name"], short_name=raw["short_name"], leaid=raw["leaid"], state=raw["state"],
        state_name=raw["state_name"], county=raw.get("county", ""), prosecutor=raw.get("prosecutor", ""),
        status=raw.get("status", "real"), folders={k: str(v) for k, v in folders.items() if v},
        figures=dict(raw.get("figures", {})), peer_group=dict(raw.get("peer_group", {})),
        peer_label=raw.get("peer_label", ""), id_lengths=(lengths[0], lengths[1]),
        other_id_lengths=tuple(ids.get("other_id_lengths", [13])), site=dict(raw.get("site", {})),
        glossary=dict(raw.get("glossary", {})), path=path, root=root,
    )
    missing = [f"[folders] {kind} = {profile.folders[kind]!r}" for kind in profile.folders
               if not profile.folder(kind).exists()]
    if missing:
        raise ProfileError(f"{path}: no such folder or file: " + "; ".join(missing))
    return profile
