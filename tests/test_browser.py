"""Built reports and index.html in a real browser: Debian's chromium driven by playwright, with axe-core.

Every report the project declares is built once (slow), then each page is opened at 1280 px and
390 px with the network off: no console errors or failed requests, every image loaded with alt
text, no sideways scroll of the page on a phone, no serious or critical accessibility violation,
and, printed, no table wider than the page. Screenshots and PDFs are kept in test-artifacts/browser/
for review.
"""

import os
import re
import shutil

import pytest

from sro_research.build.config import load_reports
from sro_research.build.pipeline import build
from tests.conftest import EXTERNAL_RESOURCE, PROJECT_ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "browser"
WIDTHS = (1280, 390)
# Printed content width of the narrower paper (A4 210 mm) less the print stylesheet's 12 mm margins, in CSS px.
PRINT_WIDTH_PX = round((210 - 2 * 12) / 25.4 * 96)
MAX_PAGE_BYTES = 150_000  # a report's HTML without its embedded images
EMBEDDED_IMAGE = re.compile(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+")
PAGES = [*load_reports(PROJECT_ROOT / "reports.toml"), "index"]
# Chromium flags: no network (any host fails to resolve), no background services.
FLAGS = ["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def site(built_site):
    """Every report of the project, built once per session (conftest's built_site, or $SRO_TEST_SITE)."""
    return built_site


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def open_page(browser, path, width):
    """The page loaded at `width`, with every console error and failed request collected."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems = []
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("requestfailed", lambda req: problems.append(f"request failed: {req.url} {req.failure}"))
    page.goto(path.as_uri(), wait_until="load")
    return page, problems


@pytest.mark.slow
@pytest.mark.parametrize("name", PAGES)
def test_each_page_is_light_and_offline(site, name):
    html = (site / f"{name}.html").read_text(encoding="utf-8")
    assert len(EMBEDDED_IMAGE.sub("", html).encode("utf-8")) <= MAX_PAGE_BYTES
    assert not EXTERNAL_RESOURCE.search(html)
    machine_paths = [str(PROJECT_ROOT), str(site), os.environ.get("SSOCS_DIR") or str(PROJECT_ROOT)]
    assert not [p for p in machine_paths if p in html]  # no absolute path of the build machine
    if name != "index":
        for table in (site / "tables" / name).glob("*.csv"):
            text = table.read_text(encoding="utf-8")
            assert not [p for p in machine_paths if p in text], table.name


@needs_chromium
@pytest.mark.slow
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_page_in_chromium(site, browser, name, width):
    from axe_playwright_python.sync_playwright import Axe

    page, problems = open_page(browser, site / f"{name}.html", width)
    try:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=False)
        assert not problems, problems
        images = page.eval_on_selector_all(
            "img", "els => els.map(i => ({src: i.src.slice(0, 40), ok: i.complete && i.naturalWidth > 0, alt: (i.alt || '').trim()}))")
        assert all(i["ok"] and i["alt"] for i in images), [i for i in images if not (i["ok"] and i["alt"])]
        if width < 400:
            scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            assert scroll <= client, f"{name} scrolls sideways at {width} px: {scroll} > {client}"
        violations = Axe().run(page).response["violations"]
        serious = [(v["id"], v["impact"], len(v["nodes"]), v["help"]) for v in violations if v["impact"] in ("serious", "critical")]
        assert not serious, serious
    finally:
        page.close()


@needs_chromium
@pytest.mark.slow
@pytest.mark.parametrize("name", PAGES)
def test_printed_page_keeps_every_table_inside_the_paper(site, browser, name):
    page, problems = open_page(browser, site / f"{name}.html", PRINT_WIDTH_PX)
    try:
        page.emulate_media(media="print")
        too_wide = page.eval_on_selector_all(
            "table", f"""els => els.filter(t => t.getBoundingClientRect().right > {PRINT_WIDTH_PX} + 1
                                        || t.scrollWidth > t.clientWidth + 1)
                                .map(t => (t.caption ? t.caption.textContent : t.className) + ' ' + Math.round(t.getBoundingClientRect().right))""")
        assert not too_wide, f"tables wider than the printed page ({PRINT_WIDTH_PX} px): {too_wide}"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for paper in ("Letter", "A4"):
            pdf = page.pdf(path=str(ARTIFACTS / f"{name}-{paper}.pdf"), format=paper, print_background=True)
            assert pdf.startswith(b"%PDF")
        assert not problems, problems
    finally:
        page.close()


@needs_chromium
def test_fixture_report_renders_offline_in_chromium(fixture_project, browser):
    """A quick check on the small fixture project (the tests above build the real reports)."""
    results = build(["demo"], config=fixture_project / "reports.toml")
    page, problems = open_page(browser, results[0].html, 1280)
    try:
        text = page.inner_text("body")
        assert "Sample rows (demo)" in text and "How this report was made" in text
        assert page.eval_on_selector_all("img", "els => els.every(i => i.complete && i.naturalWidth > 0 && i.alt)")
        assert not problems, problems
    finally:
        page.close()
