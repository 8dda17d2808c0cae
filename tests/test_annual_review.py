"""The incident-export reader, the year's protected tables, and the annual_review report end to end."""

import csv
import json
import shutil
from dataclasses import replace

import pandas as pd
import pytest

from sro_research.analysis import police_contacts as pc
from sro_research.privacy.suppression import TOTAL, check_suppressed_table
from sro_research.readers.incidents import RACES, IncidentDataError, load_incident_mapping, read_incidents, school_year_of
from sro_research.reports import annual_review as ar
from sro_research.reports import annual_review_figures as arf
from sro_research.reports import annual_review_incidents as ari
from sro_research.synthetic import incidents as synthetic
from sro_research.district import load_profile
from tests.conftest import EXTERNAL_RESOURCE, FIXTURES, PROJECT_ROOT

DISTRICT = load_profile("minneapolis", PROJECT_ROOT / "reports.toml")

THRESHOLD = 10


@pytest.fixture(scope="module")
def shipped():
    return read_incidents()  # no export given: the reader reads the shipped SYNTHETIC files


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
    assert set(rows["race_ethnicity"].dropna()) <= set(RACES)
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
    return pc.year_tables(shipped, "2017-18", THRESHOLD)


def test_every_year_table_is_suppressed_and_shared_totals_agree(year_2017):
    tables = year_2017.tables
    for table in tables.values():
        check_suppressed_table(table)
    outcome_totals = {name: tables[name].hidden.loc[TOTAL] for name in ("race_outcome", "type_outcome", "level_outcome")}
    first = next(iter(outcome_totals.values()))
    assert all(hidden.equals(first) for hidden in outcome_totals.values())
    race_totals = [tables[name].hidden[TOTAL] for name in ("race_outcome", "race_sro")]
    assert race_totals[0].equals(race_totals[1])


def test_a_rate_is_shown_only_with_its_counts(year_2017):
    tables = year_2017.tables
    for outcome in ("suspension", "police", "sro"):
        measures = pc.race_measures(year_2017, outcome, THRESHOLD)
        assert (measures.loc[measures["shown"], "count"] >= THRESHOLD).all()
        assert measures.loc[~measures["shown"], ["count", "risk", "rr_reference", "rr_others"]].isna().all().all()
    police = pc.race_measures(year_2017, "police", THRESHOLD).set_index("race")
    hidden = tables["race_outcome"].hidden["police"]
    assert (police["shown"] == ~hidden.reindex(police.index)).all()
    shown_table = ari.race_table(pc.race_measures(year_2017, "police", THRESHOLD))
    assert (shown_table.loc[~police["shown"].to_numpy(), "Per 100 students (95% CI)"] == "suppressed").all()


def test_involvement_intervals_allow_for_clustering_in_schools(year_2017):
    """Black students' police contacts spread across schools well beyond Poisson (phi about 2.4), so the
    school-clustered interval of their rate is wider than the exact Poisson one. The ratio to white
    students in the same schools need not widen (a school's own level moves both), but it is no longer
    the Poisson interval. Point estimates are unchanged."""
    from sro_research.stats.disproportionality import rate, rate_ratio

    police = pc.race_measures(year_2017, "police", THRESHOLD).set_index("race")
    black, white = police.loc["black"], police.loc["white"]
    assert black["phi"] == pytest.approx(2.43, abs=0.01)
    exact = rate(black["count"], black["enrolled"])
    assert black["risk"] == pytest.approx(exact[0])
    assert black["risk_high"] - black["risk_low"] > 1.3 * (exact[2] - exact[1])
    poisson = rate_ratio(black["count"], black["enrolled"], white["count"], white["enrolled"])
    assert black["rr_reference"] == pytest.approx(poisson[0])
    assert black["rr_reference_low"] != pytest.approx(poisson[1], rel=0.01)
    assert police.attrs["clusters"] == year_2017.by_school["school"].nunique()
    # the school-level counts are the table's counts
    assert year_2017.by_school.groupby("race")["police"].sum()["black"] == black["count"]


def test_an_export_without_its_enrollment_file_is_refused(files):
    export, _, mapping = files
    with pytest.raises(IncidentDataError, match="no enrollment file given"):
        read_incidents(export, None, mapping)


def test_the_first_key_finding_is_about_the_year_under_review(year_2017):
    from sro_research.readers.published import load_published

    published = load_published("district_discipline")
    measures = ari.year_measures(year_2017, THRESHOLD)
    assert ar.key_findings(published, "2017-18", measures, [], THRESHOLD, DISTRICT)[0][0].startswith("Incident export, 2017-18")
    first = ar.key_findings(published, "2016-17", None, [], THRESHOLD, DISTRICT)[0][0]
    assert first.startswith("Published: in 2016-17") and "6.5%" in first
    assert "2019-20" in ar.key_findings(published, "2019-20", None, [], THRESHOLD, DISTRICT)[0][0]


