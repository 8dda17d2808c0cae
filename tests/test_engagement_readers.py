"""Reading real survey tools' exports, and the comment review file (`sro-research comments`)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest

from sro_research.cli import main
from sro_research.privacy.review import REVIEW_COLUMNS
from sro_research.readers.comment_review import ReviewFileError, load_approved
from sro_research.readers.engagement import read_responses
from sro_research.readers.word_lists import load_names

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


def _comments(tmp_path, export, out=None, names=True):
    out = out or tmp_path / "private" / "review.csv"
    extra = ["--names", str(_names(tmp_path))] if names else []
    assert main(["comments", str(export), "--mapping", str(MAPPING), *extra, "--out", str(out)]) == 0
    return out


def _approve(review: Path, answers: list[str]) -> Path:
    table = pd.read_csv(review, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    table["approve"] = answers
    table.to_csv(review, index=False, encoding="utf-8-sig")
    return review


def test_comments_command_writes_scrubbed_review_file(tmp_path, capsys):
    export = _export(tmp_path)
    out = _comments(tmp_path, export)
    review = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(review.columns) == list(REVIEW_COLUMNS)
    assert list(review.columns) == ["comment_id", "item", "comment", "detected", "possible_name", "fingerprint",
                                    "export_sha256", "approve"]
    assert len(review) == 3  # the empty comment is left out
    # ids and fingerprints are keyed hashes: opaque, never the export's own respondent ids
    assert all(re.fullmatch(r"[0-9a-f]{20}", v) for v in [*review["comment_id"], *review["fingerprint"]])
    assert review["comment_id"].nunique() == 3 and not review["comment_id"].str.contains("R1").any()
    assert (review["export_sha256"] == hashlib.sha256(export.read_bytes()).hexdigest()).all()
    assert review.loc[0, "comment"] == "Call [name] at [phone] please"
    assert review.loc[0, "detected"] == "name; phone" and review.loc[1, "detected"] == "email"
    assert review.loc[2, "detected"] == "" and (review["approve"] == "").all()
    text = out.read_text(encoding="utf-8-sig")
    for secret in ("612-555-0143", "jamal", "jo [at] mail"):
        assert secret not in text.lower()


@pytest.mark.parametrize("where", ["reports/review.csv", "out/reports/x/review.csv", "built/review.csv",
                                   "built/deeper/review.csv", "site/review.csv"])
def test_comments_command_refuses_any_build_output_folder(tmp_path, capsys, monkeypatch, where):
    monkeypatch.setenv("SRO_PROJECT_ROOT", str(ROOT))
    (tmp_path / "built").mkdir()
    (tmp_path / "built" / "manifest.json").write_text("{}", encoding="utf-8")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<html></html>", encoding="utf-8")
    out = (ROOT / where) if where.startswith("reports/") else tmp_path / where
    code = main(["comments", str(_export(tmp_path)), "--mapping", str(MAPPING), "--out", str(out)])
    assert code == 2 and "refusing to write the comment review file" in capsys.readouterr().err
    assert not out.exists()


def test_load_approved_keeps_approvals_bound_to_id_and_text(tmp_path):
    export = _export(tmp_path)
    review = _approve(_comments(tmp_path, export), ["Yes", "no", " "])
    survey, names = read_responses(export, MAPPING), load_names(_names(tmp_path))
    approvals = load_approved(review, survey, names)
    assert len(approvals) == 1
    assert approvals.shows("R1", "comment", "Call [name] at [phone] please")
    assert not approvals.shows("R1", "comment", "Call me please")  # another text under the same id
    assert not approvals.shows("R2", "comment", "write me: [email]")  # rejected


def test_load_approved_names_file_row_and_column_never_the_value(tmp_path):
    export = _export(tmp_path)
    review = _approve(_comments(tmp_path, export), ["maybe 612-555-0143", "yes", "no"])
    table = pd.read_csv(review, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    pd.concat([table, table.iloc[[0]]]).to_csv(review, index=False, encoding="utf-8-sig")
    with pytest.raises(ReviewFileError) as error:
        load_approved(review, read_responses(export, MAPPING), load_names(_names(tmp_path)))
    message = str(error.value)
    assert f"{review}: row 2, column approve: must be yes, no or blank" in message
    assert f"{review}: row 5, column comment_id: repeats row 2" in message
    assert "612" not in message and "maybe" not in message and table.loc[0, "comment_id"] not in message


def test_review_file_of_an_older_version_or_missing_is_refused(tmp_path):
    old = tmp_path / "old.csv"
    old.write_text("comment_id,item,comment,detected,approve\nR1:comment,comment,x,,yes\n", encoding="utf-8")
    survey = read_responses(_export(tmp_path), MAPPING)
    with pytest.raises(ReviewFileError, match="column\\(s\\) fingerprint, export_sha256 missing.*older version"):
        load_approved(old, survey, ["Jamal"])
    with pytest.raises(FileNotFoundError, match="approved_comments_path"):
        load_approved(tmp_path / "none.csv", survey, ["Jamal"])


def test_a_review_of_another_export_or_of_moved_rows_is_refused(tmp_path):
    # No id column (the Google Forms default): ids are row numbers. Deleting a test row moves them.
    header = "Timestamp,Role,Agree?,Time,Scenario,Comments\n"
    rows = ["2017-05-01 10:00,student,agree,less,eliminate,test row please ignore\n",
            "2017-05-01 10:05,parent,agree,more,eliminate,I trust our officer\n",
            "2017-05-01 10:09,parent,agree,more,eliminate,Officers scare my kids\n"]
    mapping = _mapping(tmp_path, columns={**{k: v for k, v in MINIMAL.items() if k != "respondent_id"},
                                          "comment": "Comments"})
    first = tmp_path / "first.csv"
    first.write_text(header + "".join(rows), encoding="utf-8")
    review = tmp_path / "private" / "review.csv"
    assert main(["comments", str(first), "--mapping", str(mapping), "--out", str(review)]) == 0
    _approve(review, ["no", "yes", "no"])  # the third comment was rejected
    assert len(load_approved(review, read_responses(first, mapping), ["Jamal"])) == 1
    again = tmp_path / "again.csv"
    again.write_text(header + "".join(rows[1:]), encoding="utf-8")  # the test row removed
    with pytest.raises(ReviewFileError) as error:
        load_approved(review, read_responses(again, mapping), ["Jamal"])
    message = str(error.value)
    assert "1 of 1 approvals no longer match a comment of this export" in message
    assert "3 of its 3 rows were written for another export" in message
    assert "trust" not in message and "scare" not in message
    # the same export, a comment's scrubbed text no longer what the reviewer read (another names list)
    _approve(review, ["yes", "yes", "no"])
    with pytest.raises(ReviewFileError, match="1 of 2 approvals no longer match"):
        load_approved(review, read_responses(first, mapping), ["Jamal", "Ignore"])


# --------------------------------------------------------------------------- readers for real survey tools

from sro_research.privacy.review import review_table  # noqa: E402
from sro_research.readers.engagement import EngagementDataError  # noqa: E402

MINIMAL = {"respondent_id": "ID", "role": "Role", "sro_agree": "Agree?", "sro_time": "Time", "scenario": "Scenario"}


def _mapping(tmp_path, extra: str = "", columns: dict | None = None, name="mapping.yaml"):
    columns = MINIMAL if columns is None else columns
    lines = ["columns:"] + [f"  {k}: \"{v}\"" for k, v in columns.items()]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path


def _rows(delimiter=","):
    header = ["ID", "Role", "Agree?", "Time", "Scenario"]
    rows = [["A1", "student", "agree", "less", "eliminate"], ["A2", "parent", "disagree", "more", "maintain_modify"]]
    return "\n".join(delimiter.join(r) for r in [header, *rows]) + "\n"


@pytest.mark.parametrize("delimiter, encoding", [(",", "utf-8"), (";", "utf-8"), ("\t", "utf-16"), (";", "utf-16"),
                                                 (",", "utf-8-sig"), ("\t", "cp1252")])
def test_encodings_and_delimiters_are_detected(tmp_path, delimiter, encoding):
    path = tmp_path / "export.csv"
    path.write_bytes(_rows(delimiter).encode(encoding))  # Python's utf-16 codec writes the BOM
    survey = read_responses(path, _mapping(tmp_path))
    assert list(survey.responses["respondent_id"]) == ["A1", "A2"]
    assert list(survey.responses["sro_agree"]) == ["agree", "disagree"]


def test_a_file_with_no_delimiter_is_described(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("just one long line of text\nand another\n", encoding="utf-8")
    with pytest.raises(EngagementDataError, match=r"cannot tell how columns are separated.*holds no comma, semicolon or tab"):
        read_responses(path, _mapping(tmp_path))


def test_a_mapped_header_missing_from_the_file_names_the_closest(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(_rows().replace("ID,Role", "ID,Role,Race/ethnicty", 1).replace("\nA1,student", "\nA1,student,White")
                    .replace("\nA2,parent", "\nA2,parent,Asian"), encoding="utf-8")
    mapping = _mapping(tmp_path, columns={**MINIMAL, "race_ethnicity": "Race/Ethnicity"})
    with pytest.raises(EngagementDataError, match=r"mapped column 'Race/Ethnicity' \(codebook item race_ethnicity\) "
                                                  r"is missing; closest headers: 'Race/ethnicty'"):
        read_responses(path, mapping)


def test_two_items_on_one_header_is_an_error(tmp_path):
    with pytest.raises(EngagementDataError, match="items site and comment are both mapped to the header 'Notes'"):
        read_responses(_export(tmp_path), _mapping(tmp_path, columns={**MINIMAL, "site": "Notes", "comment": "Notes"}))


def test_multi_select_labels_holding_the_separator(tmp_path):
    path = tmp_path / "export.csv"
    text = _rows().splitlines()
    text[0] += ",Why"
    text[1] += ',"""Safe, mostly"", They deter crime"'  # quoted label inside the cell
    text[2] += ',"Safe, mostly, They deter crime"'  # Google Forms: unquoted, the mapping knows the label
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    mapping = _mapping(tmp_path, columns={**MINIMAL, "reasons": "Why"},
                       extra='separators:\n  reasons: ","\nvalues:\n  reasons:\n    "Safe, mostly": general_safety\n'
                             '    They deter crime: deterrence\n')
    survey = read_responses(path, mapping)
    assert list(survey.responses["reasons"]) == ["general_safety;deterrence"] * 2


