"""Comment scrubbing (personal information out first) and keyword theme tagging."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sro_research.privacy.freetext import (
    assert_scrubbed,
    comment_themes,
    load_names,
    load_themes,
    personal_info_left,
    scrub,
    theme_counts,
)

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
    assert scrub("Ask Jamal Olson or JAMAL.", ["JAMAL", "OLSON"]) == "Ask [name] [name] or [name]."
    assert scrub("Mr. Mcdonald and Mr. McDonald", ["McDonald"]) == "Mr. [name] and Mr. [name]"
    assert personal_info_left("Jamal was there", ["JAMAL"]) == ["name"]
