"""The nces_comparisons report: its pieces, charts and notebook, on the SSOCS files and published figures."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from tests.conftest import SSOCS, executed_outputs, needs_ssocs, notebook_outputs
from sro_research.analysis import ssocs_estimates as est
from sro_research.paths import project_root
from sro_research.readers import ssocs
from sro_research.readers.published import load_published
from sro_research.district import load_profile
from tests.conftest import PROJECT_ROOT

DISTRICT = load_profile("minneapolis", PROJECT_ROOT / "reports.toml")



# -- the report's pieces and the notebook itself ---------------------------------------------------


def published_figures(folder=None) -> dict:
    from sro_research.reports import nces_comparisons as nc

    return {name: load_published(name, folder) for name in nc.PUBLISHED_DATASETS}


@needs_ssocs
def test_report_pieces(ssocs_table, ssocs_frame):
    from sro_research.analysis import ssocs_differences as sd
    from sro_research.reports import nces_comparisons as nc

    published = published_figures()
    check = nc.digest_check(ssocs_table, published["nces_digest_233_70a"])
    assert len(check) >= 16 and (check["Same to the printed decimal"] == "yes").all()
    by_level = nc.domain_table(ssocs_table, "level")
    assert list(by_level["Group"][:4]) == ssocs.LEVELS
    row = ssocs_table[(ssocs_table.year == "2015-16") & (ssocs_table.indicator == "security_full_time") & (ssocs_table.domain_variable == "all")].iloc[0]
    assert nc.format_estimate(row) == "33.6 (1.31)"
    assert nc.format_estimate(pd.Series({**row, "flag": "‡"})) == "‡"
    assert nc.shown_n(9) == "fewer than 10" and nc.shown_n(91) == "91"
    differences = sd.difference_table(ssocs_frame, ssocs_table)
    peer = nc.peer_comparison(ssocs_table, differences)
    assert {"Any SRO", "Sworn law enforcement (incl. SROs)"} <= set(peer["Measure"])
    assert set(peer["Verdict"]) == {"significantly higher (p < .05)"}
    assert set(peer["p-value"]) <= {"< 0.001", "0.001"}
    findings = nc.key_findings(ssocs_table, differences, nc.local_figures(published, DISTRICT), check,
                               nc.count_check(est.published_count_check(ssocs_table, published["ssocs_published_tables"])),
                               None, "High school")
    assert 3 <= len(findings) <= 6 and "significantly higher (p < .05)" in findings[0][0]
    assert "17 of 17 cells" in findings[-1][0]
    sentences = nc.trend_sentences(differences)
    assert "2015-16 to 2019-20" in sentences and "not measurably different" in sentences


def test_p_values_read_as_numbers_people_use():
    from sro_research.readable_tables import p_statement, p_value_text

    assert p_value_text(7.93e-05) == "< 0.001" and p_value_text(0.0421) == "0.042" and p_value_text(float("nan")) == "—"
    assert p_value_text(None, missing="not tested") == "not tested" and p_value_text(pd.NA) == "—"
    assert p_statement(7.93e-05) == "p < 0.001" and p_statement(0.0421) == "p = 0.042"


def test_published_pieces_need_no_microdata():
    from sro_research.reports import nces_comparisons as nc

    published = published_figures()
    points = nc.published_trend_points(published)
    assert set(points["year"]) >= {"2009-10", "2013-14"} and points["figure_id"].notna().all()
    hs = nc.published_high_school_sro(published)
    assert hs.set_index("Year").loc["2005-06", "Percent (computed)"] == round(100 * 7200 / 11700, 1)
    local = nc.local_figures(published, DISTRICT)
    assert local.iloc[0]["Estimate (%)"] == 100.0 and "seven" in local.iloc[0]["As published"]
    assert list(local["Who"]) == ["MPS comprehensive high schools", "Minnesota public schools", "Minnesota high schools",
                                  "Minnesota high schools serving grades 9-12 only"]
    assert list(local["Short"])[1:] == ["MN SRO: all", "MN SRO: HS", "MN SRO: HS 9-12 (unverified)"]
    conclusions = nc.conclusions_markdown(local, DISTRICT)
    assert "MPS's figure is for 2016-17; SSOCS has 2015-16 and 2017-18. Minnesota's figures come from a 2013 survey" in conclusions


def run_notebook(tmp_path, monkeypatch, ssocs_dir, **parameters):
    import papermill

    monkeypatch.setenv("SRO_REPORT_NAME", "nces_comparisons")
    monkeypatch.setenv("SRO_TABLES_DIR", str(tmp_path / "tables"))
    monkeypatch.delenv(ssocs.SSOCS_DIR_ENV, raising=False)
    if ssocs_dir is not None:
        parameters["ssocs_dir"] = str(ssocs_dir)
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(
        str(project_root() / "notebooks" / "nces_comparisons.ipynb"), str(out), cwd=str(project_root()), progress_bar=False,
        parameters=parameters,
    )
    text, figures = notebook_outputs(out)
    return text, figures, tmp_path / "tables"


@pytest.mark.slow
def test_notebook_with_an_empty_folder_shows_published_figures_and_says_what_is_missing(fallback_site):
    text, figures, tables = executed_outputs(fallback_site, "nces_comparisons")
    assert "sro-banner-fallback" in text
    for name in ssocs.expected_files().values():
        assert name in text
    assert ssocs.NCES_DATA_URL in text
    assert figures == 3
    assert not (tables / "ssocs_estimates.csv").exists()
    assert (tables / "published_trend_points.csv").exists()


@needs_ssocs
@pytest.mark.slow
def test_notebook_with_no_folder_set_reads_the_repository_copy(built_site):
    text, figures, tables = executed_outputs(built_site, "nces_comparisons")
    assert "sro-banner-fallback" not in text and figures == 3
    assert text.index("Key findings") < text.index("The peer group (high schools in cities")
    written = pd.read_csv(tables / "ssocs_estimates.csv", keep_default_na=False)
    assert list(written.columns)[: len(est.ESTIMATE_COLUMNS)] == est.ESTIMATE_COLUMNS
    assert set(written["year"]) == set(ssocs.YEARS)
    differences = pd.read_csv(tables / "ssocs_differences.csv", keep_default_na=False)
    assert list(differences.columns)[:16] == [
        "kind", "indicator", "domain_variable", "domain_value", "year", "from", "to", "estimate_from", "estimate_to",
        "difference", "se", "df", "t", "p_value", "significant", "comparable",
    ]
    assert "Same to the printed decimal" in text and ">NO<" not in text
    assert "<details" in text and not (tables / "by_percent_white.csv").exists()  # the duplicate of the minority table
    assert "without adjustment for the number of comparisons" in text
    assert "e-0" not in text  # no 7.93e-05 style numbers


def test_local_figures_count_mps_schools_from_the_published_figure(tmp_path):
    from sro_research.reports import nces_comparisons as nc
    from tests.test_published import FOLDER, edit_cell

    folder = tmp_path / "published"
    shutil.copytree(FOLDER, folder)
    edit_cell(folder, "district_program_page.csv", "A09", "value", "8")
    edit_cell(folder, "district_program_page.csv", "A09", "value_text", "eight")
    mps = nc.local_figures(published_figures(folder), DISTRICT).iloc[0]
    assert mps["95% CI"] == "none: all 8 schools counted, not a sample"


def _estimate_row(**values) -> dict:
    row = {column: 0 for column in est.ESTIMATE_COLUMNS}
    row.update({"ci_method": est.KORN_GRAUBARD, "df": 49.0})
    return row | values


def test_peer_comparison_hides_a_suppressed_estimate():
    from sro_research.analysis import ssocs_differences as sd
    from sro_research.reports import nces_comparisons as nc

    row = _estimate_row(year="2017-18", indicator="sworn_law_enforcement", domain_variable="peer_group", domain_value="x",
                        estimate=100.0, se=np.nan, ci_low=np.nan, ci_high=np.nan, cv=np.nan, n=1, weighted_n=5.0, flag="‡")
    peer = nc.peer_comparison(pd.DataFrame([row]), pd.DataFrame(columns=sd.DIFFERENCE_COLUMNS))
    assert peer.iloc[0]["Peer group (%)"] == "‡" and peer.iloc[0]["95% CI"] == "‡"
    assert peer.iloc[0]["Sampled schools"] == "fewer than 10"


def test_peer_sentences_carry_the_caution_flag_and_the_tested_verdict():
    from sro_research.analysis import ssocs_differences as sd
    from sro_research.reports import nces_comparisons as nc

    peer = _estimate_row(year="2017-18", indicator="sworn_law_enforcement", domain_variable="peer_group", domain_value="Combined; Town",
                         estimate=77.7, se=24.5, ci_low=29.7, ci_high=100.0, n=40, flag="!")
    test = {"kind": sd.PEER_KIND, "indicator": "sworn_law_enforcement", "domain_variable": "peer_group",
            "domain_value": sd.PEER_NAME, "year": "2017-18", "from": "High school", "to": sd.PEER_NAME, "estimate_from": 76.5,
            "estimate_to": 77.7, "difference": 1.2, "se": 24.0, "df": 49.0, "t": 0.05, "p_value": 0.96, "significant": False,
            "comparable": True}
    text = nc.peer_sentences(pd.DataFrame([peer]), pd.DataFrame([test]))
    assert "**78%** (interpret with caution: the standard error is 30% to 50% of the estimate; 95% CI 30% to 100%)" in text
    assert "not measurably different than the 76% of all U.S. public high schools" in text


def test_downloadable_estimates_hide_sample_sizes_under_the_threshold():
    from sro_research.privacy.suppression import DEFAULT_THRESHOLD
    from sro_research.reports import nces_comparisons as nc

    rows = [_estimate_row(n=n, flag="") for n in (1, DEFAULT_THRESHOLD - 1, DEFAULT_THRESHOLD, 2724)]
    out = nc.downloadable_estimates(pd.DataFrame(rows))
    assert list(out.columns) == est.ESTIMATE_COLUMNS
    assert out["n"].isna().tolist() == [True, True, False, False]
    assert out["n"].dropna().tolist() == [DEFAULT_THRESHOLD, 2724]


@needs_ssocs
@pytest.mark.slow
def test_notebook_with_no_peer_estimates_shows_no_empty_peer_table(tmp_path, monkeypatch):
    # 2017-18 does not measure any_sro: nothing to put in the peer table, so no empty table.
    text, figures, tables = run_notebook(tmp_path, monkeypatch, SSOCS, years=["2017-18"], indicators=["any_sro"])
    assert "The peer group (" not in text
    assert not (tables / "peer_comparison.csv").exists()


def test_a_missing_published_trend_figure_is_named(tmp_path):
    from sro_research.readers.published import PublishedDataError
    from sro_research.reports import nces_comparisons as nc
    from tests.test_published import FOLDER

    folder = tmp_path / "published"
    shutil.copytree(FOLDER, folder)
    path = folder / "nces_frss_2013_14.csv"
    path.write_text("".join(line for line in path.read_text(encoding="utf-8").splitlines(True) if not line.startswith("F37,")), encoding="utf-8")
    with pytest.raises((PublishedDataError, KeyError, ValueError), match="F37"):
        nc.published_trend_points(published_figures(folder))


@needs_ssocs
def test_charts_are_titled_readable_on_a_phone_and_mark_the_claims(ssocs_table):
    import io
    import struct

    from sro_research.reports import nces_comparisons as nc
    from sro_research.reports import nces_comparisons_figures as figures

    published = published_figures()
    charts = {
        "peer": figures.peer_figure(ssocs_table, nc.local_figures(published, DISTRICT), None, DISTRICT),
        "trend": figures.trend_figure(ssocs_table, nc.published_trend_points(published), nc.cited_figure(published, DISTRICT),
                                      DISTRICT),
        "high schools": figures.high_school_figure(ssocs_table, nc.published_high_school_sro(published)),
    }
    for name, fig in charts.items():
        assert fig._suptitle is not None and fig._suptitle.get_text(), name
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")  # as reporting.show_figure
        width_px = struct.unpack(">II", buffer.getvalue()[16:24])[0]
        smallest_pt = min(t.get_fontsize() for t in fig.findobj(lambda o: hasattr(o, "get_fontsize") and hasattr(o, "get_text") and o.get_text()))
        # Shown 390 px wide, a label of s pt in a w px image is s * 100/72 * 390/w px tall.
        assert smallest_pt * 100 / 72 * 390 / width_px >= 10, (name, smallest_pt, width_px)
    peer_lines = [line.get_xdata()[0] for line in charts["peer"].axes[0].get_lines() if line.get_linestyle() == "--"]
    assert 100.0 in peer_lines  # the district's 100%
    trend_lines = [line.get_ydata()[0] for line in charts["trend"].axes[0].get_lines() if line.get_linestyle() == "--"]
    import matplotlib.pyplot as plt

    plt.close("all")  # leave no open figure for later tests
    assert float(nc.cited_figure(published, DISTRICT)["value"]) in trend_lines  # the 30% the district cited


@needs_ssocs
def test_trend_draws_no_line_across_a_changed_item(ssocs_table):
    from sro_research.reports import nces_comparisons as nc
    from sro_research.reports import nces_comparisons_figures as figures

    published = published_figures()
    fig = figures.trend_figure(ssocs_table, nc.published_trend_points(published), nc.cited_figure(published, DISTRICT),
                               DISTRICT)
    import matplotlib.pyplot as plt

    lines = fig.axes[0].get_lines()
    plt.close(fig)  # leave no open figure for later tests
    for line in lines:
        if line.get_linestyle() == "-" and len(line.get_xdata()) > 1:
            xs = list(line.get_xdata())
            assert not (2007 in xs and 2015 in xs), "a line joins 2007-08 to 2015-16"
            assert not (2005 in xs and 2015 in xs)


def test_the_notebook_declares_the_peer_groups_the_ssocs_files_hold():
    """The build refuses any other value before a kernel starts (`(one of: ...)` in the parameters cell)."""
    from sro_research.build.parameters import notebook_parameters

    declared = notebook_parameters(project_root() / "notebooks" / "nces_comparisons.ipynb")
    assert list(declared["peer_level"].choices) == ssocs.LEVELS
    assert list(declared["peer_locale"].choices) == ssocs.LOCALES
    assert list(declared["peer_enrollment"].choices) == ssocs.SIZES


def test_the_peer_groups_words_come_from_its_parameters():
    from sro_research.analysis import ssocs_differences as sd
    from sro_research.reports import nces_comparisons_peer as words

    default = words.peer_description(None)
    assert default == words.peer_description(est.DEFAULT_PEER)
    changed = {"level": "Middle", "locale": "Rural", "enrollment_size": "Less than 300", "high_minority": False}
    text = words.peer_description(changed)
    assert text == "middle schools in rural areas with fewer than 300 students" and text != default
    for key, value in changed.items():  # each parameter alone changes the words
        assert words.peer_description({**est.DEFAULT_PEER, key: value}) != default, key
    assert words.comparison_words(changed) == "all U.S. public middle schools"
    assert sd.peer_comparison_domain(changed) == ("level", "Middle")
    assert sd.peer_comparison_domain({"locale": "City"}) == ("all", ssocs.ALL_SCHOOLS)
    assert words.comparison_words({"level": ["Middle", "High school"]}) == "all U.S. public schools"
    assert words.chosen_peer(DISTRICT) == DISTRICT.peer_group and words.chosen_peer(DISTRICT, level="Middle")["level"] == "Middle"
    assert words.chosen_peer(DISTRICT, locale=None)["locale"] == "City"
    assert words.year_span(["2017-18", "2015-16"]) == "2015-16 to 2017-18" and words.year_span(["2019-20"]) == "2019-20"
