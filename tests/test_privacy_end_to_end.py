"""End to end through the command line: SYNTHETIC Google-Forms, Qualtrics and SurveyMonkey exports
with personal information planted everywhere a district's export carries it (comments, "Other (please
specify)" answers, free-text questions, metadata columns, an email used as the respondent id), built
without a review file, with a careful review, with a stale review after a re-export, with a review that
approved every comment, and with a wrong header_rows. No planted string, in any case or spacing, may
appear in any file under the output folder, whether the build succeeds or fails.
"""

from __future__ import annotations

import csv
import html
import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from planted_exports import (
    AGREE, FIRST, LAST, OTHER, RACES, REASONS, ROLES, SCENARIO, TIME, TITLED, TITLES, VALUES, respondents, roster,
    write_qualtrics, write_surveymonkey,
)

ROOT = Path(__file__).resolve().parents[1]
SEED = 9

# Planted items, at least 25 of each kind. All made up (names shared with the Qualtrics and
# SurveyMonkey exports of planted_exports).
HEADERS = ["Timestamp", "Email Address", "IP Address", "Contact email (optional)", "I am a", "Race/Ethnicity",
           "SROs should work in my school", "I want SROs to spend ___ time in my school",
           "Which scenario do you prefer?", "Why? (select all that apply)", "Comments"]
MAPPING = """columns:
  respondent_id: Email Address
  role: I am a
  race_ethnicity: Race/Ethnicity
  sro_agree: SROs should work in my school
  sro_time: I want SROs to spend ___ time in my school
  scenario: Which scenario do you prefer?
  reasons: Why? (select all that apply)
  comment: Comments
  site: ""
""" + VALUES + """  reasons: {For general safety: general_safety, They build relationships with students: relationships,
            They are intimidating to students: intimidating}
separators:
  reasons: ", "
""" + OTHER


def _planted(rng: random.Random) -> dict[str, list[str]]:
    """Per kind, the strings planted; every one must stay out of the output."""
    people = [f"{f} {l}" for f, l in zip(FIRST, LAST)]
    users = [f"{f.lower().split()[0]}.{l.lower().replace(chr(39), '')}{i}" for i, (f, l) in enumerate(zip(FIRST, LAST))]
    emails = [f"{u}@gmail.com" if i % 3 == 0 else f"{u} at yahoo dot com" if i % 3 == 1 else f"{u} [at] hotmail [dot] com"
              for i, u in enumerate(users)]
    phones = [f"612-555-{i:04d}" if i % 4 == 0 else f"555-{i + 100:04d}" if i % 4 == 1 else f"(651) 555 {i + 200:04d}"
              if i % 4 == 2 else f"555{i + 300:04d}" for i in range(26)]
    ids = [str(rng.randrange(10 ** 8, 10 ** 9)) for _ in range(26)]
    return {"name": people, "titled": [f"{TITLES[i % len(TITLES)]} {t}" for i, t in enumerate(TITLED)],
            "email": emails, "phone": phones, "id": ids}


