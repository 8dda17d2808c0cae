"""Comment scrubbing (personal information out first) and keyword theme tagging."""

import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sro_research.privacy.freetext import (
    assert_scrubbed,
    comment_themes,
    Roster,
    personal_info_left,
    scrub,
    theme_counts,
)
from sro_research.readers.word_lists import load_names, load_themes

NAMES = ["Jamal", "Olson", "Amina"]


@pytest.mark.parametrize("text, expected", [
    ("Write to jane.doe+sro@example.org today", "Write to [email] today"),
    ("Call 612-555-0143 or (612) 555-0178.", "Call [phone] or [phone]."),
    ("text 6125550199 or +1 612 555 0100", "text [phone] or [phone]"),
    ("My ID is 20417386, his is 483920.", "My ID is [id], his is [id]."),
    ("Jamal said Officer Olson was kind; AMINA agreed.", "[name] said Officer [name] was kind; [name] agreed."),
    ("In 2017 about 55411 residents", "In 2017 about 55411 residents"),  # years and zip codes are not ids
])
def test_scrub_replaces_each_kind_of_personal_information(text, expected):
    assert scrub(text, NAMES) == expected


def test_names_match_whole_words_in_any_capitalisation():
    # Lower case is how many comments are typed; a longer word that starts with a name is not the name.
    assert scrub("Jamaldo and olson", NAMES) == "Jamaldo and [name]"


def test_scrub_leaves_missing_comments_missing():
    assert scrub(None, NAMES) is None
    assert pd.isna(scrub(pd.NA, NAMES))


@settings(max_examples=100, deadline=None)
@given(user=st.from_regex(r"[a-z][a-z0-9._]{0,10}", fullmatch=True),
       domain=st.from_regex(r"[a-z]{2,10}\.(org|com|net)", fullmatch=True),
       digits=st.integers(100_000, 999_999_999),
       area=st.integers(200, 999), exchange=st.integers(200, 999), line=st.integers(0, 9999),
       name=st.sampled_from(NAMES), filler=st.sampled_from(["", "please ", "thanks, "]))
def test_nothing_personal_survives_scrubbing(user, domain, digits, area, exchange, line, name, filler):
    text = f"{filler}{name} at {user}@{domain}, call {area}-{exchange}-{line:04d}, id {digits}."
    cleaned = scrub(text, NAMES)
    assert personal_info_left(cleaned, NAMES) == []
    for secret in (f"{user}@{domain}", str(digits), f"{exchange}-{line:04d}", name):
        assert secret not in cleaned


def test_assert_scrubbed_refuses_unscrubbed_text():
    with pytest.raises(ValueError, match="email"):
        assert_scrubbed(["fine", "mail me at a@b.org"], NAMES)
    assert_scrubbed(["fine", scrub("mail me at a@b.org", NAMES)], NAMES)


def test_themes_match_keywords_with_wildcards_and_phrases():
    themes = load_themes()
    comments = pd.Series({
        1: "I felt intimidated by the officer.",
        2: "We need more counselors and mental health support.",
        3: "It makes me feel safer.",
        4: "Nothing to add.",
    })
    tagged = comment_themes(comments, NAMES, themes)
    assert tagged.loc[1, "intimidation"] and not tagged.loc[1, "safety"]
    assert tagged.loc[2, "supports"]
    assert tagged.loc[3, "safety"]
    assert not tagged.loc[4, [t.code for t in themes]].any()


def test_tagging_sees_only_scrubbed_text():
    comments = pd.Series({1: "Email me: scared.student@example.org", 2: None, 3: "  "})
    tagged = comment_themes(comments, NAMES, load_themes())
    assert list(tagged.index) == [1]  # empty comments are not comments
    assert tagged.loc[1, "comment"] == "Email me: [email]" and tagged.loc[1, "scrubbed"]
    assert not tagged.loc[1, "intimidation"]  # "scared" only appeared inside the email address


def test_theme_counts_by_scenario():
    themes = load_themes()
    comments = pd.Series({1: "I feel safe.", 2: "Safety first.", 3: "Police are intimidating."})
    scenario = pd.Series({1: "maintain_modify", 2: "maintain_modify", 3: "eliminate"})
    counts = theme_counts(comment_themes(comments, NAMES, themes), scenario, themes)
    assert counts.loc["safety", "maintain_modify"] == 2
    assert counts.loc["intimidation", "eliminate"] == 1
    assert counts.loc["safety", "eliminate"] == 0


def test_theme_codebook_errors_are_clear(tmp_path):
    path = tmp_path / "themes.yaml"
    path.write_text("themes:\n  empty:\n    label: Nothing\n", encoding="utf-8")
    with pytest.raises(ValueError, match="theme 'empty' has no keywords"):
        load_themes(path)


def test_names_list_skips_comments_and_blank_lines(tmp_path):
    path = tmp_path / "names.txt"
    path.write_text("# roster\nJamal\n\nOlson  # a surname\n", encoding="utf-8")
    assert load_names(path) == ["Jamal", "Olson"]


@pytest.mark.parametrize("text, expected", [
    ("My SSN is 123-45-6789.", "My SSN is [id]."),
    ("ssn 123 45 6789 please", "ssn [id] please"),
])
def test_social_security_style_numbers_are_ids(text, expected):
    assert scrub(text, NAMES) == expected
    assert personal_info_left(text, NAMES) == ["id"]


@pytest.mark.parametrize("text", ["pi is 3.14159265", "a ratio of 0.1234567", "2017-05-12", "grades 9-12",
                                  "62.5% of 1,234,567 people", "in 2016-2017"])
