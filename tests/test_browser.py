"""Built reports and index.html in a real browser: Debian's chromium driven by playwright, with axe-core.

Every report the project declares is built once (slow), then each page is opened at 1280 px and
390 px with the network off: no console errors or failed requests, every image loaded with alt
text, no sideways scroll of the page on a phone, no serious or critical accessibility violation,
and, printed, no table wider than the page. Screenshots and PDFs are kept in test-artifacts/browser/
for review.
"""

import json
import os
import re
import shutil

import pytest

from sro_research.build.config import load_reports
from sro_research.build.pipeline import build
from sro_research.data_status import STATUS_LABELS
from sro_research.reporting import MIN_CHART_TEXT_PX, PAGE_SUMMARY
from tests.conftest import EXTERNAL_RESOURCE, PROJECT_ROOT, site_reports

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "browser"
WIDTHS = (1280, 390)
# Printed content width of the narrower paper (A4 210 mm) less the print stylesheet's 12 mm margins, in CSS px.
PRINT_WIDTH_PX = round((210 - 2 * 12) / 25.4 * 96)
MAX_PAGE_BYTES = 150_000  # a report's HTML without its embedded images
EMBEDDED_IMAGE = re.compile(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+")
SPECS = {name: spec for name, spec in load_reports(PROJECT_ROOT / "reports.toml").items() if name in site_reports()}
PAGES = [*SPECS, "index"]
DATA_LINK = re.compile(r'<a [^>]*href="(tables/[^"]+\.csv)"')
DATA_LINE = '<p class="sro-data-link">Data for this'
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
        # Every table and chart links to a CSV the build published beside the page.
        main = html.split("<footer")[0]
        links = DATA_LINK.findall(main)
        shown = main.count('class="sro-table-box"') + main.count('class="sro-figure-box"')
        assert main.count(DATA_LINE) >= shown, f"{shown - main.count(DATA_LINE)} tables or charts without a link to their data"
        assert not [link for link in links if not (site / link).is_file()]


FIELDS = PROJECT_ROOT / "tests" / "fixtures" / "csv_fields.json"  # every CSV's field names, as last released
CHANGELOG = PROJECT_ROOT / "CHANGELOG.md"
CHANGELOG_FIELDS = re.compile(r"^- `([a-z0-9_\-]+/[a-z0-9_\-]+\.csv)`: (.+)$", re.MULTILINE)
FIELD_NAME = re.compile(r"^[a-z0-9_]+$")


def changelog_fields() -> dict[str, list[str]]:
    """Each CSV's field names in the newest release of CHANGELOG.md that lists it (newest first)."""
    fields: dict[str, list[str]] = {}
    for table, names in CHANGELOG_FIELDS.findall(CHANGELOG.read_text(encoding="utf-8")):
        fields.setdefault(table, [n.strip(" `") for n in names.split(",")])
    return fields


def test_changelog_records_the_field_names_the_tests_hold_csvs_to():
    """A field rename means editing csv_fields.json; this fails until CHANGELOG.md records it too."""
    recorded = json.loads(FIELDS.read_text(encoding="utf-8"))
    logged = changelog_fields()
    unrecorded = [f"{report}/{table}" for report, tables in recorded.items() for table, names in tables.items()
                  if logged.get(f"{report}/{table}") != names]
    assert not unrecorded, f"field names not recorded in CHANGELOG.md: {unrecorded}"


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SPECS))
def test_tables_are_a_data_package_with_stable_field_names(site, name):
    from frictionless import Package

    folder = site / "tables" / name
    report = Package(str(folder / "datapackage.json")).validate()
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])[:10]
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["path"] for r in package["resources"]} == {p.name for p in folder.glob("*.csv")}
    built = {p.name: p.read_text(encoding="utf-8").splitlines()[0].split(",") for p in sorted(folder.glob("*.csv"))}
    assert not [f"{t}: {f}" for t, names in built.items() for f in names if not FIELD_NAME.match(f)]
    recorded = json.loads(FIELDS.read_text(encoding="utf-8")).get(name, {})
    changed = {t: names for t, names in built.items() if recorded.get(t) != names}
    assert not changed, ("CSV field names changed; scripts read them by name. If meant, record the change in "
                         f"CHANGELOG.md and tests/fixtures/csv_fields.json: {changed}")


def _status(site, name):
    return json.loads((site / "tables" / name / PAGE_SUMMARY).read_text(encoding="utf-8")).get("data_status")


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SPECS))
def test_lists_of_reports_say_what_the_built_page_says(site, name):
    """reports.toml's data_status (used by `sro-research list` and every page's list of reports) is what the build made."""
    assert _status(site, name) == SPECS[name].data_status
    label = STATUS_LABELS.get(SPECS[name].data_status)
    if label:
        for page in [p for p in PAGES if p != name]:  # a page lists itself as text, not a link
            html = (site / f"{page}.html").read_text(encoding="utf-8")
            titles = re.findall(rf'<a href="{name}\.html">([^<]+)</a>', html)
            assert titles and all("synthetic" in t.lower() or "reconstruction" in t.lower() for t in titles), page


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
            _phone_checks(page, name)
        violations = Axe().run(page).response["violations"]
        serious = [(v["id"], v["impact"], len(v["nodes"]), v["help"]) for v in violations if v["impact"] in ("serious", "critical")]
        assert not serious, serious
    finally:
        page.close()