def test_one_column_per_option_with_two_header_rows(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "ID,Role,Agree?,Time,Scenario,Why?,,\n"
        ",Response,Response,Response,Response,For safety,They deter crime,Other\n"
        "A1,student,agree,less,eliminate,For safety,,\n"
        "A2,parent,agree,less,eliminate,,They deter crime,\n"
        "A3,parent,agree,less,eliminate,,,\n", encoding="utf-8")
    mapping = _mapping(tmp_path, extra="header_rows: 2\noption_columns:\n  reasons:\n    For safety: general_safety\n"
                                        "    They deter crime: deterrence\n")
    survey = read_responses(path, mapping)
    assert survey.responses["reasons"].tolist()[:2] == ["general_safety", "deterrence"]
    assert pd.isna(survey.responses["reasons"].iloc[2])
    assert survey.unused_columns == 1 and survey.ignored_columns == []  # counted, never named


def test_qualtrics_three_header_rows_and_row_numbers(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "ResponseId,Q1,Q2,Q3,Q4\n"
        "Response ID,I am a,SROs should work in my school,Time,Scenario\n"
        '"{""ImportId"":""_recordId""}","{""ImportId"":""QID1""}","{""ImportId"":""QID2""}","{""ImportId"":""QID3""}",\n'
        "R_1,student,agree,less,eliminate\n"
        "R_2,student,kinda,less,eliminate\n", encoding="utf-8")
    mapping = _mapping(tmp_path, columns={"respondent_id": "ResponseId", "role": "I am a",
                                          "sro_agree": "SROs should work in my school", "sro_time": "Q3", "scenario": "Q4"})
    with pytest.raises(EngagementDataError, match=r"row 5, column 'Q2': unknown answer for sro_agree") as error:
        read_responses(path, mapping)
    assert "kinda" not in str(error.value)