def _write_inputs(folder: Path) -> tuple[Path, Path, Path, list[str]]:
    """The export, mapping and roster; and every planted string (values that must never be published)."""
    rng = random.Random(SEED)
    planted = _planted(rng)
    secrets: list[str] = []
    rows = []
    n = 400
    for i in range(n):
        respondent_email = f"respondent.{i:03d}.{rng.choice(LAST).lower().replace(chr(39), '')}@example.org"
        contact = respondent_email.replace("respondent", "contact")
        ip = f"10.{i % 200}.{rng.randrange(256)}.{rng.randrange(256)}"
        secrets += [respondent_email, contact, ip]
        race = RACES[i % len(RACES)]
        comment = ""
        k = i % 16
        if k < 5 and i // 16 < 26:  # comments carrying each kind
            j = i // 16
            kind = ["name", "titled", "email", "phone", "id"][k]
            value = planted[kind][j]
            template = ["my son {} was stopped", "{} was rude to us", "write to {} please",
                        "call me at {} anytime", "his student id {} was on a ticket"][k]
            if kind == "name" and j % 3 == 0:
                value = value.lower()
            comment = template.format(value)
            secrets.append(value)
        elif k == 5 and i // 16 < 26:  # "Other (please specify)" carrying a name and a phone number
            j = i // 16
            race = f"my son {planted['name'][j]} ({planted['phone'][j]}) was searched"
            secrets += [planted["name"][j], planted["phone"][j]]
        elif k in (6, 7):
            comment = rng.choice(["I feel safer with an officer.", "Police make students afraid.",
                                  "We need counselors, not police.", "The meeting on 10/12/2017 at 6:30 pm was short."])
        rows.append([f"2017/05/{1 + i % 28:02d} 10:{i % 60:02d}:00", respondent_email, ip, contact,
                     ROLES[i % 4 if i % 9 else 0], race, AGREE[i % 4], TIME[i % 3], SCENARIO[i % 3],
                     ", ".join(REASONS[: 1 + i % 3]), comment])
    export = folder / "google_forms_export.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADERS, *rows])
    mapping = folder / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    roster = folder / "roster.txt"
    roster.write_text("\n".join(planted["name"]) + "\n", encoding="utf-8")
    # Parts of names are secrets too (a surname alone identifies); only parts of 4 letters or more,
    # shorter ones ("Tou", "Lor") also occur inside ordinary words.
    for name in planted["name"]:
        secrets += [part for part in name.split() if len(part) >= 4]
    secrets += [t.split(" ", 1)[1] for t in planted["titled"]]
    return export, mapping, roster, sorted(set(secrets))


def _squash(text: str) -> str:
    return "".join(text.casefold().split())


def _views(path: Path) -> list[str]:
    """A file's text as a reader could see it: raw, HTML entities decoded, JSON strings decoded."""
    raw = path.read_bytes().decode("utf-8", errors="replace")
    views = [raw, html.unescape(raw)]
    if path.suffix in (".json", ".ipynb"):
        try:
            views.append(json.dumps(json.loads(raw), ensure_ascii=False))
        except ValueError:
            pass
    return [v.replace("\\n", " ") for v in views]


def _leaks(out: Path, secrets: list[str]) -> list[str]:
    """Planted strings found in any file: a value of several words or with punctuation in any case
    or spacing; a single name as a whole word in any case (so "Amina" is not found in "examination")."""
    words = [s for s in secrets if re.fullmatch(r"[^\W\d_]+", s)]
    whole = re.compile(r"(?<![^\W\d_])(?:" + "|".join(re.escape(w.casefold()) for w in words) + r")(?![^\W\d_])")
    by_fold: dict[str, set[str]] = {}
    for w in words:
        by_fold.setdefault(w.casefold(), set()).add(w)
    found = []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        views = _views(path)
        squashed = "\n".join(_squash(v) for v in views)
        folded = "\n".join(v.casefold() for v in views)
        hits = {s for s in secrets if s not in words and _squash(s) in squashed}
        hits |= {w for m in whole.finditer(folded) for w in by_fold[m.group()]} if words else set()
        found += [f"{path.relative_to(out)}: {hit!r}" for hit in sorted(hits)]
    return found


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sro_research", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=900)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    return _write_inputs(tmp_path_factory.mktemp("private"))


def test_planted_export_has_at_least_25_items_of_every_kind(inputs):
    planted = _planted(random.Random(SEED))
    assert all(len(values) >= 25 for values in planted.values())
    export = inputs[0].read_text(encoding="utf-8")
    for kind in ("name", "email", "phone", "id", "titled"):
        assert sum(value.lower() in export.lower() for value in planted[kind]) >= 25, kind
    # the leak search itself finds every planted string where it is (the export), so a pass means something
    found = {line.split(": ", 1)[1] for line in _leaks(inputs[0].parent, inputs[3])}
    assert found == {repr(s) for s in inputs[3]}


