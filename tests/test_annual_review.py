"""The incident-export reader, the year's protected tables, and the annual_review report end to end."""

import csv
import json
import shutil

import pandas as pd
import pytest

from sro_research.analysis import police_contacts as pc
from sro_research.privacy.suppression import TOTAL, check_suppressed_table
from sro_research.readers.incidents import IncidentDataError, load_incident_mapping, read_incidents, school_year_of
from sro_research.reports import annual_review as ar
from sro_research.synthetic import incidents as synthetic
from tests.conftest import EXTERNAL_RESOURCE, FIXTURES

THRESHOLD = 10


@pytest.fixture(scope="module")
def shipped():
    return read_incidents(synthetic.incidents_path(), synthetic.enrollment_path(), synthetic.mapping_path())


@pytest.fixture
def files(tmp_path):
    """Writable copies of the shipped synthetic export, enrollment file and mapping."""
    paths = []
    for source in (synthetic.incidents_path(), synthetic.enrollment_path(), synthetic.mapping_path()):
        paths.append(tmp_path / source.name)
        shutil.copy(source, paths[-1])
    return paths


def _edit(path, row, column, value):
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table.loc[row, column] = value
    table.to_csv(path, index=False)


# --------------------------------------------------------------------------- reader


def test_the_shipped_export_reads_through_the_example_mapping_and_is_synthetic(shipped):
    assert shipped.is_synthetic
    assert shipped.years() == list(synthetic.YEARS)
    rows = shipped.incidents
    assert set(rows["race_ethnicity"].dropna()) <= set(ar.RACES)
    assert set(rows["outcome"]) <= {"none", "suspension", "citation", "arrest", "county_attorney_referral"}
    assert rows["incident_id"].str.startswith("SYN-").all()
    assert set(shipped.sha256) == {"incidents", "enrollment", "mapping"}


def test_the_synthetic_files_are_regenerated_byte_for_byte(tmp_path):
    for written in synthetic.write(tmp_path):
        shipped_file = synthetic.output_dir() / written.name
        assert written.read_bytes() == shipped_file.read_bytes(), written.name


def test_school_years_run_july_to_june():
    assert school_year_of(pd.Timestamp("2017-10-03")) == "2017-18"
    assert school_year_of(pd.Timestamp("2018-06-07")) == "2017-18"
    assert school_year_of(pd.Timestamp("2018-07-01")) == "2018-19"


def test_a_race_label_not_in_the_mapping_is_named_without_its_value(files):
    export, enrollment, mapping = files
    _edit(export, 4, "Race/Ethnicity", "Martian")
    with pytest.raises(IncidentDataError) as error:
        read_incidents(export, enrollment, mapping)
    message = str(error.value)
    assert "incidents_synthetic.csv: row 6, column 'Race/Ethnicity': label not in the mapping" in message
    assert "values.race_ethnicity" in message and "Martian" not in message


def test_a_school_missing_from_the_enrollment_file_is_named_by_row_and_rule(files):
    export, enrollment, mapping = files
    _edit(export, 0, "School Name", "Synthetic Academy Z")
    with pytest.raises(IncidentDataError) as error:
        read_incidents(export, enrollment, mapping)
    message = str(error.value)
    assert "row 2, column 'School Name': school not in the enrollment file for its school year" in message
    assert "Academy Z" not in message


def test_a_wrong_layout_and_bad_cells_are_all_reported(files):
    export, enrollment, mapping = files
    table = pd.read_csv(export, dtype=str, keep_default_na=False).drop(columns=["Outcome"])
    table.to_csv(export, index=False)
    with pytest.raises(IncidentDataError, match=r"row 1 \(header\), column 'Outcome': missing column"):
        read_incidents(export, enrollment, mapping)
    shutil.copy(synthetic.incidents_path(), export)
    _edit(export, 1, "Incident Date", "someday")
    _edit(export, 2, "Behavior Level", "Level 9")
    with pytest.raises(IncidentDataError) as error:
        read_incidents(export, enrollment, mapping)
    assert len(error.value.problems) == 1  # coded fields are checked first; dates once they pass
    assert "row 4, column 'Behavior Level'" in str(error.value) and "Level 9" not in str(error.value)
    _edit(export, 2, "Behavior Level", "Level 2")
    with pytest.raises(IncidentDataError, match=r"row 3, column 'Incident Date': not a date"):
        read_incidents(export, enrollment, mapping)


