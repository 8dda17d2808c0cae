"""Recall and precision of the comment scrubber, per kind, on the labelled synthetic corpus.

    python benchmarks/bench_scrubber.py [CORPUS.jsonl ROSTER.txt]

Recall: share of labelled items (text that must go) wholly covered by what the scrubber removes.
Precision: share of the scrubber's finds that overlap a labelled item; a find in a clean comment
(a date, an amount, a street name) counts against it. tests/test_freetext.py holds the floors.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sro_research.privacy.scrub import scrubber_for  # noqa: E402
from sro_research.readers.word_lists import load_names  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "scrubber" / "corpus.jsonl"
ROSTER = ROOT / "tests" / "fixtures" / "scrubber" / "roster.txt"
LABEL_KINDS = ("email", "phone", "id", "name", "titled_name")


def evaluate(corpus: Path = CORPUS, roster: Path = ROSTER) -> dict:
    """{'recall': {kind: (found, labelled)}, 'precision': {kind: (right, finds)}, 'missed': [...],
    'false_finds': [...], 'comments': n, 'clean_unchanged': (unchanged, clean)}."""
    scrubber = scrubber_for(load_names(roster))
    found, labelled, right, finds = Counter(), Counter(), Counter(), Counter()
    missed, false_finds, clean, unchanged, comments = [], [], 0, 0, 0
    for line in corpus.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        comments += 1
        text, labels = record["text"], record["labels"]
        detections = scrubber.detect(text)
        removed = set()
        for d in detections:
            removed.update(range(d.start, d.end))
        for label in labels:
            labelled[label["kind"]] += 1
            if set(range(label["start"], label["end"])) <= removed:
                found[label["kind"]] += 1
            else:
                missed.append((record["id"], label["kind"], text[label["start"]:label["end"]]))
        for d in detections:
            finds[d.kind] += 1
            if any(d.start < label["end"] and label["start"] < d.end for label in labels):
                right[d.kind] += 1
            else:
                false_finds.append((record["id"], d.rule, text[d.start:d.end]))
        if not labels:
            clean += 1
            unchanged += not detections
    return {
        "recall": {k: (found[k], labelled[k]) for k in LABEL_KINDS},
        "precision": {k: (right[k], finds[k]) for k in sorted(finds)},
        "missed": missed, "false_finds": false_finds, "comments": comments, "clean_unchanged": (unchanged, clean),
    }


def _share(part: int, whole: int) -> str:
    return f"{part / whole:7.2%} ({part}/{whole})" if whole else "    n/a"


def main(argv: list[str]) -> int:
    result = evaluate(*(Path(a) for a in argv[:2])) if len(argv) >= 2 else evaluate()
    print(f"{result['comments']} comments (synthetic)")
    print("recall (labelled items wholly removed)")
    for kind, (hit, total) in result["recall"].items():
        print(f"  {kind:12s} {_share(hit, total)}")
    total_hit = sum(h for h, _ in result["recall"].values())
    total = sum(t for _, t in result["recall"].values())
    print(f"  {'overall':12s} {_share(total_hit, total)}")
    print("precision (finds that were personal information)")
    for kind, (hit, total) in result["precision"].items():
        print(f"  {kind:12s} {_share(hit, total)}")
    right = sum(h for h, _ in result["precision"].values())
    print(f"  {'overall':12s} {_share(right, sum(t for _, t in result['precision'].values()))}")
    print(f"clean comments left unchanged: {_share(*result['clean_unchanged'])}")
    for what, rows in (("missed", result["missed"]), ("false finds", result["false_finds"])):
        for row in rows:
            print(f"  {what}: {row}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