@pytest.mark.slow
@pytest.mark.parametrize("with_review", [False, True], ids=["no review file", "with review file"])
def test_nothing_planted_reaches_the_output_folder(inputs, tmp_path, with_review):
    export, mapping, roster, secrets = inputs
    out = tmp_path / "out"
    parameters = ["-p", f"responses_path={export}", "-p", f"mapping_path={mapping}", "-p", f"names_path={roster}"]
    if with_review:
        review = tmp_path / "private" / "review.csv"
        made = _cli("comments", str(export), "--mapping", str(mapping), "--names", str(roster), "--out", str(review))
        assert made.returncode == 0, made.stderr
        rows = list(csv.DictReader(review.open(encoding="utf-8-sig")))
        # The review file is private (its ids are the export's, here emails) but its text is scrubbed.
        shown = tmp_path / "review_text"
        shown.mkdir()
        (shown / "text.txt").write_text("\n".join(r["comment"] + " " + r["detected"] for r in rows), encoding="utf-8")
        assert rows and not _leaks(shown, secrets)
        for row in rows:
            row["approve"] = "yes"  # a reviewer approving everything: only scrubbed text may still show
        with review.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        parameters += ["-p", f"approved_comments_path={review}"]
    built = _cli("build", "engagement_findings", *parameters, "--out", str(out))
    assert out.is_dir() or built.returncode != 0, built.stderr
    leaks = _leaks(out, secrets) if out.is_dir() else []
    assert not leaks, "\n".join(leaks[:40])
    assert built.returncode == 0, built.stderr[-3000:]


# --------------------------------------------------------------------------- Qualtrics and SurveyMonkey layouts

WRITERS = {"qualtrics": write_qualtrics, "surveymonkey": write_surveymonkey}


@pytest.fixture(scope="module")
def layouts(tmp_path_factory):
    """Per layout: its export, mapping and roster in a private folder, and what was planted."""
    made = {}
    for seed, (layout, write) in enumerate(WRITERS.items(), start=16):
        folder = tmp_path_factory.mktemp(f"private_{layout}")
        people, planted = respondents(seed)
        export, mapping = write(folder, people)
        names = folder / "roster.txt"
        names.write_text("\n".join(roster(planted)) + "\n", encoding="utf-8")
        made[layout] = (folder, people, planted, export, mapping, names)
    return made


def _holds(text: str, secrets) -> bool:
    """A careful reviewer's eye: does this text still show any planted value (searched as _leaks does)?"""
    words = [s for s in secrets if re.fullmatch(r"[^\W\d_]+", s)]
    if any(re.search(r"(?<![^\W\d_])" + re.escape(w.casefold()) + r"(?![^\W\d_])", text.casefold()) for w in words):
        return True
    return any(_squash(s) in _squash(text) for s in secrets if s not in words)


def _write_review(review: Path, decide) -> list[dict]:
    rows = list(csv.DictReader(review.open(encoding="utf-8-sig")))
    for row in rows:
        row["approve"] = decide(row)
    with review.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return rows


def _no_secret_printed(result: subprocess.CompletedProcess, secrets) -> None:
    printed = result.stdout + result.stderr
    assert not [s for s in secrets if _holds(printed, [s])], "a planted value was printed"


def test_planted_layout_exports_hold_every_kind(layouts):
    for folder, _, planted, export, *_ in layouts.values():
        text = export.read_text(encoding="utf-8-sig")
        for kind, values in planted.by_kind.items():
            assert sum(v in text for v in values) >= 10, kind
        found = {line.split(": ", 1)[1] for line in _leaks(folder, sorted(planted.secrets))}
        assert found == {repr(s) for s in planted.secrets}  # the leak search finds each where it is


