"""What readers see: tables (also written as CSV), banners, figures with alt text; and input checksums."""

import hashlib
import base64
import json
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from sro_research import provenance, reporting


@pytest.fixture
def shown(monkeypatch, tmp_path):
    """Capture what would be displayed, and write tables to a temporary folder."""
    monkeypatch.setenv(reporting.TABLES_ENV, str(tmp_path / "tables"))
    captured = []
    monkeypatch.setattr("IPython.display.display", lambda obj: captured.append(getattr(obj, "data", obj)))
    return captured


def test_show_table_displays_and_writes_the_same_rows(shown, tmp_path):
    frame = pd.DataFrame({"year": ["2005-06"], "source": ["https://nces.ed.gov/a/b"], "value": [33.6]})
    assert reporting.show_table(frame, "estimates", caption="Caption & more") is None
    assert pd.read_csv(tmp_path / "tables" / "estimates.csv").to_dict("records") == [
        {"year": "2005-06", "source": "https://nces.ed.gov/a/b", "value": 33.6}
    ]
    page = shown[0]
    assert "<caption>Caption &amp; more</caption>" in page
    assert "2005&#8209;06" in page  # a school year does not break across lines
    assert "https:/<wbr>/<wbr>nces.ed.gov/<wbr>a/<wbr>b" in page  # long URLs may wrap at slashes


def test_table_names_are_safe_file_names(shown):
    with pytest.raises(ValueError, match="must be lower-case"):
        reporting.save_table(pd.DataFrame(), "../escape")


def test_banner_escapes_text_and_checks_its_kind(shown):
    reporting.banner("a <b> c", kind="fallback", title="No data.")
    assert 'class="sro-banner sro-banner-fallback"' in shown[0] and "a &lt;b&gt; c" in shown[0]
    with pytest.raises(ValueError, match="not one of"):
        reporting.banner("x", kind="loud")


def test_show_figure_embeds_png_with_alt_text(shown):
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    reporting.show_figure(fig, alt='Line "up"')
    assert '<img class="sro-figure" src="data:image/png;base64,' in shown[0]
    assert 'alt="Line &quot;up&quot;"' in shown[0]
    assert not plt.get_fignums()  # closed, so the inline backend does not show it again


def test_record_input_is_carried_in_the_executed_notebook(tmp_path, monkeypatch):
    """In a kernel each input is displayed as a hidden output, which the build and `render` read back."""
    from IPython.core.interactiveshell import InteractiveShell

    data = tmp_path / "input.csv"
    data.write_text("a\n1\n")
    shown = []
    monkeypatch.setattr(InteractiveShell, "initialized", classmethod(lambda cls: True))
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    digest = provenance.record_input(data, role="test")
    provenance.record_input(data, role="test")  # the same file twice is one entry
    assert digest == hashlib.sha256(b"a\n1\n").hexdigest()
    assert len(shown) == 1 and list(shown[0]) == [provenance.INPUTS_MIME]
    nb = {"cells": [{"cell_type": "code", "outputs": [{"output_type": "display_data", "data": shown[0]}]},
                    {"cell_type": "markdown", "source": "text"}]}
    entries = provenance.notebook_inputs(nb)
    assert [(e["name"], e["sha256"], e["bytes"], e["role"]) for e in entries] == [("input.csv", digest, 4, "test")]


def test_tables_readers_see_words_yes_no_and_readable_p_values(shown, tmp_path):
    frame = pd.DataFrame({
        "role": ["Student", "Staff"], "ci95_low": [70.1, 80.2], "p_value": [7.93e-05, 0.0529],
        "agrees_with_nces": [True, False], "suppressed": [False, False], "status": ["discrepancy", "internally consistent"],
    })
    reporting.show_table(frame, "human", labels={"role": "Group"})
    page = shown[0]
    for words in ("<th scope=\"col\">Group</th>", "95% CI, low", "p-value", "Agrees with NCES"):
        assert words in page
    assert "ci95_low" not in page and "True" not in page and "False" not in page
    assert ">yes<" in page and ">no<" in page
    assert ">&lt; 0.001<" in page and ">0.053<" in page and "e-05" not in page
    assert "uppressed" not in page  # nothing suppressed: no column
    assert '<span class="sro-status sro-status-discrepancy">discrepancy</span>' in page
    assert '<span class="sro-status sro-status-internally-consistent">internally consistent</span>' in page
    assert 'class="sro-table sro-table-wide"' not in page and 'data-label="Group"' in page
    # The CSV keeps machine-readable names and values.
    assert list(pd.read_csv(tmp_path / "tables" / "human.csv").columns) == list(frame.columns)


