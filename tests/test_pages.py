"""The finished pages: status stamp, contents, links, citations, no machine paths, landing page, glossary."""

import json
import re

import pytest

from sro_research.build import config, landing, render
from sro_research.build.glossary import GlossaryError, load_glossary
from tests.conftest import PROJECT_ROOT

PAGE = """<!DOCTYPE html><html><head><title>T</title></head><body><main>
<div class="cell"><h1 id="T">What people said<a class="anchor-link" href="#T">¶</a></h1></div>
<div class="cell"><section class="sro-key-findings"><h2 id="key-findings">Key findings</h2></section></div>
<div class="cell"><h2 id="Who-answered">Who answered<a class="anchor-link" href="#Who-answered">¶</a></h2>
<p>Data from /home/alice/secret/ssocs and {root}/data/published/x.csv; see https://nces.ed.gov/a/b.</p>
<table><tr><td>mps_sro_page (A09)</td></tr></table></div>
<div class="cell"><h2 id="Sources">Sources</h2><table><tr id="source-mps_sro_page"><td>mps_sro_page</td></tr></table></div>
</main><footer><h2 id="glossary">Glossary</h2></footer></body></html>"""


@pytest.fixture
def finished(tmp_path):
    return render.finish_page(PAGE.replace("{root}", str(tmp_path)), "reconstruction", tmp_path)


def test_a_reconstruction_says_so_in_its_heading_and_title():
    label = "Illustrative reconstruction (synthetic)"
    assert render.stamped_title("What people said", "reconstruction") == f"{label}: What people said"
    assert render.stamped_title("Illustrative reconstruction: X", "reconstruction") == "Illustrative reconstruction: X"
    assert render.stamped_title("Review 2017-18 (synthetic export)", "synthetic") == "Review 2017-18 (synthetic export)"
    assert render.stamped_title("X", "real") == render.stamped_title("X", "published") == "X"


def test_the_heading_is_the_reports_title_with_its_label(tmp_path):
    page = render.finish_page(PAGE.replace("{root}", str(tmp_path)), "synthetic", tmp_path, title="Review 2017-18")
    assert re.search(r"<h1[^>]*>Synthetic demonstration data: Review 2017-18<a", page)
    real = render.finish_page(PAGE.replace("{root}", str(tmp_path)), "real", tmp_path, title="Review 2017-18")
    assert re.search(r"<h1[^>]*>Review 2017-18<a", real) and "@page" not in real


def test_every_printed_page_of_synthetic_data_carries_its_label(finished):
    style = finished.split('<style class="sro-print-label">')[1].split("</style>")[0]
    assert "@top-center" in style and "@bottom-center" in style
    assert style.count('"ILLUSTRATIVE RECONSTRUCTION (SYNTHETIC)"') == 2
    assert render.print_label_style("published") == render.print_label_style("real") == ""


def test_lists_of_reports_carry_the_declared_data_status(tmp_path):
    (tmp_path / "nb.ipynb").write_text("{}")
    (tmp_path / "reports.toml").write_text('[reports.a]\nnotebook = "nb.ipynb"\ntitle = "Survey, 2017"\n'
                                           'data_status = "reconstruction"\n')
    spec = config.load_reports(tmp_path / "reports.toml")["a"]
    assert spec.data_status == "reconstruction"
    (tmp_path / "reports.toml").write_text('[reports.a]\nnotebook = "nb.ipynb"\ndata_status = "maybe"\n')
    with pytest.raises(config.ConfigError, match="data_status"):
        config.load_reports(tmp_path / "reports.toml")


