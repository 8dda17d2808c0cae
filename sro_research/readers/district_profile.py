"""The district profile a notebook reports on (`districts/<slug>.toml`), with the file's checksum recorded.

`sro_research.district` finds and validates the profile (the build reads it too); a notebook loads it
here, in its load-inputs cell, so the page's inputs list the profile like any other file it read.
"""

from __future__ import annotations

from sro_research import district
from sro_research.provenance import record_input


def load_profile(setting: str | None = None) -> district.DistrictProfile:
    """The district profile `setting` names (a slug in districts/ or a path), else the chosen one
    ($SRO_DISTRICT, which the build sets, else reports.toml's `district`)."""
    profile = district.load_profile(setting)
    record_input(profile.path, role="district profile")
    return profile