def _phone_checks(page, name):
    """On a phone: chart text stays readable, captions stay on screen, a box that scrolls says so."""
    small = page.eval_on_selector_all(
        "img.sro-figure", f"""els => els.map(i => [i.alt.slice(0, 50), Number(i.dataset.minTextPx) * i.clientWidth / i.naturalWidth])
                                    .filter(([alt, px]) => !(px >= {MIN_CHART_TEXT_PX} - 0.05))""")
    assert not small, f"{name}: chart text under {MIN_CHART_TEXT_PX} px at 390 px: {small}"
    cut = page.eval_on_selector_all(
        "caption", """els => els.filter(c => c.getClientRects().length > 0)
                          .filter(c => { const box = c.closest('.sro-table-box') || document.body;
                                         return c.getBoundingClientRect().right > box.getBoundingClientRect().right + 1; })
                          .map(c => c.textContent.slice(0, 60))""")
    assert not cut, f"{name}: captions cut at 390 px: {cut}"
    silent = page.eval_on_selector_all(
        ".sro-table-box, .sro-figure-box", """els => els.filter(b => b.scrollWidth > b.clientWidth + 1)
            .filter(b => !(b.previousElementSibling && b.previousElementSibling.classList.contains('sro-scroll-hint')))
            .map(b => b.getAttribute('aria-label'))""")
    assert not silent, f"{name}: boxes that scroll sideways with no cue: {silent}"


# Words of a table header that the browser split across two lines (each word measured on its own).
SPLIT_HEADER_WORDS = """els => els.flatMap(th => {
    const out = [];
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const m of node.textContent.matchAll(/[^\\s\\/-]+/g)) {
            const range = document.createRange();
            range.setStart(node, m.index);
            range.setEnd(node, m.index + m[0].length);
            const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
            if (lines.size > 1) out.push(m[0]);
        }
    }
    return out;
})"""


def _page_texts(pdf: bytes) -> list[str]:
    import io

    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


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
        split = page.eval_on_selector_all("th", SPLIT_HEADER_WORDS)
        assert not split, f"printed table headers broken inside a word: {split}"
        label = STATUS_LABELS.get(_status(site, name)) if name != "index" else None
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for paper in ("Letter", "A4"):
            pdf = page.pdf(path=str(ARTIFACTS / f"{name}-{paper}.pdf"), format=paper, print_background=True)
            assert pdf.startswith(b"%PDF")
            texts = _page_texts(pdf)
            # The first page is more than a title: the report starts under it.
            assert len(texts[0].split()) >= 60, f"{name} {paper}: page 1 is nearly blank ({len(texts[0].split())} words)"
            if label:
                unlabelled = [i + 1 for i, text in enumerate(texts) if label.upper() not in " ".join(text.split())]
                assert not unlabelled, f"{name} {paper}: printed pages without '{label}': {unlabelled}"
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


@needs_chromium
@pytest.mark.parametrize("width", WIDTHS)
def test_a_fan_outs_table_of_districts_sorts_filters_and_fits_a_phone(statewide_site, browser, width):
    """The fixture's statewide fan-out page (conftest's statewide_site): sort by a number column and
    back, filter by words, no sideways scroll on a phone, and no serious accessibility violation."""
    from axe_playwright_python.sync_playwright import Axe

    root, *_ = statewide_site
    page, problems = open_page(browser, root / "reports" / "district_mn.html", width)
    first_cells = "() => [...document.querySelectorAll('#sro-districts tbody tr:not([hidden]) th')].map(c => c.textContent)"
    try:
        names = page.evaluate(first_cells)
        assert names == sorted(names) and len(names) == 4
        assert page.is_visible("#sro-filter") and page.inner_text("#sro-count") == "Showing 4 of 4 districts"
        if width > 400:
            page.click("th:nth-child(4) button")  # Students
            assert page.get_attribute("th:nth-child(4)", "aria-sort") == "ascending"
            assert page.get_attribute("th:nth-child(1)", "aria-sort") is None
        else:  # the headers are hidden on a phone: "Sort by" does the same
            page.select_option("#sro-sort", "3:ascending")
        students = page.evaluate("() => [...document.querySelectorAll('#sro-districts tbody tr td:nth-child(4)')].map(c => c.dataset.sort)")
        numbers = [float(s) for s in students if s]
        assert numbers == sorted(numbers) and students[-1] == ""  # the failed district, with no number, last
        page.select_option("#sro-sort", "3:descending")
        assert page.get_attribute("th:nth-child(4)", "aria-sort") == "descending"
        page.fill("#sro-filter", "2799903")
        assert page.evaluate(first_cells) == ["SYNTHETIC DISTRICT 2799903"]
        assert page.inner_text("#sro-count") == "Showing 1 of 4 districts"
        page.fill("#sro-filter", "")
        if width < 400:
            scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            assert scroll <= client, f"the fan-out page scrolls sideways at {width} px: {scroll} > {client}"
        violations = Axe().run(page).response["violations"]
        serious = [(v["id"], v["impact"], len(v["nodes"]), v["help"]) for v in violations if v["impact"] in ("serious", "critical")]
        assert not serious, serious
        assert not problems, problems
    finally:
        page.close()
