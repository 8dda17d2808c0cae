"""The comment review file: every comment scrubbed, what was found in it named by kind (never the
value), and an empty `approve` column for a person to fill with yes or no.

Only comments a person approved are ever shown verbatim in a report on a real export; the review
file is a working file for the district, written where the user chooses, never into the published
output folder. readers/comment_review.py reads a filled one back.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from sro_research.privacy.scrub import replace, scrubber_for

REVIEW_COLUMNS = ("comment_id", "item", "comment", "detected", "possible_name", "approve")
APPROVE_VALUES = ("yes", "no")
COMMENT_ITEMS = ("comment",)  # free-text items; "<item>_other" columns (Other, please specify) too
OUTPUT_MARKERS = ("manifest.json",)  # a folder holding one of these is a built output folder


def comment_id(respondent_id: str, item: str) -> str:
    return f"{respondent_id}:{item}"


def comment_columns(responses: pd.DataFrame) -> list[str]:
    """The free-text columns a person reviews: the comment and any routed "Other" text."""
    return [c for c in responses.columns if c in COMMENT_ITEMS or c.endswith("_other")]


def comment_ids(responses: pd.DataFrame) -> set[str]:
    """Ids of every non-empty comment in `responses`: what a review file for this export may name."""
    return {comment_id(str(r), item) for item in comment_columns(responses)
            for r, text in zip(responses["respondent_id"], responses[item]) if isinstance(text, str) and text.strip()}


def review_table(responses: pd.DataFrame, names) -> pd.DataFrame:
    """One row per non-empty comment: id, item, scrubbed text, kinds found (e.g. "name; phone"),
    possible_name ("yes" when nothing was found but a capitalised word outside the common-word list
    may be a name no rule knew; the word is never quoted), approve ''."""
    scrubber = scrubber_for(names)
    rows = []
    for item in comment_columns(responses):
        for respondent, text in zip(responses["respondent_id"], responses[item]):
            if not isinstance(text, str) or not text.strip():
                continue
            found = scrubber.detect(text)
            rows.append({
                "comment_id": comment_id(str(respondent), item),
                "item": item,
                "comment": replace(text, found),
                "detected": "; ".join(dict.fromkeys(d.kind for d in found)),
                "possible_name": "yes" if not found and scrubber.possible_name(text) else "",
                "approve": "",
            })
    return pd.DataFrame(rows, columns=list(REVIEW_COLUMNS))


def check_destination(out: str | os.PathLike, reports_dir: str | os.PathLike) -> Path:
    """`out` resolved, or ValueError when it lies in the published output: under the project's
    reports/ folder, under any folder named reports, or in a built output folder (one with a manifest)."""
    out = Path(out).expanduser().resolve()
    reports = Path(reports_dir).resolve()
    folders = out.parents
    if reports in folders or any(f.name == "reports" for f in folders) or \
            any((f / marker).exists() for f in folders for marker in OUTPUT_MARKERS):
        raise ValueError(
            f"refusing to write the comment review file to {out}: it holds unreviewed comments and must stay "
            f"out of the published reports folder ({reports}); choose a private folder, e.g. --out ~/review.csv"
        )
    if out.suffix.lower() != ".csv":
        raise ValueError(f"the review file must be a .csv file, got {out.name}")
    return out


def write_review(table: pd.DataFrame, out: Path) -> None:
    """Write the review table as UTF-8 CSV with a BOM, so Excel shows accents right."""
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False, encoding="utf-8-sig")
