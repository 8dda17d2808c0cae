"""What a printed figure's wording allows: "almost 30,000", "over 7,000", "30%", "6-in-10".

One place for the rounding and "almost / about / over" rules, so every report reads a qualified
figure the same way. The qualifier is read from the figure as printed (`value_text` in
data/published/); the rules below say which true values that wording covers. Pure: no files.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# How near a qualified round number the true value lies: "almost 30,000" covers 28,500 up to
# (not including) 30,000. One margin for every qualifier, so "almost" and "over" are symmetric.
NEAR = 0.05

# Qualifier (as printed, lower case) -> which side of the printed number the true value lies.
QUALIFIERS = {
    "almost": "below", "nearly": "below", "just under": "below",
    "over": "above", "more than": "above", "just over": "above",
    "at least": "at_least", "no fewer than": "at_least",
    "no more than": "at_most",
    "about": "around", "around": "around", "approximately": "around", "roughly": "around",
    # "as high as 6-in-10" names the figure reached, printed rounded: read as the rounded figure.
    "as high as": "rounded",
}
_IN_TEN = re.compile(r"(\d+)-in-10\b")
_NUMBER = re.compile(r"\$?(\d[\d,]*)(\.\d+)?\s*(%|percent\b)?")


@dataclass(frozen=True)
class StatedRange:
    """The true values a printed figure stands for: low..high, each end included or not."""

    low: float
    high: float
    includes_low: bool = True
    includes_high: bool = False

    def contains(self, number: float) -> bool:
        above = number >= self.low - 1e-9 if self.includes_low else number > self.low + 1e-9
        below = number <= self.high + 1e-9 if self.includes_high else number < self.high - 1e-9
        return above and below

    def overlaps(self, low: float, high: float) -> bool:
        """Whether any value in [low, high] is in the range."""
        return self.contains(low) or self.contains(high) or (low <= self.low and high >= self.high)


def qualifier(text: str) -> str | None:
    """The qualifier a printed figure starts with ("almost", "over", ...), None when plain."""
    words = str(text).strip().lower()
    for phrase in sorted(QUALIFIERS, key=len, reverse=True):
        if words.startswith(phrase + " "):
            return phrase
    return None


def is_qualified(text: str) -> bool:
    """True when the wording makes the figure approximate (not just rounded)."""
    phrase = qualifier(text)
    return phrase is not None and QUALIFIERS[phrase] != "rounded"


def half_unit(text: str) -> float:
    """Half the last printed digit, in the figure's own unit: "30%" -> 0.5, "23.7" -> 0.05;
    "6-in-10" is printed to tenths, so 5 percentage points."""
    text = str(text)
    if _IN_TEN.search(text):
        return 5.0
    match = _NUMBER.search(text)
    decimals = len(match.group(2)) - 1 if match and match.group(2) else 0
    return 0.5 * 10 ** -decimals


def stated_range(value: float, text: str) -> StatedRange:
    """The range of true values the printed `text` (whose number is `value`) allows.

    Plain and rounded figures: value +- half the last printed digit, rounded half up (so 65% is
    not 6-in-10). Qualified ones: NEAR of the printed number on the qualifier's side.
    """
    phrase = qualifier(text)
    side = QUALIFIERS[phrase] if phrase else "rounded"
    if side == "below":
        return StatedRange(value * (1 - NEAR), value, True, False)
    if side == "above":
        return StatedRange(value, value * (1 + NEAR), False, True)
    if side == "at_least":
        return StatedRange(value, math.inf, True, True)
    if side == "at_most":
        return StatedRange(-math.inf, value, True, True)
    if side == "around":
        return StatedRange(value * (1 - NEAR), value * (1 + NEAR), True, True)
    half = half_unit(text)
    return StatedRange(value - half, value + half, True, False)


def fits(number: float, value: float, text: str) -> bool:
    """Whether `number` may be described by the printed `text` (e.g. 6,900 by "almost 7,000")."""
    return stated_range(value, text).contains(number)
