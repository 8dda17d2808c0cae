"""Reading real survey tools' exports, and the comment review file (`sro-research comments`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sro_research.cli import main
from sro_research.readers.comment_review import ReviewFileError, load_approved

ROOT = Path(__file__).resolve().parents[1]
MAPPING = ROOT / "data" / "engagement" / "mapping_example.yaml"
HEADER = ("Response ID,I am a,Race/Ethnicity,School,SROs should work in my school,"
          "I want SROs to spend ___ time in my school,Which scenario do you prefer?,Why? (select all that apply),Comments\n")
ROWS = [
    "R1,Student,Asian,S1,Agree,Less,1,,Call jamal at 612-555-0143 please\n",
    "R2,Parent or guardian,White,S1,Disagree,More,2,,write me: jo [at] mail [dot] com\n",
    "R3,Student,White,S2,Agree,Less,3,,I feel safe.\n",
    "R4,Student,White,S2,Agree,Less,3,,\n",
]


def _export(tmp_path, rows=ROWS, name="export.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def _names(tmp_path):
    path = tmp_path / "names.txt"
    path.write_text("Jamal Olson\n", encoding="utf-8")
    return path


def test_comments_command_writes_scrubbed_review_file(tmp_path, capsys):
    out = tmp_path / "private" / "review.csv"
    code = main(["comments", str(_export(tmp_path)), "--mapping", str(MAPPING), "--names", str(_names(tmp_path)),
                 "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    review = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(review.columns) == ["comment_id", "item", "comment", "detected", "approve"]
    assert list(review["comment_id"]) == ["R1:comment", "R2:comment", "R3:comment"]  # the empty comment is left out
    assert review.loc[0, "comment"] == "Call [name] at [phone] please"
    assert review.loc[0, "detected"] == "name; phone" and review.loc[1, "detected"] == "email"
    assert review.loc[2, "detected"] == "" and (review["approve"] == "").all()
    text = out.read_text(encoding="utf-8-sig")
    for secret in ("612-555-0143", "jamal", "jo [at] mail"):
        assert secret not in text.lower()


@pytest.mark.parametrize("where", ["reports/review.csv", "out/reports/x/review.csv", "built/review.csv"])
def test_comments_command_refuses_the_published_folder(tmp_path, capsys, monkeypatch, where):
    monkeypatch.setenv("SRO_PROJECT_ROOT", str(ROOT))
    (tmp_path / "built").mkdir()
    (tmp_path / "built" / "manifest.json").write_text("{}", encoding="utf-8")
    out = (ROOT / where) if where.startswith("reports/") else tmp_path / where
    code = main(["comments", str(_export(tmp_path)), "--mapping", str(MAPPING), "--out", str(out)])
    assert code == 2 and "refusing to write the comment review file" in capsys.readouterr().err
    assert not out.exists()


def _review(tmp_path, rows: str, header="comment_id,item,comment,detected,approve\n"):
    path = tmp_path / "review.csv"
    path.write_text(header + rows, encoding="utf-8")
    return path


def test_load_approved_reads_yes_answers(tmp_path):
    path = _review(tmp_path, "R1:comment,comment,x,,Yes\nR2:comment,comment,y,,no\nR3:comment,comment,z,, \n")
    assert load_approved(path) == frozenset({"R1:comment"})
    assert load_approved(path, known_ids={"R1:comment", "R2:comment", "R3:comment"}) == frozenset({"R1:comment"})


def test_load_approved_names_file_row_and_column_never_the_value(tmp_path):
    path = _review(tmp_path, "R1:comment,comment,x,,maybe 612-555-0143\nR9:comment,comment,y,,yes\n"
                             "R1:comment,comment,x,,no\n")
    with pytest.raises(ReviewFileError) as error:
        load_approved(path, known_ids={"R1:comment"})
    message = str(error.value)
    assert f"{path}: row 2, column approve: must be yes, no or blank" in message
    assert f"{path}: row 3, column comment_id: not a comment of this export" in message
    assert f"{path}: row 4, column comment_id: repeats row 2" in message
    assert "612" not in message and "maybe" not in message and "R9" not in message


def test_load_approved_missing_columns(tmp_path):
    with pytest.raises(ReviewFileError, match="column\\(s\\) approve missing"):
        load_approved(_review(tmp_path, "R1:comment\n", header="comment_id\n"))
    with pytest.raises(FileNotFoundError, match="review_path"):
        load_approved(tmp_path / "none.csv")
