"""Recall and precision of the comment scrubber, per kind, on the two labelled synthetic corpora.

    python benchmarks/bench_scrubber.py [--presidio] [--list]

corpus.jsonl (make_corpus.py) is the corpus the rules were tuned on. Each holdout measured the rules
once, before what it found missing was fixed: holdout.jsonl (make_holdout.py, written before the rules
that generalise) and holdout2.jsonl (make_holdout2.py) are tuning material now; holdout3.jsonl
(make_holdout3.py, written before the fixes holdout2 led to) is never used to tune: it is the measure.
Recall: share of labelled items (text that must go) wholly covered by what the scrubber removes.
Precision: share of the scrubber's finds that overlap a labelled item; a find in a clean comment
(a date, an amount, a room number) counts against it. tests/test_scrub.py holds the floors.
--presidio also measures presidio-analyzer's pattern recognizers on the kinds they cover (when
installed); --list prints the misses and false finds (synthetic text only).
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

FIXTURES = ROOT / "tests" / "fixtures" / "scrubber"
CORPUS, ROSTER = FIXTURES / "corpus.jsonl", FIXTURES / "roster.txt"
HOLDOUT, HOLDOUT_ROSTER = FIXTURES / "holdout3.jsonl", FIXTURES / "holdout3_roster.txt"
CORPORA = {
    "tuning corpus (corpus.jsonl)": (CORPUS, ROSTER),
    "first holdout, measured once, then tuned on (holdout.jsonl)": (FIXTURES / "holdout.jsonl",
                                                                     FIXTURES / "holdout_roster.txt"),
    "second holdout, measured once, then tuned on (holdout2.jsonl)": (FIXTURES / "holdout2.jsonl",
                                                                      FIXTURES / "holdout2_roster.txt"),
    "holdout, never tuned on (holdout3.jsonl)": (HOLDOUT, HOLDOUT_ROSTER),
}
# Labelled kinds, grouped as the floors are: structured items and names.
STRUCTURED = ("email", "email_obfuscated", "phone", "url", "ipv4", "ipv6", "handle", "id", "student_id",
              "state_id", "address", "date_of_birth")
NAMES = ("name", "roster_name", "titled_name", "kin_name", "self_name", "signoff_name")


def _records(corpus: Path) -> list[dict]:
    return [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]


def evaluate(corpus: Path = CORPUS, roster: Path = ROSTER, detect=None) -> dict:
    """{'recall': {kind: (found, labelled)}, 'precision': {kind: (right, finds)}, 'groups':
    {'structured'|'names': (found, labelled)}, 'missed': [...], 'false_finds': [...], 'comments': n,
    'clean_unchanged': (unchanged, clean)}. `detect` (text -> detections) defaults to the scrubber."""
    detect = detect or scrubber_for(load_names(roster)).detect
    found, labelled, right, finds = Counter(), Counter(), Counter(), Counter()
    missed, false_finds, clean, unchanged = [], [], 0, 0
    records = _records(corpus)
    for record in records:
        text, labels = record["text"], record["labels"]
        detections = detect(text)
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
    groups = {group: (sum(found[k] for k in kinds), sum(labelled[k] for k in kinds))
              for group, kinds in (("structured", STRUCTURED), ("names", NAMES))}
    return {
        "recall": {k: (found[k], labelled[k]) for k in sorted(labelled, key=_kind_order)},
        "precision": {k: (right[k], finds[k]) for k in sorted(finds)},
        "groups": groups, "missed": missed, "false_finds": false_finds, "comments": len(records),
        "clean_unchanged": (unchanged, clean),
    }


def _kind_order(kind: str) -> int:
    order = STRUCTURED + NAMES
    return order.index(kind) if kind in order else len(order)


def presidio_detect():
    """presidio-analyzer's pattern recognizers (email, URL, IP, US phone, US SSN) as a detect
    function, for comparison; None when presidio-analyzer is not installed."""
    try:
        from presidio_analyzer.predefined_recognizers import (
            EmailRecognizer, IpRecognizer, PhoneRecognizer, UrlRecognizer, UsSsnRecognizer)
    except ImportError:
        return None
    from sro_research.privacy.scrub import Detection
    kinds = {EmailRecognizer: "email", UrlRecognizer: "url", IpRecognizer: "ip", PhoneRecognizer: "phone",
             UsSsnRecognizer: "id"}
    recognizers = [(recognizer(), kind) for recognizer, kind in kinds.items()]

    def detect(text):
        return [Detection(kind, type(r).__name__, x.start, x.end) for r, kind in recognizers
                for x in r.analyze(text, r.supported_entities)]
    return detect


def _share(part: int, whole: int) -> str:
    return f"{part / whole:7.2%} ({part}/{whole})" if whole else "    n/a"


def report(title: str, result: dict, listing: bool) -> None:
    print(f"== {title}: {result['comments']} comments (synthetic)")
    print("recall (labelled items wholly removed)")
    for kind, (hit, total) in result["recall"].items():
        print(f"  {kind:18s} {_share(hit, total)}")
    for group, (hit, total) in result["groups"].items():
        print(f"  {'all ' + group:18s} {_share(hit, total)}")
    print("precision (finds that were personal information)")
    for kind, (hit, total) in result["precision"].items():
        print(f"  {kind:18s} {_share(hit, total)}")
    right = sum(h for h, _ in result["precision"].values())
    print(f"  {'overall':18s} {_share(right, sum(t for _, t in result['precision'].values()))}")
    print(f"clean comments left unchanged: {_share(*result['clean_unchanged'])}")
    if listing:
        for what, rows in (("missed", result["missed"]), ("false find", result["false_finds"])):
            for row in rows:
                print(f"  {what}: {row}")


def main(argv: list[str]) -> int:
    listing = "--list" in argv
    for title, (corpus, roster) in CORPORA.items():
        report(title, evaluate(corpus, roster), listing)
    if "--presidio" in argv:
        detect = presidio_detect()
        if detect is None:
            print("presidio-analyzer is not installed: pip install presidio-analyzer")
            return 1
        for title, (corpus, roster) in CORPORA.items():
            report(f"presidio-analyzer pattern recognizers, {title}", evaluate(corpus, roster, detect), listing)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
