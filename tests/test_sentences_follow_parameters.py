"""Sentences follow parameters: each report notebook is executed once with a non-default value of
every parameter its sentences describe, and no sentence may still describe the default.

The default phrases are made by the report's own sentence functions from the defaults written in
each notebook's parameters cell (not typed here), so a new hard-coded sentence about the default
peer group, year or threshold fails this test. Three notebook executions in all.
"""

from __future__ import annotations

import ast
import html
import re

import nbformat

from sro_research.build.parameters import notebook_parameters
from sro_research.paths import project_root
from sro_research.readers import ssocs
from tests.conftest import needs_ssocs


def defaults(report: str) -> dict:
    params = notebook_parameters(project_root() / "notebooks" / f"{report}.ipynb")
    return {name: ast.literal_eval(p.default_source) for name, p in params.items()}


def executed_text(report: str, tmp_path, monkeypatch, **parameters) -> str:
    """Everything the executed notebook shows a reader (its HTML and Markdown outputs), as plain text."""
    import papermill

    monkeypatch.setenv("SRO_REPORT_NAME", report)
    monkeypatch.setenv("SRO_TABLES_DIR", str(tmp_path / "tables"))
    out = tmp_path / f"{report}.ipynb"
    papermill.execute_notebook(str(project_root() / "notebooks" / f"{report}.ipynb"), str(out), cwd=str(project_root()),
                               progress_bar=False, parameters=parameters)
    shown = "".join(str(o.get("data", {}).get(kind, "")) for c in nbformat.read(out, as_version=4).cells
                    if c.cell_type == "code" for o in c.outputs for kind in ("text/html", "text/markdown"))
    shown = re.sub(r'<img [^>]*alt="([^"]*)"[^>]*>', r" \1 ", shown)  # a chart's description is a sentence too
    shown = re.sub(r'\bsrc="data:[^"]*"', "", shown)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", shown)))


def peer_of(values: dict) -> dict:
    """The peer group as the notebook builds it from its parameters: the district profile's, each given value over it."""
    from sro_research.district import load_profile
    from sro_research.reports.nces_comparisons_peer import chosen_peer

    return chosen_peer(load_profile(values.get("district"), project_root() / "reports.toml"),
                       level=values["peer_level"], locale=values["peer_locale"],
                       enrollment_size=values["peer_enrollment"], high_minority=values["peer_high_minority"])


@needs_ssocs
def test_nces_sentences_follow_the_peer_group_and_the_years(tmp_path, monkeypatch):
    from sro_research.reports import nces_comparisons_peer as words

    default = defaults("nces_comparisons")
    changed = {"peer_level": "Middle", "peer_locale": "Suburb", "peer_enrollment": "500 to 999", "peer_high_minority": False,
               "years": ["2015-16", "2017-18"]}
    assert all(changed[name] != default[name] for name in changed)
    text = executed_text("nces_comparisons", tmp_path, monkeypatch, **changed)
    old, new = peer_of(default), peer_of({**default, **changed})
    for phrase in (words.peer_description(old), words.comparison_words(old), words.locale_words(old),
                   words.size_words(old), words.minority_words(old), words.year_span(default["years"])):
        assert phrase and phrase not in text, phrase
    for phrase in (words.peer_description(new), words.comparison_words(new), words.year_span(changed["years"])):
        assert phrase in text, phrase
    assert "2005-06" not in text.split("Key findings")[1].split("The peer group here is")[0]  # findings name only the years run


def test_engagement_sentences_follow_the_threshold_and_the_school_year(tmp_path, monkeypatch):
    default = defaults("engagement_findings")
    changed = {"suppression_threshold": 2 * default["suppression_threshold"], "school_year": "2019-20"}
    assert changed["school_year"] != default["school_year"]
    text = executed_text("engagement_findings", tmp_path, monkeypatch, **changed)

    def threshold_words(n: int) -> re.Pattern:
        return re.compile(rf"\b(?:under|fewer than|below) {n}\b")

    assert not threshold_words(default["suppression_threshold"]).search(text)
    assert threshold_words(changed["suppression_threshold"]).search(text)
    assert default["school_year"] not in text
    assert changed["school_year"] in text
    assert "Published in the press" not in text  # nothing was printed for that year


@needs_ssocs
def test_claims_sentences_follow_the_ssocs_folder(tmp_path, monkeypatch, ssocs_frame):
    """Without the SSOCS files the ledger cannot estimate the 30%'s sampling error, and says so."""
    from sro_research.analysis import ssocs_estimates
    from sro_research.readers.published import Figures, load_published
    from sro_research.reports import claim_checks as checks
    from sro_research.reports import claims_ledger as claims

    assert defaults("claims_ledger")["ssocs_dir"] is None
    figures, rows = Figures.load(), load_published("claims")
    estimates = ssocs_estimates.estimate_table(**claims.nearest_estimate_request(), data=ssocs_frame)
    with_files = checks.product_sentence(checks.product_check(figures, claims.claim(rows, "L15"),
                                                              claims.nearest_national_figures(estimates, figures)))
    without = checks.product_sentence(checks.product_check(figures, claims.claim(rows, "L15")))
    empty = tmp_path / "no-ssocs"
    empty.mkdir()
    monkeypatch.delenv(ssocs.SSOCS_DIR_ENV, raising=False)
    text = executed_text("claims_ledger", tmp_path, monkeypatch, ssocs_dir=str(empty))
    assert with_files != without and with_files not in text and without in text