def test_sections_without_data_fold_into_one_plain_note():
    note = ar.absent_sections_note("2016-17", has_export=False, has_crdc=False)
    assert note.startswith("**Not in this review for 2016-17.**") and "Civil Rights Data Collection" in note
    for developer_word in ("crdc_dir", "_path", ".csv", "reader", "folder", "parameter"):
        assert developer_word not in note.lower()
    assert ar.absent_sections_note("2017-18", True, True) is None


def _smallest_text_on_a_phone(fig, screen_px: float = 390) -> float:
    """CSS pixels of the smallest text when the image (cut to its tight box, as the page saves it) is shown
    `screen_px` wide."""
    import matplotlib.text

    fig.canvas.draw()
    width = fig.get_tightbbox(fig.canvas.get_renderer()).width  # inches
    sizes = [t.get_fontsize() for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text().strip()]
    return min(sizes) / 72 * screen_px / width


def test_trend_panels_one_per_source_and_measure_and_readable_on_a_phone(shipped, year_2017):
    import matplotlib.pyplot as plt

    from sro_research.readers.published import load_published

    series = ar.same_point_series(load_published("district_discipline"), DISTRICT)
    trend = arf.trend_table(series, {"2017-18": year_2017}, True, {}, {}, THRESHOLD)
    published = arf.plot_trend(trend, published=True)
    others = arf.plot_trend(trend, published=False)
    try:
        groups = trend.groupby(["Source", "Measure"]).ngroups
        assert len(published.axes) == 1 and len(others.axes) == groups - 1
        assert len({round(ax.get_position().x0, 3) for ax in others.axes}) == 1  # stacked in one column
        for ax in others.axes:
            series = [line for line in ax.lines if line.get_marker() == "o"]  # error-bar caps are lines too
            assert len(series) == 1 and "Published" not in ax.get_title(loc="left")  # one series per panel
        assert "SYNTHETIC" not in published.axes[0].get_title(loc="left")
        measures = ari.year_measures(year_2017, THRESHOLD)
        rates = arf.plot_race_rates({o: measures[o] for o in ("suspension", "police")}, "2017-18")
        for fig in (published, others, rates):
            assert _smallest_text_on_a_phone(fig) >= 9
    finally:
        plt.close("all")


def test_data_status_says_synthetic_whenever_synthetic_data_is_on_the_page(shipped):
    assert ar.data_status(None, {}, DISTRICT)[0] == "published"
    assert ar.data_status(shipped, {}, DISTRICT)[0] == "synthetic"
    assert ar.synthetic_notice(shipped, {}, DISTRICT).startswith("Synthetic demonstration data, not Minneapolis Public Schools records")
    assert ar.synthetic_notice(None, {}, DISTRICT) is None
    invented = replace(DISTRICT, status="synthetic", short_name="EVSD")
    assert ar.data_status(None, {}, invented) == ("synthetic", "published EVSD figures")


# --------------------------------------------------------------------------- end to end


def _page(out, name):
    return (out / f"{name}.html").read_text(encoding="utf-8")


def _first_screen(page):
    """Everything before the first section heading after the key findings."""
    return page[: page.index('id="Published-series"')]


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
        # The published MPS series is real: its CSV says so; every table built from the export says synthetic.
        expected = "published figures only" if path.name == "published_series.csv" else "synthetic demonstration data"
        assert rows and all(row["data_status"] == expected for row in rows), path.name
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
    assert "2016-17 annual review" in page[page.index("<h1"):page.index("</h1>")]
    reader_facing = page[:page.index('id="How-the-figures-were-computed"')]
    for developer_word in ("crdc_dir", "saved under a folder", "the reader knows", "_synthetic.csv"):
        assert developer_word not in reader_facing
    assert "Not in this review for 2016-17" in page and 'id="Incidents-this-year"' not in page
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

    export = read_incidents()
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


@pytest.mark.slow
@pytest.mark.parametrize("year", ["2015-16", "2020-21", "2021-22"])
def test_every_crdc_year_builds_from_its_fixture_folder(tmp_path, year):
    """2017-18 is built with the export above; the other CRDC years build with CRDC and published figures."""
    from sro_research.build.pipeline import build

    results = build(["annual_review_2016_17"], [f"crdc_dir={FIXTURES / 'crdc'}", f"school_year={year}"], out=tmp_path)
    assert all(r.ok for r in results), [str(r.failure) for r in results if not r.ok]
    page = _page(tmp_path, "annual_review_2016_17")
    assert f"{year} annual review" in page[page.index("<h1"):page.index("</h1>")]
    assert f"CRDC {year}: referred to law enforcement, per 100 enrolled students, by race" in page
    assert "With disabilities (IDEA)" in page and "Female" in page
    tables = tmp_path / "tables" / "annual_review_2016_17"
    assert (tables / "crdc_coverage.csv").exists() and (tables / "crdc_referred_race_by_disability.csv").exists()