def test_enrollment_and_mapping_rules(files, tmp_path):
    export, enrollment, mapping = files
    table = pd.read_csv(enrollment, dtype=str, keep_default_na=False)
    pd.concat([table, table.iloc[[0]]]).to_csv(enrollment, index=False)
    with pytest.raises(IncidentDataError, match="a second row for the same school year, school and race"):
        read_incidents(export, enrollment, mapping)
    _edit(enrollment, 3, "Enrolled", "many")
    with pytest.raises(IncidentDataError, match="row 5, column students: not a whole number"):
        read_incidents(export, enrollment, mapping)
    bad = tmp_path / "bad_mapping.yaml"
    bad.write_text("values:\n  outcome:\n    Expelled: expulsion\n", encoding="utf-8")
    with pytest.raises(IncidentDataError, match="values.outcome: a label maps to 'expulsion'"):
        load_incident_mapping(bad)
    bad.write_text("columns:\n  student_name: Name\n", encoding="utf-8")
    with pytest.raises(IncidentDataError, match="columns.student_name: not a field"):
        load_incident_mapping(bad)


# --------------------------------------------------------------------------- tables


@pytest.fixture(scope="module")
def year_2017(shipped):
    return ar.export_tables(shipped, "2017-18", THRESHOLD)


def test_every_year_table_is_suppressed_and_shared_totals_agree(year_2017):
    tables = year_2017["tables"]
    for table in tables.values():
        check_suppressed_table(table)
    outcome_totals = {name: tables[name].hidden.loc[TOTAL] for name in ("race_outcome", "type_outcome", "level_outcome")}
    first = next(iter(outcome_totals.values()))
    assert all(hidden.equals(first) for hidden in outcome_totals.values())
    race_totals = [tables[name].hidden[TOTAL] for name in ("race_outcome", "race_sro")]
    assert race_totals[0].equals(race_totals[1])


def test_a_rate_is_shown_only_with_its_counts(year_2017):
    tables, enrolled = year_2017["tables"], year_2017["enrolled"]
    for outcome in ("suspension", "police", "sro"):
        measures = pc.race_measures(tables, enrolled, outcome, THRESHOLD)
        assert (measures.loc[measures["shown"], "count"] >= THRESHOLD).all()
        assert measures.loc[~measures["shown"], ["count", "risk", "rr_reference", "rr_others"]].isna().all().all()
    police = pc.race_measures(tables, enrolled, "police", THRESHOLD).set_index("race")
    hidden = tables["race_outcome"].hidden["police"]
    assert (police["shown"] == ~hidden.reindex(police.index)).all()
    shown_table = ar.race_table(pc.race_measures(tables, enrolled, "police", THRESHOLD))
    assert (shown_table.loc[~police["shown"].to_numpy(), "Per 100 students (95% CI)"] == "suppressed").all()


def test_data_status_says_synthetic_whenever_synthetic_data_is_on_the_page(shipped):
    assert ar.data_status(None, {})[0] == "published"
    assert ar.data_status(shipped, {})[0] == "synthetic"
    assert ar.synthetic_notice(shipped, {}).startswith("Synthetic demonstration data")
    assert ar.synthetic_notice(None, {}) is None


# --------------------------------------------------------------------------- end to end


def _page(out, name):
    return (out / f"{name}.html").read_text(encoding="utf-8")