@pytest.mark.slow
@pytest.mark.parametrize("review", ["none", "careful", "stale", "every comment"])
@pytest.mark.parametrize("layout", list(WRITERS))
def test_real_layouts_publish_nothing_planted(layouts, tmp_path, layout, review):
    folder, people, planted, export, mapping, names = layouts[layout]
    out = tmp_path / "out"
    secrets = sorted(planted.secrets)
    parameters = ["-p", f"mapping_path={mapping}", "-p", f"names_path={names}"]
    if review != "none":
        private = tmp_path / "private"
        private.mkdir()
        path = private / "review.csv"
        made = _cli("comments", str(export), "--mapping", str(mapping), "--names", str(names), "--out", str(path))
        assert made.returncode == 0, made.stderr
        _no_secret_printed(made, secrets)
        if review == "every comment":
            _write_review(path, lambda row: "yes")
        else:  # a careful reviewer approves only what shows nothing personal and had nothing removed
            rows = _write_review(path, lambda row: "no" if row["detected"] or row["possible_name"]
                                 or _holds(row["comment"], secrets) else "yes")
            assert {r["approve"] for r in rows} == {"yes", "no"}
        parameters += ["-p", f"approved_comments_path={path}"]
    if review == "stale":  # a re-export with one test row removed: the review no longer matches
        again = tmp_path / "reexport"
        again.mkdir()
        export, mapping = WRITERS[layout](again, people[:40] + people[41:])
    built = _cli("build", "engagement_findings", "-p", f"responses_path={export}", *parameters, "--out", str(out))
    _no_secret_printed(built, secrets)
    leaks = _leaks(out, sorted(planted.structured if review == "every comment" else secrets)) if out.is_dir() else []
    assert not leaks, "\n".join(leaks[:40])
    if review == "stale":
        assert built.returncode == 2, built.stderr[-3000:]
        assert "approvals no longer match a comment of this export" in built.stderr
        assert not (out / "engagement_findings.html").exists()
        return
    assert built.returncode == 0, built.stderr[-3000:]
    page = html.unescape((out / "engagement_findings.html").read_text(encoding="utf-8"))
    assert "Columns not used:" in page and ("IP Address" in page or "IPAddress" in page)
    if review == "careful":
        assert any(comment in page for comment in planted.clean_comments)  # approved comments are shown


@pytest.mark.parametrize("layout, header_rows", [("surveymonkey", 3), ("qualtrics", 2), ("google", 2)])
def test_a_wrong_header_rows_exits_2_and_prints_no_value(layouts, inputs, tmp_path, layout, header_rows):
    if layout == "google":
        export, mapping, _, secrets = inputs
        wrong = tmp_path / "mapping.yaml"
        wrong.write_text(f"header_rows: {header_rows}\n" + mapping.read_text(encoding="utf-8"), encoding="utf-8")
    else:
        folder, people, planted, *_ = layouts[layout]
        export, wrong = WRITERS[layout](tmp_path, people, header_rows=header_rows)
        secrets = sorted(planted.secrets)
    out = tmp_path / "out"
    built = _cli("build", "engagement_findings", "-p", f"responses_path={export}", "-p", f"mapping_path={wrong}",
                 "--out", str(out))
    assert built.returncode == 2, built.stderr[-3000:]
    assert "header_rows" in built.stderr or "unknown answer" in built.stderr
    _no_secret_printed(built, secrets)
    assert not (_leaks(out, secrets) if out.is_dir() else [])
    made = _cli("comments", str(export), "--mapping", str(wrong), "--out", str(tmp_path / "private" / "review.csv"))
    assert made.returncode == 2 and not (tmp_path / "private" / "review.csv").exists()
    _no_secret_printed(made, secrets)


def test_an_input_inside_the_output_folder_is_refused(inputs, tmp_path):
    export, mapping, roster_path, _ = inputs
    out = tmp_path / "out"
    (out / "private").mkdir(parents=True)
    review = out / "private" / "review.csv"
    review.write_text("comment_id,fingerprint,export_sha256,approve\n", encoding="utf-8")
    built = _cli("build", "engagement_findings", "-p", f"responses_path={export}", "-p", f"mapping_path={mapping}",
                 "-p", f"approved_comments_path={review}", "--out", str(out))
    assert built.returncode == 2 and "is inside the output folder" in built.stderr
    assert not (out / "engagement_findings.html").exists() and not (out / "manifest.json").exists()