def test_no_id_column_gives_row_numbers(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Timestamp,Role,Agree?,Time,Scenario\n2017-05-01 10:00,student,agree,less,eliminate\n\n"
                    "2017-05-01 10:05,parent,agree,more,eliminate\n", encoding="utf-8")
    columns = {k: v for k, v in MINIMAL.items() if k != "respondent_id"}
    survey = read_responses(path, _mapping(tmp_path, columns=columns))
    assert survey.ids_from_rows and list(survey.responses["respondent_id"]) == ["2", "4"]
    with pytest.raises(EngagementDataError, match="required column 'ID'"):  # a mapped id column must exist
        read_responses(path, _mapping(tmp_path))


def test_other_please_specify_is_routed_and_kept_only_as_a_comment(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("ID,Role,Agree?,Time,Scenario,Race\n"
                    "A1,student,agree,less,eliminate,White\n"
                    "A2,parent,agree,less,eliminate,my son Jamal (612-555-0143) was searched\n", encoding="utf-8")
    mapping = _mapping(tmp_path, columns={**MINIMAL, "race_ethnicity": "Race"}, extra="other:\n  race_ethnicity: other\n")
    responses = read_responses(path, mapping).responses
    assert list(responses["race_ethnicity"]) == ["white", "other"]
    assert pd.isna(responses.loc[0, "race_ethnicity_other"])
    review = review_table(responses, ["Jamal"], b"key", "sha")
    assert list(review["item"]) == ["race_ethnicity_other"]
    assert review.loc[0, "comment"] == "my son [name] ([phone]) was searched"
    without = _mapping(tmp_path, columns={**MINIMAL, "race_ethnicity": "Race"}, name="strict.yaml")
    with pytest.raises(EngagementDataError) as error:
        read_responses(path, without)
    assert "Jamal" not in str(error.value) and "612" not in str(error.value)


def test_mapping_example_keeps_working():
    fixtures = ROOT / "tests" / "fixtures" / "engagement"
    for name in ("export_utf8.csv", "export_cp1252.csv", "export.xlsx"):
        survey = read_responses(fixtures / name, MAPPING)
        assert not survey.ids_from_rows and len(survey.responses) > 0


def test_comments_command_takes_the_id_length(tmp_path, capsys):
    rows = ["R1,Student,Asian,S1,Agree,Less,1,,my id is 12345\n", "R2,Student,Asian,S1,Agree,Less,1,,my id is 1234567890\n"]
    out = tmp_path / "review.csv"
    assert main(["comments", str(_export(tmp_path, rows)), "--mapping", str(MAPPING), "--id-digits", "5-5",
                 "--out", str(out)]) == 0
    review = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert review.loc[0, "comment"] == "my id is [id]"
    assert main(["comments", str(_export(tmp_path)), "--mapping", str(MAPPING), "--id-digits", "x",
                 "--out", str(out)]) == 2
    assert "--id-digits: expected MIN-MAX digits" in capsys.readouterr().err


# --------------------------------------------------------------------------- header rows proven, ids warned

GOOGLE = ("Timestamp,Email Address,IP Address,ID,Role,Agree?,Time,Scenario\n"
          "2017/05/01 10:00:00,amina.osman@example.org,10.1.2.3,A1,student,agree,less,eliminate\n"
          "2017/05/01 10:05:00,chidi.okonkwo@example.org,10.1.2.4,A2,parent,agree,more,eliminate\n")


@pytest.mark.parametrize("header_rows", [2, 3])
def test_a_respondent_read_as_a_header_row_is_refused_without_quoting_it(tmp_path, header_rows):
    path = tmp_path / "export.csv"
    path.write_text(GOOGLE, encoding="utf-8")
    with pytest.raises(EngagementDataError) as error:
        read_responses(path, _mapping(tmp_path, extra=f"header_rows: {header_rows}\n"))
    message = str(error.value)
    assert f"row 2 is read as a header row (the mapping's header_rows: {header_rows})" in message
    assert "an email address in column(s) 2" in message and "an IP address in column(s) 3" in message
    for value in ("amina", "osman", "10.1.2.3", "2017/05/01", "chidi", "A1", "A2", "student"):
        assert value not in message.lower()


def test_a_surveymonkey_export_read_with_three_header_rows_is_refused(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Respondent ID,Role,Agree?,Time,Scenario,Comments\n"
                    ",Response,Response,Response,Response,Open-Ended Response\n"
                    "Amina Osman,student,agree,less,eliminate,call me\n", encoding="utf-8")
    with pytest.raises(EngagementDataError) as error:
        read_responses(path, _mapping(tmp_path, extra="header_rows: 3\n"))
    message = str(error.value)
    assert "row 3 is read as a header row" in message and "not Qualtrics' ImportId text in column(s) 1, 2" in message
    assert "amina" not in message.lower() and "call me" not in message


def test_a_missing_mapped_header_does_not_list_the_files_headers(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("ID,Role,Agree?,Time,Scenario,Secret header\nA1,student,agree,less,eliminate,x\n", encoding="utf-8")
    with pytest.raises(EngagementDataError) as error:
        read_responses(path, _mapping(tmp_path, columns={**MINIMAL, "comment": "Comments"}))
    assert "mapped column 'Comments' (codebook item comment) is missing" in str(error.value)
    assert "Secret header" not in str(error.value) and "6 columns" in str(error.value)


def test_unused_columns_are_counted_and_only_declared_ones_named(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("ID,Role,Agree?,Time,Scenario,IP Address,Location\nA1,student,agree,less,eliminate,,\n",
                    encoding="utf-8")
    survey = read_responses(path, _mapping(tmp_path, extra="ignored_columns: [IP Address, Not There]\n"))
    assert survey.unused_columns == 2 and survey.ignored_columns == ["IP Address"]
    with pytest.raises(EngagementDataError, match="ignored_columns: expected a list of headers"):
        read_responses(path, _mapping(tmp_path, extra="ignored_columns: IP Address\n"))


@pytest.mark.parametrize("ids, kind", [(["amina@example.org", "chidi@example.org"], "email addresses"),
                                       (["612-555-0101", "(651) 555 0102"], "phone numbers"),
                                       (["1234567", "7654321"], "student numbers"),
                                       (["R_1abc", "R_2def"], ""), (["10234567890", "10234567891"], "")])
def test_an_id_column_of_emails_phones_or_student_numbers_is_warned_about(tmp_path, capsys, ids, kind):
    path = tmp_path / "export.csv"
    rows = "".join(f'"{i}",student,agree,less,eliminate\n' for i in ids)
    path.write_text("ID,Role,Agree?,Time,Scenario\n" + rows, encoding="utf-8")
    survey = read_responses(path, _mapping(tmp_path))
    assert (kind in survey.id_warning) if kind else survey.id_warning == ""
    assert not any(i in survey.id_warning for i in ids)
    if kind:
        out = tmp_path / "private" / "review.csv"
        assert main(["comments", str(path), "--mapping", str(_mapping(tmp_path)), "--out", str(out)]) == 0
        assert f"warning: {path}: column 'ID', the respondent id, holds {kind}" in capsys.readouterr().err