def test_a_suppressed_column_with_a_suppression_stays_and_sources_get_anchors(shown):
    reporting.show_table(pd.DataFrame({"count": [None, 12], "suppressed": [True, False]}), "kept")
    assert "Suppressed" in shown[0] and ">yes<" in shown[0]
    reporting.show_table(pd.DataFrame({"source_id": ["mps_sro_page"], "url": ["https://example.org/x?a=1&b=2"]}), "sources")
    assert '<tr id="source-mps_sro_page">' in shown[1]
    assert '<a href="https://example.org/x?a=1&amp;b=2">' in shown[1]


def test_long_banner_keeps_sixty_words_and_collapses_the_rest(shown):
    long = " ".join(["This sentence has exactly eight words in it."] * 12)
    reporting.banner(long, kind="reconstruction", title="Reconstruction.", details="Why it exists.")
    page = shown[0]
    visible = page.split("<details>")[0]
    assert len(visible.split("</strong>")[1].split()) <= reporting.BANNER_WORDS
    assert "<details><summary>More about this</summary>" in page and "Why it exists." in page


def test_key_findings_of_a_reconstruction_carry_its_status(shown, tmp_path):
    reporting.set_data_status("reconstruction", "built to match published figures")
    try:
        reporting.show_key_findings([("Staff agreed more often than students.", "agreement")])
        summary = json.loads((tmp_path / "tables" / reporting.PAGE_SUMMARY).read_text())
        assert summary["key_findings"][0].startswith("Illustrative reconstruction (synthetic): Staff")
        reporting.show_key_findings([("Staff agreed.", "agreement"), ("The press printed 72%.", "published", "published")])
        summary = json.loads((tmp_path / "tables" / reporting.PAGE_SUMMARY).read_text())
        assert summary["key_findings"] == ["Illustrative reconstruction (synthetic): Staff agreed.", "The press printed 72%."]
        with pytest.raises(ValueError, match="not one of"):
            reporting.show_key_findings([("x", "y", "invented")])
        assert 'href="#agreement"' in shown[-1]
        reporting.save_table(pd.DataFrame({"a": [1]}), "flagged")
        assert pd.read_csv(tmp_path / "tables" / "flagged.csv")["data_status"].tolist() == ["illustrative reconstruction (synthetic)"]
    finally:
        reporting._page.update(data_status=None, data_status_detail="", key_findings=[])


def test_watermark_labels_a_chart_once_and_keeps_its_title():
    fig, axes = plt.subplots(1, 2)
    fig.suptitle("Rates by race, 2017-18")
    reporting.watermark(fig, "illustrative reconstruction")
    reporting.watermark(fig, "illustrative reconstruction")
    marks = [t.get_text() for t in fig.texts if t is not fig._suptitle]
    assert marks == ["ILLUSTRATIVE RECONSTRUCTION"] * 2  # a line above the title, one diagonal mark
    assert not [t for ax in axes for t in ax.texts]
    assert fig._suptitle.get_text() == "Rates by race, 2017-18"
    plt.close(fig)


def test_a_synthetic_report_labels_captions_charts_and_csvs_but_not_a_published_series(shown, tmp_path):
    reporting.set_data_status("synthetic", "shipped export")
    try:
        frame = pd.DataFrame({"Race/ethnicity": ["Black"], "Per 100 students (95% CI)": ["9.1 (8.0 to 10.2)"]})
        reporting.show_table(frame, "rates_suspension", caption="Suspension per 100 students, 2017-18")
        assert "<caption>Synthetic demonstration data: Suspension per 100 students, 2017-18</caption>" in shown[-1]
        assert 'href="tables/interactive/rates_suspension.csv"' in shown[-1]
        assert "Race/<wbr>ethnicity" in shown[-1]  # a printed header breaks after the slash, not mid-word
        reporting.show_table(pd.DataFrame({"year": ["2016-17"]}), "published_series", caption="Published series",
                             source="published")
        assert "<caption>Published series</caption>" in shown[-1]
        assert pd.read_csv(tmp_path / "tables" / "published_series.csv")["data_status"].tolist() == ["published figures only"]
        reporting.show_table(pd.DataFrame({"n": [1]}), "uncaptioned")
        assert "<caption>Synthetic demonstration data</caption>" in shown[-1]
        fig, ax = plt.subplots()
        ax.plot([1, 2], [3, 4])
        reporting.show_figure(fig, alt="Line chart", table="rates_suspension")
        assert 'alt="Synthetic demonstration data: Line chart"' in shown[-1]
        assert 'href="tables/interactive/rates_suspension.csv"' in shown[-1]
        fig, ax = plt.subplots()
        ax.plot([1, 2], [3, 4])
        reporting.show_figure(fig, alt="Published line", source="published")
        assert 'alt="Published line"' in shown[-1]
    finally:
        reporting._page.update(data_status=None, data_status_detail="", key_findings=[])


