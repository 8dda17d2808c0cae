"""The comment review file: every comment scrubbed, what was found in it named by kind (never the
value), and an empty `approve` column for a person to fill with yes or no.

Only comments a person approved are ever shown verbatim in a report on a real export. An approval is
bound to the text the person read: each row carries the comment's id, a fingerprint of its scrubbed
text and the SHA-256 of the export it came from, and a report shows a comment only when its id and
fingerprint both match an approval. Ids and fingerprints are HMAC-SHA256 under a key derived from the
export's own bytes (readers/engagement_export.comment_key): opaque, never a raw email or student
number, and not reversible by hashing guesses without the export itself.

No file I/O here: the command line writes the table (cli.py), readers/comment_review.py reads a
filled one back.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

import pandas as pd

from sro_research.privacy.scrub import replace, scrubber_for

REVIEW_COLUMNS = ("comment_id", "item", "comment", "detected", "possible_name", "fingerprint", "export_sha256",
                  "approve")
APPROVE_VALUES = ("yes", "no")
COMMENT_ITEMS = ("comment",)  # free-text items; "<item>_other" columns (Other, please specify) too
HASH_CHARS = 20  # hex characters kept of an HMAC: 80 bits, no collision among a survey's comments


def _keyed(key: bytes, *parts: str) -> str:
    return hmac.new(key, "\x1f".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()[:HASH_CHARS]


def comment_id(key: bytes, respondent_id, item: str) -> str:
    """The opaque id of one respondent's comment in `item`."""
    return _keyed(key, "id", str(respondent_id), item)


def text_fingerprint(key: bytes, item: str, scrubbed: str) -> str:
    """What binds an approval to the text a person read: the scrubbed text, and its item."""
    return _keyed(key, "text", item, scrubbed)


def comment_columns(responses: pd.DataFrame) -> list[str]:
    """The free-text columns a person reviews: the comment and any routed "Other" text."""
    return [c for c in responses.columns if c in COMMENT_ITEMS or c.endswith("_other")]


def export_comments(responses: pd.DataFrame, names, key: bytes) -> pd.DataFrame:
    """One row per non-empty comment: comment_id, item, scrubbed comment, kinds detected (e.g. "name; phone"),
    possible_name ("yes" when nothing was found but a capitalised word outside the common-word list may be
    a name no rule knew; the word is never quoted) and fingerprint; the index is the respondent's row."""
    scrubber = scrubber_for(names)
    rows, index = [], []
    for item in comment_columns(responses):
        for row, respondent, text in zip(responses.index, responses["respondent_id"], responses[item]):
            if not isinstance(text, str) or not text.strip():
                continue
            found = scrubber.detect(text)
            scrubbed = replace(text, found)
            rows.append({"comment_id": comment_id(key, respondent, item), "item": item, "comment": scrubbed,
                         "detected": "; ".join(dict.fromkeys(d.kind for d in found)),
                         "possible_name": "yes" if not found and scrubber.possible_name(text) else "",
                         "fingerprint": text_fingerprint(key, item, scrubbed)})
            index.append(row)
    return pd.DataFrame(rows, index=index, columns=[c for c in REVIEW_COLUMNS if c not in ("export_sha256", "approve")])


def review_table(responses: pd.DataFrame, names, key: bytes, export_sha256: str) -> pd.DataFrame:
    """The review file's rows: every comment of the export, scrubbed, with `approve` empty."""
    table = export_comments(responses, names, key).reset_index(drop=True)
    table["export_sha256"] = export_sha256
    table["approve"] = ""
    return table[list(REVIEW_COLUMNS)]


@dataclass(frozen=True)
class Approvals:
    """The comments a person approved, each bound to the fingerprint of the text they read."""

    key: bytes = field(repr=False)
    fingerprints: dict[str, str]  # comment id -> fingerprint of the approved text

    def shows(self, respondent_id, item: str, scrubbed: str) -> bool:
        """Whether this scrubbed text of this respondent's `item` is exactly what a person approved."""
        approved = self.fingerprints.get(comment_id(self.key, respondent_id, item))
        return approved is not None and hmac.compare_digest(approved, text_fingerprint(self.key, item, scrubbed))

    def __len__(self) -> int:
        return len(self.fingerprints)
