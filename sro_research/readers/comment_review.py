"""Reading a filled comment review file (written by `sro-research comments`): the comment ids a
person approved for verbatim display. Problems are named by file, row, column and rule, never by
quoting a cell, because these messages can travel into build files."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from sro_research.privacy.review import APPROVE_VALUES, REVIEW_COLUMNS
from sro_research.provenance import record_input
from sro_research.readers.engagement import EngagementDataError

REQUIRED_COLUMNS = ("comment_id", "approve")


class ReviewFileError(EngagementDataError):
    """A review file that cannot be read as approvals."""


def load_approved(path: str | os.PathLike, known_ids=None) -> frozenset[str]:
    """Comment ids marked `yes` in the approve column (case and spaces ignored; blank = not yet
    reviewed, not shown). With `known_ids` (the ids of the export being reported), an id not among
    them is an error: the review file belongs to another export."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"comment review file (approved_comments_path) not found: {path}")
    record_input(path, role="comment review (approved comment ids)")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise ReviewFileError([f"{path}: not a readable CSV review file ({type(error).__name__})"]) from None
    table.columns = [str(c).strip() for c in table.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        raise ReviewFileError([f"{path}: column(s) {', '.join(missing)} missing; a review file has the columns "
                               f"{', '.join(REVIEW_COLUMNS)} (write one with `sro-research comments`)"])
    problems = []
    known = None if known_ids is None else {str(i) for i in known_ids}
    approved = set()
    seen: dict[str, int] = {}
    for position, (cid, answer) in enumerate(zip(table["comment_id"], table["approve"])):
        row = position + 2  # the header is row 1
        cid, answer = cid.strip(), answer.strip().casefold()
        if answer not in (*APPROVE_VALUES, ""):
            problems.append(f"{path}: row {row}, column approve: must be yes, no or blank")
        if not cid:
            problems.append(f"{path}: row {row}, column comment_id: empty")
            continue
        if cid in seen:
            problems.append(f"{path}: row {row}, column comment_id: repeats row {seen[cid]}")
        seen.setdefault(cid, row)
        if known is not None and cid not in known:
            problems.append(f"{path}: row {row}, column comment_id: not a comment of this export "
                            f"(was the review file written for another export?)")
        elif answer == "yes":
            approved.add(cid)
    if problems:
        raise ReviewFileError(problems)
    return frozenset(approved)