def test_finished_page_has_stamp_contents_links_and_citations(finished, tmp_path):
    assert re.search(r"<h1[^>]*>Illustrative reconstruction \(synthetic\): What people said<a", finished)
    assert '<p class="sro-data-status sro-data-status-reconstruction">Data: illustrative reconstruction (synthetic), not real data' in finished
    toc = finished.split('<nav aria-label="Contents" class="sro-toc">')[1].split("</nav>")[0]
    assert ['#Who-answered', '#Sources', '#glossary'] == re.findall(r'href="([^"]+)"', toc)
    assert finished.index("sro-toc") > finished.index("sro-key-findings")  # findings first
    assert '<a href="https://nces.ed.gov/a/b">https://nces.ed.gov/a/b</a>.' in finished
    assert '<a href="#source-mps_sro_page">mps_sro_page</a> (A09)' in finished
    assert '<tr id="source-mps_sro_page"><td>mps_sro_page</td>' in finished  # the entry itself is not a link
    assert "/home/alice" not in finished and str(tmp_path) not in finished
    assert "…/ssocs" in finished and "data/published/x.csv" in finished


def test_paths_and_dates_readers_can_read():
    assert render.without_absolute_paths("SSOCS_DIR = /work/shared/data/ssocs") == "SSOCS_DIR = …/ssocs"
    assert render.without_absolute_paths("'C:\\Users\\me\\export.xlsx'") == "'…/export.xlsx'"
    kept = "https://nces.ed.gov/surveys/ssocs/ and reports/tables/claims_ledger/claims.csv"
    assert render.without_absolute_paths(kept) == kept
    assert render.readable_date("2026-11-28T16:46:07+00:00") == "28 November 2026, 16:46 UTC"
    assert render.readable_date("not a date") == "not a date"


def test_landing_page_leads_with_finding_status_and_date(tmp_path):
    (tmp_path / "tables" / "demo").mkdir(parents=True)
    (tmp_path / "tables" / "demo" / "page.json").write_text(json.dumps(
        {"data_status": "reconstruction", "key_findings": ["Illustrative reconstruction (synthetic): staff agreed more."]}))
    entry = {"title": "Demo", "html": "demo.html", "built_at": "2026-11-28T16:46:07+00:00", "package_version": "0.1.0",
             "git_commit": "abc", "parameters": {"rows": "3"}, "environment": {"SSOCS_DIR": "…/ssocs"},
             "inputs": [{"name": "sample.csv", "sha256": "f" * 64}], "tables": ["sample.csv"]}
    page = landing.landing_page(tmp_path, {"demo": entry}, ["demo"], config.SiteSpec(contact="Write to us."), [])
    assert '<a href="demo.html">Illustrative reconstruction (synthetic): Demo</a>' in page
    assert "Key finding:</strong> Illustrative reconstruction (synthetic): staff agreed more." in page
    assert "Built 28 November 2026, 16:46 UTC" in page and "Write to us." in page
    # Provenance is kept, collapsed below the finding.
    assert page.index("Key finding") < page.index("<details") < page.index("f" * 64)
    assert '<a href="tables/demo/sample.csv">sample.csv</a>' in page


def test_site_table_and_glossary_of_the_project():
    site = config.load_site(PROJECT_ROOT / "reports.toml")
    assert site.contact and site.project
    glossary = load_glossary(PROJECT_ROOT)
    terms = " ".join(g["term"] for g in glossary)
    for word in ("SRO", "Sworn law enforcement", "Standard error", "confidence interval", "SSOCS and FRSS", "Suppression", "reconstruction"):
        assert word in terms
    sro = next(g for g in glossary if g["key"] == "sro")
    assert "definitions.csv" in sro["nces"]["cite"] and sro["nces"]["definition"]


def test_site_and_glossary_errors_name_the_problem(tmp_path):
    (tmp_path / "reports.toml").write_text('[site]\ncolour = "red"\n')
    with pytest.raises(config.ConfigError, match=r"\[site\] takes only"):
        config.load_site(tmp_path / "reports.toml")
    assert config.load_site(tmp_path / "missing.toml") == config.SiteSpec()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "glossary.yaml").write_text("- {key: x, term: X, definition: d, nces_term: nowhere}\n")
    with pytest.raises(GlossaryError, match="nces_term 'nowhere'"):
        load_glossary(tmp_path)
