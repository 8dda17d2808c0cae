"""The published-figures package: valid, sourced, transcribed as printed, and loud when malformed."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest

from sro_research import provenance
from sro_research.paths import data_dir
from sro_research.readers.published import (
    FIGURE_COLUMNS,
    Figures,
    PublishedDataError,
    citation,
    figure,
    figure_datasets,
    flags,
    list_published,
    load_published,
    load_published_datasets,
    load_sources,
    validate_published,
)

FOLDER = data_dir() / "published"
# The project's reference notes, beside the checkout as CI lays it out (../shared, read-only); the
# transcription tests are skipped where they are not.
REFERENCE = Path(__file__).resolve().parents[2] / "shared/reference/published_figures.md"
EXPECTED = [
    "district_program_page", "engagement_2017_press", "recommendation_2017", "district_discipline",
    "state_sro", "nces_digest_233_70a", "nces_frss_2013_14", "ssocs_published_tables", "since_2017",
    "definitions", "claims",
]
FIGURE_DATASETS = [name for name in EXPECTED if name not in ("definitions", "claims")]


def test_package_is_valid_frictionless_and_passes_own_checks():
    from frictionless import Package

    report = Package(str(FOLDER / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    validate_published()  # raises on any problem


def test_every_dataset_is_listed():
    assert list_published() == EXPECTED


@pytest.mark.parametrize("name", FIGURE_DATASETS)
def test_every_figure_has_a_source_with_url_and_provenance(name):
    table = load_published(name)
    assert list(table.columns) == FIGURE_COLUMNS
    assert len(table) > 0
    sources = load_sources().set_index("source_id")
    for _, row in table.iterrows():
        assert row["source_id"] in sources.index, row["figure_id"]
        assert sources.loc[row["source_id"], "url"].startswith("http"), row["figure_id"]
        assert row["location"].strip(), row["figure_id"]
        assert row["value_text"].strip(), row["figure_id"]
    assert table.attrs["dataset"] == name
    assert set(table.attrs["sources"]) == set(table["source_id"])
    for source in table.attrs["sources"].values():
        assert source["url"] in table.attrs["source"]
    assert table["value"].dtype == "float64" and table["se"].dtype == "float64"


def test_several_datasets_are_loaded_with_one_validation(monkeypatch):
    """A notebook loads its datasets together: the package is validated once, not once per dataset."""
    from sro_research.readers import published

    validations = []
    real = published.validate_published
    monkeypatch.setattr(published, "validate_published", lambda folder=None: validations.append(folder) or real(folder))
    tables = load_published_datasets(["state_sro", "district_program_page", "sources"])
    assert list(tables) == ["state_sro", "district_program_page", "sources"] and len(validations) == 1
    assert tables["state_sro"].attrs["dataset"] == "state_sro" and "url" in tables["sources"]
    assert len(Figures.load().rows) > 0 and len(validations) == 2  # Figures: every figure dataset, one validation


def test_load_records_its_input_files():
    load_published("state_sro")
    recorded = {entry["name"]: entry["sha256"] for entry in provenance.recorded_inputs()}
    for name in ("state_sro.csv", "sources.csv", "datapackage.json"):
        assert recorded[name] == provenance.file_sha256(FOLDER / name)


def test_definitions_have_sources():
    table = load_published("definitions")
    assert list(table.columns) == ["term", "definition", "source_id", "location"]
    assert set(table["source_id"]) <= set(load_sources()["source_id"])
    assert {"school_resource_officer", "security_staff", "sworn_law_enforcement_2015_16"} <= set(table["term"])


def test_figure_ids_unique_across_package():
    ids = pd.concat([load_published(name)["figure_id"] for name in FIGURE_DATASETS])
    assert ids.is_unique


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference notes not mounted")
def test_digest_233_70a_matches_reference_notes_cell_by_cell():
    """Every cell of the Digest table in the shared reference notes is in the dataset, as printed."""
    text = REFERENCE.read_text(encoding="utf-8")
    section = text.split("Table 233.70a", 1)[1].split("Full-time and part-time-only", 1)[0]
    columns = [("2013-14", "full_time"), ("2013-14", "part_time_only"), ("2015-16", "full_time"), ("2015-16", "part_time_only")]
    table = load_published("nces_digest_233_70a")
    checked = 0
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 5 or cells[0] in ("characteristic", "---"):
            continue
        for (year, staff), printed in zip(columns, cells[1:]):
            row = figure(table, group=cells[0], school_year=year, measure=f"security_staff_{staff}_pct")
            match = re.fullmatch(r"([\d.]+) \(([\d.]+)\)", printed)
            if match:
                assert row["value"] == float(match.group(1)) and row["se"] == float(match.group(2))
                assert row["value_text"] == match.group(1)
            else:
                assert pd.isna(row["value"]) and row["value_text"] == printed
                assert flags(row) == ({"not_applicable"} if printed == "(†)" else {"not_read"})
            checked += 1
    assert checked == 36 == len(table)


def test_flags_from_the_reference_are_kept():
    page = load_published("district_program_page")
    assert "unverified" in flags(figure(page, figure_id="A27"))  # the 61%
    assert {"approximate", "unverified"} <= flags(figure(page, figure_id="A24"))  # "almost 30,000"
    press = load_published("engagement_2017_press")
    students = press[(press["measure"] == "respondents") & (press["group"] == "Students")]
    assert sorted(students["value_text"]) == ["almost 7,000", "over 7,000"]  # both sources kept
    assert all("conflicting_sources" in flags(row) for _, row in students.iterrows())
    assert all("no_percentage_given" in flags(row) for _, row in press[press["value"].isna()].iterrows()
               if row["measure"] != "engagement_sessions")
    discipline = load_published("district_discipline")
    same_point = discipline[discipline["flags"].str.contains("same_point_in_year")]
    assert list(same_point["value"]) == [10.5, 8.1, 7.4, 6.5]
    minnesota = load_published("state_sro")
    assert figure(minnesota, figure_id="E05")["value_text"] == "as high as 6-in-10"
    frss = load_published("nces_frss_2013_14")
    assert {"not_found", "unverified"} <= flags(figure(frss, measure="sro_pct"))


def test_unknown_dataset_and_ambiguous_figure_are_clear_errors():
    with pytest.raises(KeyError, match="no published dataset 'nope'"):
        load_published("nope")
    with pytest.raises(PublishedDataError, match="36 rows match"):
        figure(load_published("nces_digest_233_70a"), unit="percent")


# --- malformed copies -------------------------------------------------------------------------


def edit_cell(folder: Path, file: str, figure_id: str | None, column: str, value: str | None) -> None:
    """Set one cell (or, with value None, drop the column) in a copy of a CSV."""
    path = folder / file
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    header = list(rows[0].keys())
    if value is None:
        header.remove(column)
    key = header[0]
    for row in rows:
        if figure_id is None or row[key] == figure_id:
            if value is None:
                row.pop(column)
            else:
                row[column] = value
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize(
    "file, figure_id, column, value, expected",
    [
        ("state_sro.csv", None, "value", None, r"state_sro\.csv: row 1 \(header\), field\(s\) value: missing column"),
        ("nces_digest_233_70a.csv", "F05", "value", "ten", r"nces_digest_233_70a\.csv: row 6, field value: 'ten' is not a valid number"),
        ("nces_digest_233_70a.csv", "F05", "se", "1.4.6", r"nces_digest_233_70a\.csv: row 6, field se: '1\.4\.6' is not a valid number"),
        ("recommendation_2017.csv", "C03", "source_id", "", r"recommendation_2017\.csv: row 4, field source_id: empty"),
        ("district_program_page.csv", "A17", "source_id", "nowhere", r"district_program_page\.csv: row 18, field source_id: 'nowhere' is not a source_id"),
        ("district_program_page.csv", "A05", "location", "", r"district_program_page\.csv: row 6, field location: empty"),
        ("district_discipline.csv", "D02", "flags", "guessed", r"district_discipline\.csv: row 3, field flags: 'guessed'"),
        ("district_discipline.csv", "D09", "value", "3900", r"district_discipline\.csv: row 10, field value: 3900 does not match value_text '3,090'"),
        ("sources.csv", "swj_2017_07", "url", "", r"sources\.csv: row 5, field url: empty"),
        ("sources.csv", "swj_2017_07", "url", "", r"recommendation_2017\.csv: row 2, field source_id: source 'swj_2017_07' has no URL"),
    ],
)
def test_malformed_file_fails_naming_file_row_and_field(published_copy, file, figure_id, column, value, expected):
    edit_cell(published_copy, file, figure_id, column, value)
    with pytest.raises(PublishedDataError, match=expected):
        load_published("district_program_page", folder=published_copy)  # any dataset: the whole package is checked


def test_undeclared_csv_and_missing_package_file_fail(published_copy):
    (published_copy / "extra.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(PublishedDataError, match="extra.csv: not declared in datapackage.json"):
        validate_published(published_copy)
    (published_copy / "datapackage.json").unlink()
    with pytest.raises(PublishedDataError, match="datapackage.json: file not found"):
        list_published(published_copy)


def test_a_csv_saved_with_a_byte_order_mark_loads(published_copy):
    # Excel's "CSV UTF-8" starts the file with a BOM; Frictionless accepts it, so the package's own
    # header check must too (it used to report figure_id both missing and "not in the schema").
    path = published_copy / "state_sro.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    table = load_published("state_sro", published_copy)
    assert list(table.columns) == FIGURE_COLUMNS
    assert table["figure_id"].iloc[0] == "E01"


# --- the Figures accessor and the one citation style --------------------------------------------


def test_figure_datasets_are_the_ones_with_figure_ids():
    assert figure_datasets() == FIGURE_DATASETS


def test_figures_accessor_reads_every_figure_dataset_once():
    figures = Figures.load()
    assert figures.rows["figure_id"].is_unique and set(figures.rows["dataset"]) == set(FIGURE_DATASETS)
    assert figures.value("A05") == 16 and figures.text("A24") == "almost 30,000"
    assert figures.printed("A18") == "16 hours per year" and figures.printed("A20") == "8 to 24 hours per year"
    assert figures.printed("A23") == "30%" and figures.flagged("A24", "approximate")
    assert list(figures.dataset("state_sro")["figure_id"]) == list(load_published("state_sro")["figure_id"])
    with pytest.raises(KeyError, match="figure Z99 is needed"):
        figures.row("Z99")
    with pytest.raises(ValueError, match="F48 has no numeric value"):
        figures.value("F48")
    with pytest.raises(KeyError, match="source 'nowhere'"):
        figures.source("nowhere")


def test_one_citation_function_full_and_short():
    sources = load_sources().set_index("source_id")
    nces = sources.loc["nces_2015_051"]
    assert citation(nces) == (
        "Public School Safety and Discipline: 2013-14, First Look (NCES 2015-051) "
        "(National Center for Education Statistics, 2015), https://nces.ed.gov/pubs2015/2015051.pdf"
    )
    assert citation(nces, short=True) == "National Center for Education Statistics, 2015-05, https://nces.ed.gov/pubs2015/2015051.pdf"
    undated = sources.loc["alphanews_2017"]
    assert citation(undated, short=True) == "Alpha News, https://alphanews.org/twin-cities-schools-reduce-police-presence/"
    assert "Alpha News)," in citation(undated)
    assert Figures.load().cite("nces_2015_051") == citation(nces, short=True)


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference notes not mounted")
def test_since_2017_cites_every_source_of_reference_section_i():
    section = REFERENCE.read_text(encoding="utf-8").split("## I.", 1)[1]
    urls = set(re.findall(r"https?://\S+?(?=\s|$| ;)", section))
    urls = {url.rstrip(" ;),") for url in urls}
    since = load_published("since_2017")
    cited = set(load_sources().set_index("source_id").loc[sorted(set(since["source_id"]))]["url"])
    assert urls == cited
    assert since["note"].str.len().gt(0).all() or since["value_text"].str.len().gt(0).all()


def test_claims_table_names_figures_the_package_has():
    known = set(Figures.load().rows["figure_id"])
    claims = load_published("claims")
    named = set(claims["inputs"].str.findall(r"\b[A-Z][0-9]{2}\b").sum())
    named |= set(claims["claim"].str.findall(r"\{([A-Z][0-9]{2})").sum())
    assert named and named <= known
