"""Reading a filled comment review file (written by `sro-research comments`) against the export being
reported: the approvals whose comment id and text fingerprint still match a comment of this export.

A review file written for another export, or for an earlier version of this one (a re-export, rows
moved, a comment scrubbed differently), is refused as a whole, saying how many approvals no longer
match: an approval never carries over to a text nobody read. Problems are named by file, row, column
and rule, never by quoting a cell, because these messages can travel into build files.
"""

from __future__ import annotations

import os
from pathlib import Path

from sro_research.privacy.review import APPROVE_VALUES, REVIEW_COLUMNS, Approvals, export_comments
from sro_research.provenance import record_input
from sro_research.readers.engagement import EngagementDataError, Survey
from sro_research.readers.text_files import read_csv_table

REQUIRED_COLUMNS = ("comment_id", "fingerprint", "export_sha256", "approve")


class ReviewFileError(EngagementDataError):
    """A review file that cannot be read as approvals, or that no longer matches the export."""


def load_approved(path: str | os.PathLike, survey: Survey, names) -> Approvals:
    """The approvals (approve = yes; case and spaces ignored; blank = not yet reviewed) of a review
    file made from `survey`'s export, whose comments are scrubbed with `names` as the report scrubs them."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"comment review file (approved_comments_path) not found: {path}")
    record_input(path, role="comment review (approved comment ids)")
    table = read_csv_table(path, dtype=str, error=ReviewFileError)
    table.columns = [str(c).strip() for c in table.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        raise ReviewFileError([f"{path}: column(s) {', '.join(missing)} missing; a review file has the columns "
                               f"{', '.join(REVIEW_COLUMNS)} (write one with `sro-research comments`; a file from "
                               f"an older version must be written and reviewed again)"])
    table = table.fillna("")
    problems = []
    seen: dict[str, int] = {}
    approved: dict[str, str] = {}
    other_export = 0
    for position, (cid, fingerprint, export, answer) in enumerate(
            zip(*(table[c] for c in REQUIRED_COLUMNS))):
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
        other_export += export.strip().casefold() != survey.sha256.casefold()
        if answer == "yes":
            approved[cid] = fingerprint.strip()
    if problems:
        raise ReviewFileError(problems)
    current = export_comments(survey.responses, names, survey.comment_key)
    current = dict(zip(current["comment_id"], current["fingerprint"]))
    stale = sum(current.get(cid) != fingerprint for cid, fingerprint in approved.items())
    if stale or other_export:
        why = (f"{other_export:,} of its {len(table):,} rows were written for another export (their export_sha256 "
               f"is not this export's SHA-256)" if other_export else "rows moved or comments read differently")
        raise ReviewFileError([
            f"{path}: {stale:,} of {len(approved):,} approvals no longer match a comment of this export (the same "
            f"comment id and the same scrubbed text); {why}. Nothing is shown from it: run `sro-research comments` "
            f"on this export (with the same names list as the report) and review again"])
    return Approvals(key=survey.comment_key, fingerprints=approved)