def _first_screen(page):
    """Everything before the first section heading after the key findings."""
    return page[: page.index('id="Published-MPS-series"')]


@pytest.mark.slow
def test_report_builds_on_the_synthetic_export_and_the_crdc_fixture(tmp_path):
    from sro_research.build.pipeline import build

    results = build(["annual_review_2017_18"], [f"crdc_dir={FIXTURES / 'crdc'}"], out=tmp_path)
    assert all(r.ok for r in results), [str(r.failure) for r in results if not r.ok]
    page = _page(tmp_path, "annual_review_2017_18")
    first = _first_screen(page)
    assert "Data status:" in first and "synthetic demonstration data" in first
    assert "Key findings" in first and 'class="sro-banner sro-banner-reconstruction"' in first
    assert "CRDC 2017-18: referred to law enforcement" in page and "District: per 100" in page
    assert "Nothing here measures whether officers made schools safer" in page
    assert not EXTERNAL_RESOURCE.search(page) and "Traceback" not in page
    tables = tmp_path / "tables" / "annual_review_2017_18"
    summary = json.loads((tables / "page.json").read_text(encoding="utf-8"))
    assert summary["data_status"] == "synthetic"
    # Sentences from the synthetic export carry its status; those quoting a published MPS series do not.
    assert all(s.startswith("Synthetic demonstration data") or s.startswith("Published:") for s in summary["key_findings"])
    assert any(s.startswith("Synthetic demonstration data: Incident export") for s in summary["key_findings"])
    for path in tables.glob("*.csv"):
        with path.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert rows and all(row["data_status"] == "synthetic demonstration data" for row in rows), path.name
    with (tables / "counts_by_race.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for column, cell in row.items():
                if cell.isdigit():
                    assert int(cell) >= THRESHOLD, (column, cell)


@pytest.mark.slow
def test_published_only_year_builds_and_says_so(built_site):
    tmp_path = built_site
    page = _page(tmp_path, "annual_review_2016_17")
    assert "published figures only" in _first_screen(page)
    assert 'class="sro-banner sro-banner-reconstruction"' not in page and "(SYNTHETIC" not in page
    assert "ocrdata.ed.gov" in page
    summary = json.loads((tmp_path / "tables" / "annual_review_2016_17" / "page.json").read_text(encoding="utf-8"))
    assert summary["data_status"] == "published"


def _published_cells(tables):
    from sro_research.privacy.disclosure import cell

    cells = []
    for name, (row, column) in pc.PARTITIONS.items():
        table = tables[name]
        for label in table.counts.index:
            for value in table.counts.columns:
                where = {**({row: {str(label)}} if label != TOTAL else {}),
                         **({column: {str(value)}} if value != TOTAL else {})}
                cells.append(cell(name, (label, value), table.hidden.loc[label, value], **where))
    return cells


def test_incident_tables_pass_the_cross_table_audit():
    """Suppressed one table at a time, the five incident tables let a reader narrow some hidden counts
    below the threshold by combining them; the audit hides more until no range is that narrow."""
    from sro_research.privacy.disclosure import inferable_ranges

    export = read_incidents(*ar.export_paths(None, None, None))
    rows = pc.year_rows(export.incidents, "2017-18")
    threshold = 10
    categories = {f: sorted(rows[f].astype(str).unique()) for fields in pc.PARTITIONS.values() for f in fields}
    frame = rows[list(categories)].astype(str)

    def narrowest(tables):
        ranges = inferable_ranges(frame, categories, _published_cells(tables))
        return min(high - low for low, high in ranges.values())

    assert narrowest(pc.protected_tables(rows, threshold)) < threshold  # table by table is not enough
    tables, audit = pc.audited_tables(rows, threshold)
    assert audit.newly_hidden and audit.smallest_range >= threshold
    assert narrowest(tables) >= threshold - 1e-6  # solved again, independently of the audit's own record
