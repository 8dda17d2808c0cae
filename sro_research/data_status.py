"""What a report's numbers are (real, reconstruction, synthetic, published) and the label that says so.

One home for the words, so a table caption, a chart, a CSV, a page title, a printed page and every
list of reports say the same thing. Light on purpose: `sro-research list` and the build import it.
"""

from __future__ import annotations

DATA_STATUSES = {
    "real": "real data",
    "reconstruction": "illustrative reconstruction (synthetic)",
    "synthetic": "synthetic demonstration data",
    "published": "published figures only",
}
# The label a number not from real or published data carries wherever it goes.
STATUS_LABELS = {"reconstruction": "Illustrative reconstruction (synthetic)", "synthetic": "Synthetic demonstration data"}
# What a page or a list says about its data, in full.
STATUS_WORDS = {key: words + (", not real data" if key in STATUS_LABELS else "") for key, words in DATA_STATUSES.items()}
_SAYS_SO = ("synthetic", "reconstruction")  # a text with either word already carries its label


def check_status(status: str | None, what: str = "data status") -> None:
    if status is not None and status not in DATA_STATUSES:
        raise ValueError(f"{what} {status!r} is not one of {', '.join(DATA_STATUSES)}")


def labelled(text: str, status: str | None) -> str:
    """`text` prefixed with the label of `status`, unless the data are real or published or it says so already."""
    label = STATUS_LABELS.get(status or "", "")
    if not label or any(word in text.lower() for word in _SAYS_SO):
        return text
    return f"{label}: {text}"