def test_csv_field_names_are_machine_names_and_the_words_go_to_the_schema(shown, tmp_path):
    frame = pd.DataFrame({"Race/ethnicity": ["Black"], "Per 100 students (95% CI)": ["9.1"], "Cramér's V": [0.2],
                          "respondents": [12], "agrees": [True]})
    reporting.save_table(frame, "rates", labels={"respondents": "Respondents (n)"}, caption="Rates")
    header = (tmp_path / "tables" / "rates.csv").read_text().splitlines()[0]
    assert header == "race_ethnicity,per_100_students_95_pct_ci,cramer_s_v,respondents,agrees"
    package = json.loads((tmp_path / "tables" / "datapackage.json").read_text())
    fields = package["resources"][0]["schema"]["fields"]
    assert [f["title"] for f in fields] == ["Race/ethnicity", "Per 100 students (95% CI)", "Cramér's V",
                                            "Respondents (n)", "Agrees"]
    assert [f["type"] for f in fields] == ["string", "string", "number", "integer", "boolean"]
    from frictionless import Package

    report = Package(str(tmp_path / "tables" / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_a_chart_keeps_its_smallest_text_readable_on_a_phone(shown):
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.plot([1, 2], [3, 4])
    ax.tick_params(labelsize=8)
    fig.canvas.draw()  # tick labels get their text when drawn
    assert reporting.smallest_text_points(fig) == 8
    reporting.show_figure(fig, alt="Line")
    min_text = float(re.search(r'data-min-text-px="([0-9.]+)"', shown[-1]).group(1))
    min_width = int(re.search(r"min-width: (\d+)px", shown[-1]).group(1))
    mime, data = re.search(r'src="data:([^;]+);base64,([^"]+)"', shown[-1]).groups()
    natural = reporting.natural_width(mime, base64.b64decode(data))
    assert natural > min_width  # a desktop shows it whole; a phone scrolls it rather than shrink it
    assert min_text * min_width / natural == pytest.approx(reporting.MIN_CHART_TEXT_PX, abs=0.05)


def test_figures_are_small_and_need_alt_text(shown):
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.bar(["a", "b", "c"], [1, 3, 2])
    mime, picture = reporting.figure_image(fig)
    assert mime in ("image/png", "image/svg+xml") and len(picture) < 40_000
    with pytest.raises(ValueError, match="alternative text"):
        reporting.show_figure(fig, alt=" ")
    plt.close(fig)


def test_an_appendix_table_can_be_collapsed_under_its_caption(shown):
    reporting.show_table(pd.DataFrame({"year": ["2005-06", "2007-08"]}), "appendix", caption="By level", collapsed=True)
    assert shown[0].startswith('<details class="sro-collapsed"><summary>By level (2 rows)</summary><div class="sro-table-box"')


def test_a_notebook_run_by_hand_writes_its_tables_to_the_ignored_scratch_folder(tmp_path, monkeypatch):
    """Not under reports/ (the published folder): JupyterLab or plain papermill, no build around it."""
    import subprocess

    from tests.conftest import PROJECT_ROOT

    (tmp_path / "reports.toml").write_text("")
    monkeypatch.setenv("SRO_PROJECT_ROOT", str(tmp_path))
    for variable in (reporting.TABLES_ENV, reporting.REPORT_ENV, "JPY_SESSION_NAME"):
        monkeypatch.delenv(variable, raising=False)
    assert reporting.save_table(pd.DataFrame({"a": [1]}), "t") == tmp_path / "scratch" / "tables" / "interactive" / "t.csv"
    monkeypatch.setenv("JPY_SESSION_NAME", "notebooks/claims_ledger.ipynb")  # set by JupyterLab for its kernels
    assert reporting.save_table(pd.DataFrame({"a": [1]}), "t") == tmp_path / "scratch" / "tables" / "claims_ledger" / "t.csv"
    assert not (tmp_path / "reports").exists()
    ignored = subprocess.run(["git", "check-ignore", "-q", "scratch/tables/claims_ledger/t.csv"], cwd=PROJECT_ROOT)
    assert ignored.returncode == 0, "scratch/ must be git-ignored"