def test_ordinary_numbers_are_left_alone(text):
    assert scrub(text, NAMES) == text


def test_names_from_an_upper_case_roster_are_found_as_usually_written():
    # Rosters often come in capitals; comments write names capitalised.
    assert scrub("Ask Jamal Olson or JAMAL.", ["JAMAL", "OLSON"]) == "Ask [name] or [name]."
    assert scrub("Mr. Mcdonald and Mr. McDonald", ["McDonald"]) == "Mr. [name] and Mr. [name]"
    assert personal_info_left("Jamal was there", ["JAMAL"]) == ["name"]


# --------------------------------------------------------------------------- the layered scrubber

ROSTER = Roster(["DeShawn Carter", "Okonkwo, Chidi", "José Hernández", "Abdirahman Warsame", "Will Brown", "Hope"],
                common_words=["will", "brown", "hope", "said"])


@pytest.mark.parametrize("text, expected", [
    # the kinds the issue found missed, one by one
    ("write name at yahoo dot com", "write [email]"),
    ("write name [at] hotmail [dot] com today", "write [email] today"),
    ("write jane @ mail . org", "write [email]"),
    ("call 555-0123", "call [phone]"),
    ("call 5550199.", "call [phone]."),
    ("call 4056 7890", "call [phone]"),
    ("deshawn carter was there", "[name] was there"),
    ("DeShawn's bag", "[name]'s bag"),
    ("DeShawn\u2019s bag", "[name]\u2019s bag"),
    ("Officer Kowalski and Ms. Lindqvist", "Officer [name] and Ms. [name]"),
    ("ask Abdirahman", "ask [name]"),
    ("Okonkwo, Chidi wrote", "[name] wrote"),
    ("Jose Hernandez came", "[name] came"),
    ("Jose  Hernandez and Jose\nHernandez", "[name] and [name]"),
    # common words stay words alone; the full name or a title still goes
    ("I will say Will Brown said brown.", "I will say [name] said brown."),
    ("Hope it helps. We saw Hope there.", "Hope it helps. We saw [name] there."),
    ("Coach Brown left", "Coach [name] left"),
])
def test_layered_scrubber_finds_every_kind(text, expected):
    assert scrub(text, ROSTER) == expected


@pytest.mark.parametrize("text", [
    "I was at school. Com center staff came.", "the officer. Also the staff", "Call 911 on 10-12-2017 at 3:30",
    "$1,200 for Lake Street in 2016-17", "Dr. and Mrs. families", "in 2015 2016 and 2017",
])
def test_ordinary_text_survives(text):
    assert scrub(text, ROSTER) == text


def test_id_length_is_configurable():
    from sro_research.privacy.scrub import Scrubber, replace
    five = Scrubber(id_lengths=(5, 5))
    assert replace("id 12345 and 1234-5", five.detect("id 12345 and 1234-5")) == "id [id] and [id]"
    with pytest.raises(ValueError, match="id_lengths"):
        Scrubber(id_lengths=(0, 3))


def test_roster_reads_last_first_lines_and_attaches_common_words(tmp_path):
    path = tmp_path / "roster.txt"
    path.write_text("# roster\nOkonkwo, Chidi\nWill Brown\n", encoding="utf-8")
    roster = load_names(path)
    assert roster == ["Okonkwo, Chidi", "Will Brown"] and "will" in roster.common_words
    assert scrub("chidi okonkwo and will", roster) == "[name] and will"


def test_missing_names_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="names_path"):
        load_names(tmp_path / "nope.txt")


# --------------------------------------------------------------------------- measured floors

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_scrubber.py"
CORPUS_DIR = Path(__file__).parent / "fixtures" / "scrubber"


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_corpus_is_reproducible_labelled_synthetic_and_large_enough():
    maker = _load(CORPUS_DIR / "make_corpus.py", "make_corpus")
    corpus, roster = maker.build()
    assert (CORPUS_DIR / "corpus.jsonl").read_text(encoding="utf-8") == corpus
    assert (CORPUS_DIR / "roster.txt").read_text(encoding="utf-8") == roster
    records = [json.loads(line) for line in corpus.splitlines()]
    assert len(records) >= 300 and all(r["synthetic"] for r in records)
    kinds = {label["kind"] for r in records for label in r["labels"]}
    assert kinds == {"email", "phone", "id", "name", "titled_name"}
    assert sum(not r["labels"] for r in records) >= 50  # clean comments that must survive


def test_scrubber_recall_and_precision_floors():
    result = _load(BENCH, "bench_scrubber").evaluate()
    recall = result["recall"]
    assert recall["email"][0] == recall["email"][1], result["missed"]
    assert recall["phone"][0] == recall["phone"][1], result["missed"]
    hit, total = sum(h for h, _ in recall.values()), sum(t for _, t in recall.values())
    assert hit / total >= 0.99, result["missed"]
    # Measured 99.3% (3 false finds in 408, all a title before a capitalised non-name); floor 97%.
    right, finds = sum(h for h, _ in result["precision"].values()), sum(t for _, t in result["precision"].values())
    assert right / finds >= 0.97, result["false_finds"]
    unchanged, clean = result["clean_unchanged"]
    assert unchanged / clean >= 0.9, result["false_finds"]



def test_privacy_modules_open_no_files():
    import ast

    for path in (Path(__file__).resolve().parents[1] / "sro_research" / "privacy").glob("*.py"):
        if path.name == "review.py":  # writes the review file the user asked for; reads nothing
            continue
        calls = {node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                 for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(node, ast.Call)}
        assert not calls & {"open", "read_text", "read_bytes", "read_csv", "read_excel", "record_input"}, path.name
