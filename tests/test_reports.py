"""The real reports, built end to end as `make reports` builds them (the session's built_site)."""

import csv
import hashlib
from pathlib import Path

import pytest

from sro_research.build.pipeline import build
from sro_research.readers.ssocs import expected_files, find_ssocs_dir
from tests.conftest import EXTERNAL_RESOURCE, site_reports

SSOCS = find_ssocs_dir()


def _columns(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle))


def _assert_reader_page(page: str) -> None:
    assert not EXTERNAL_RESOURCE.search(page)
    assert "How this report was made" in page
    assert "Traceback" not in page


@pytest.fixture(scope="module")
def with_microdata(built_site):
    if SSOCS is None:
        pytest.skip("SSOCS_DIR is not set to a folder with the NCES files")
    return built_site


@pytest.mark.slow
def test_every_report_builds_with_the_microdata(with_microdata):
    # built_site fails on any report that did not build
    for name in site_reports():
        _assert_reader_page((with_microdata / f"{name}.html").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_tables_have_the_promised_columns(with_microdata):
    out = with_microdata
    assert _columns(out / "tables" / "claims_ledger" / "claims.csv") == [
        "claim_id", "status", "claim", "page_says", "checked_value", "reason", "source", "data_status"
    ]
    assert _columns(out / "tables" / "nces_comparisons" / "ssocs_estimates.csv")[:18] == [
        "year", "indicator", "domain_variable", "domain_value", "estimate", "se",
        "ci_low", "ci_high", "cv", "n", "weighted_n", "flag",
        "ci_method", "df", "deff", "effective_n", "weighted_schools", "weighted_schools_se",
    ]
    assert list((out / "tables" / "engagement_findings").glob("*.csv"))


@pytest.mark.slow
def test_index_lists_the_checksum_of_every_ssocs_file(with_microdata):
    out = with_microdata
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in expected_files().values():
        digest = hashlib.sha256((SSOCS / name).read_bytes()).hexdigest()
        assert digest in index, name


@pytest.mark.slow
def test_reports_fall_back_to_published_figures_without_the_microdata(fallback_site):
    # fallback_site: SSOCS_DIR names an empty folder (the repository's data/ssocs is the default)
    for name in ("nces_comparisons", "claims_ledger"):
        page = (fallback_site / f"{name}.html").read_text(encoding="utf-8")
        _assert_reader_page(page)
        assert "sro-banner-fallback" in page, name
        assert "nces.ed.gov/surveys/ssocs/data_products.asp" in page


def test_a_mistyped_ssocs_folder_fails_the_build_instead_of_falling_back(tmp_path):
    # Checked before any kernel starts (a `*_dir` parameter must name a folder): exit 2, nothing built.
    from sro_research.build.parameters import ParameterError

    with pytest.raises(ParameterError, match="parameter 'ssocs_dir': no such folder: /no/such/folder"):
        build(["nces_comparisons"], ["ssocs_dir=/no/such/folder"], out=tmp_path)
    assert not (tmp_path / "nces_comparisons.html").exists()
