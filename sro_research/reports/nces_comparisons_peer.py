"""The nces_comparisons report's words for its peer group, made from the peer-group parameters.

Every sentence, caption and chart description that names the peer group, the schools it is tested
against or the years of the run takes its words from here, so a researcher who changes a parameter
never publishes a sentence that still describes the default.
"""

from __future__ import annotations

from sro_research.analysis import ssocs_differences, ssocs_estimates
from sro_research.district import DistrictProfile
from sro_research.readers import ssocs

LEVEL_WORDS = {"Primary": "primary schools", "Middle": "middle schools", "High school": "high schools",
               "Combined": "combined schools", "High school/combined": "high and combined schools"}
LOCALE_WORDS = {"City": "in cities", "Suburb": "in suburbs", "Urban fringe": "on the urban fringe", "Town": "in towns",
                "Rural": "in rural areas"}
SIZE_WORDS = {"Less than 300": "fewer than 300", "300 to 499": "300 to 499", "500 to 999": "500 to 999",
              "1,000 or more": "1,000 or more"}
MINORITY_WORDS = "at least half of them from minority groups where the year records it"


def _listed(value, words: dict) -> str:
    values = [value] if isinstance(value, str) else list(value)
    named = [words.get(v, v) for v in values]
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " or " + named[-1]


def chosen_peer(district: DistrictProfile, **given) -> dict | None:
    """The peer group a run compares with: the district profile's [peer_group], with each parameter the run
    was given (not None) over it; None (the default peer group) when neither says anything."""
    return {**district.peer_group, **{key: value for key, value in given.items() if value is not None}} or None


def _peer(peer: dict | None) -> dict:
    return dict(ssocs_estimates.DEFAULT_PEER if peer is None else peer)


def level_words(peer: dict | None) -> str:
    """'high schools', or 'schools' when the peer group names no level."""
    level = _peer(peer).get("level")
    return _listed(level, LEVEL_WORDS) if level else "schools"


def locale_words(peer: dict | None) -> str:
    locale = _peer(peer).get("locale")
    return _listed(locale, LOCALE_WORDS) if locale else ""


def size_words(peer: dict | None) -> str:
    size = _peer(peer).get("enrollment_size")
    return f"with {_listed(size, SIZE_WORDS)} students" if size else ""


def minority_words(peer: dict | None) -> str:
    return MINORITY_WORDS if _peer(peer).get("high_minority") else ""


def peer_description(peer: dict | None) -> str:
    """The peer group in plain words: 'high schools in cities with 1,000 or more students, at least
    half of them from minority groups where the year records it'."""
    size, minority = size_words(peer), minority_words(peer)
    if minority:
        size = f"{size}, {minority}" if size else f"with {minority.replace('of them', 'of their students')}"
    return " ".join(part for part in (level_words(peer), locale_words(peer), size) if part)


def comparison_words(peer: dict | None) -> str:
    """The schools the peer group is tested against: 'all U.S. public high schools'."""
    variable, value = ssocs_differences.peer_comparison_domain(peer)
    return "all U.S. public schools" if variable == "all" else f"all U.S. public {LEVEL_WORDS.get(value, value)}"


def comparison_rows(estimates, peer: dict | None):
    """The estimate rows of the schools the peer group is tested against."""
    variable, value = ssocs_differences.peer_comparison_domain(peer)
    return estimates[(estimates["domain_variable"] == variable) & (estimates["domain_value"] == value)]


def year_span(years) -> str:
    """'2005-06 to 2019-20': the first and last of `years` (None: every SSOCS year)."""
    years = ssocs.check_years(years)  # in survey order
    return years[0] if len(years) == 1 else f"{years[0]} to {years[-1]}"


def peer_intro(peer: dict | None) -> str:
    """The sentence that opens the peer comparison."""
    return (f"The peer group here is U.S. public **{peer_description(peer)}**, tested against "
            f"{comparison_words(peer)}.")


def peer_caption(peer: dict | None) -> str:
    return f"The peer group ({peer_description(peer)}) against {comparison_words(peer)}"


def peer_figure_alt(peer: dict | None, district: DistrictProfile) -> str:
    return (f"Chart: percent of U.S. public {peer_description(peer)} (the peer group), and of {comparison_words(peer)}, "
            f"with sworn law enforcement or an SRO, by year, with 95% confidence intervals, beside {district.state_name}'s "
            f"published figures and a dashed line at {district.possessive} 100%. The numbers are in the table below.")
