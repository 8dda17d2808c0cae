"""The district profile (sro_research.district) and how the build reads it: titles, site text, needs."""

from __future__ import annotations

import html
from dataclasses import replace
import re

import nbformat
import pytest

from sro_research import district
from sro_research.build import config, landing, pipeline
from sro_research.build.glossary import GlossaryError, load_glossary

from tests.conftest import PROJECT_ROOT

INVENTED = """name = "Lakeshore Unified School District"
short_name = "LUSD"
leaid = "0612345"
state = "CA"
state_name = "California"
county = "Lakeshore County"
prosecutor = "Lakeshore County District Attorney"
peer_label = "Schools like LUSD high schools"
[folders]
published = "data/published"
[figures]
cited_national_sro = "A23"
[site]
project = "sro-research: Lakeshore school police evidence"
landing = "Each report checks part of the evidence behind {district_possessive} decision."
[glossary]
sro = "A police officer assigned to a Lakeshore school."
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project with two notebooks' worth of reports and an invented district profile."""
    monkeypatch.delenv(district.DISTRICT_ENV, raising=False)
    monkeypatch.setenv("SRO_PROJECT_ROOT", str(tmp_path))
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        'year: str = "2015-16"  # the school year', metadata={"tags": ["parameters"]})])
    nbformat.write(notebook, tmp_path / "nb.ipynb")
    (tmp_path / "data" / "published").mkdir(parents=True)
    (tmp_path / "districts").mkdir()
    (tmp_path / "districts" / "lakeshore.toml").write_text(INVENTED)
    (tmp_path / "reports.toml").write_text(
        'district = "lakeshore"\n[site]\ncontact = "Write to us."\n'
        '[reports.page]\nnotebook = "nb.ipynb"\ntitle = "{district_short} and the nation, {year}"\n'
        'needs = ["published"]\n[reports.page.parameters]\nyear = "2016-17"\n'
        '[reports.survey]\nnotebook = "nb.ipynb"\ntitle = "What {district_name} heard"\nneeds = ["engagement", "claims"]\n'
    )
    return tmp_path


def test_setting_order_argument_then_environment_then_reports_toml(project, monkeypatch):
    toml = project / "reports.toml"
    assert district.chosen(None, toml) == "lakeshore" == district.configured(toml)
    monkeypatch.setenv(district.DISTRICT_ENV, "example")
    assert district.chosen(None, toml) == "example" and district.configured(toml) == "lakeshore"
    assert district.chosen("other", toml) == "other"
    monkeypatch.delenv(district.DISTRICT_ENV)
    toml.write_text("[reports]\n")
    with pytest.raises(district.ProfileError, match="no district chosen"):
        district.chosen(None, toml)


def test_profile_words_folders_and_errors(project):
    profile = district.load_profile("lakeshore")
    assert profile.words()["district_possessive"] == "LUSD's" and profile.path == project / "districts" / "lakeshore.toml"
    assert profile.folder("published") == project / "data" / "published" and profile.folder("crdc") is None
    assert profile.has("published") and not profile.has("engagement")
    with pytest.raises(KeyError, match="unknown kind of district data 'survey'"):
        profile.folder("survey")
    with pytest.raises(district.ProfileError, match="no such district profile; shipped profiles: lakeshore"):
        district.load_profile("nowhere")
    bad = project / "bad.toml"
    bad.write_text(INVENTED.replace('"0612345"', '"612345"').replace("[folders]", "[folders]\nsurvey = \"x\""))
    with pytest.raises(district.ProfileError, match=r"bad\.toml: 'leaid' must be the 7-digit .*'612345'.*survey: unknown kind"):
        district.load_profile(str(bad))
    bad.write_text(INVENTED.replace('published = "data/published"', 'published = "data/nowhere"'))
    with pytest.raises(district.ProfileError, match=r"no such folder or file: \[folders\] published = 'data/nowhere'"):
        district.load_profile(str(bad))


def test_titles_site_and_glossary_read_the_profile(project):
    specs = config.load_reports()
    assert specs["page"].title == "LUSD and the nation, 2016-17" and specs["survey"].title == "What Lakeshore Unified School District heard"
    assert config.with_values(specs["page"], {"year": "2017-18"}).title == "LUSD and the nation, 2017-18"
    assert specs["page"].missing() == () and specs["survey"].missing() == ("engagement", "claims")
    site = config.load_site()
    assert site.project == "sro-research: Lakeshore school police evidence" and site.contact == "Write to us."
    assert site.landing == "Each report checks part of the evidence behind LUSD's decision."
    assert site.district == "Lakeshore Unified School District" and not site.synthetic
    glossary = load_glossary(PROJECT_ROOT, district.load_profile("lakeshore").glossary)
    assert next(g for g in glossary if g["key"] == "sro")["definition"] == "A police officer assigned to a Lakeshore school."
    with pytest.raises(GlossaryError, match="names nowhere, not a key"):
        load_glossary(PROJECT_ROOT, {"nowhere": "x"})


def test_synthetic_district_labels_every_report(project):
    (project / "districts" / "lakeshore.toml").write_text(INVENTED.replace('peer_label', 'status = "synthetic"\npeer_label'))
    specs = config.load_reports()
    assert {spec.data_status for spec in specs.values()} == {"synthetic"}
    assert config.with_values(specs["page"], {}).data_status == "synthetic" and config.load_site().synthetic
    invented = district.load_profile("lakeshore")
    assert invented.data_status("real") == invented.data_status("published") == "synthetic"
    assert district.load_profile("minneapolis", PROJECT_ROOT / "reports.toml").data_status("real") == "real"


def test_needs_leave_reports_out_and_the_landing_page_says_so(project):
    assert [item.spec.name for item in pipeline.plan(None, None)] == ["page"]
    with pytest.raises(pipeline.BuildError, match="report 'survey' needs engagement and claims data"):
        pipeline.plan(["survey"], None)
    note = landing.not_built_note("Lakeshore Unified School District", [config.load_reports()["survey"]])
    assert note == ("Not built for Lakeshore Unified School District: What Lakeshore Unified School District heard "
                    "(no engagement survey data or claims table in its profile).")
    # A fan-out not built is named by its own page's title, not a member's title filled for this district.
    fan_out = replace(config.load_reports()["survey"], fan_out={"over": "m:f", "title": "Every district of a state"})
    assert landing.not_built_note("Lakeshore", [fan_out]) == (
        "Not built for Lakeshore: Every district of a state (no engagement survey data or claims table in its profile).")
    (project / "reports.toml").write_text((project / "reports.toml").read_text().replace('needs = ["engagement", "claims"]', 'needs = ["surveys"]'))
    with pytest.raises(config.ConfigError, match=r"\[reports.survey\]: 'needs' must list kinds"):
        config.load_reports()


def test_the_district_is_part_of_the_key_and_the_kernel_environment(project, tmp_path_factory):
    item = pipeline.plan(["page"], None)[0]
    assert item.environment == {district.DISTRICT_ENV: str(project / "districts" / "lakeshore.toml")}
    other = tmp_path_factory.mktemp("elsewhere") / "harbor.toml"
    other.write_text(INVENTED.replace("LUSD", "HUSD"))
    moved = pipeline.plan(["page"], None, district=str(other))[0]
    assert moved.spec.title == "HUSD and the nation, 2016-17"
    assert moved.key["district"] != item.key["district"] and moved.key["environment"] != item.key["environment"]
    assert pipeline.default_out(project, item.spec.district) == project / "reports"
    assert pipeline.default_out(project, moved.spec.district) == project / "reports" / "harbor"


def test_the_project_profile_loads():
    profile = district.load_profile("minneapolis")
    assert profile.leaid == "2721240" and profile.site["project"] and profile.site["landing"]
    assert profile.folder("published") == PROJECT_ROOT / "data" / "published"


# --------------------------------------------------------------------------- no district in code
DISTRICT_WORDS = re.compile(r"minneapolis|\bMPS\b|hennepin|2721240|minnesota", re.IGNORECASE)
CODE_SUFFIXES = {".py", ".ipynb", ".html", ".j2", ".tpl", ".css", ".js", ".json", ".yaml", ".toml", ".txt"}


def test_no_district_is_named_in_code():
    """Names, ids and wording of a district live in its profile (districts/) and its data (data/), never in the
    package, the notebooks, reports.toml (beyond the one `district = ...` setting) or the glossary."""
    files = [path for path in (PROJECT_ROOT / "sro_research").rglob("*")
             if path.suffix in CODE_SUFFIXES and "__pycache__" not in path.parts]
    files += [*(PROJECT_ROOT / "notebooks").glob("*.ipynb"), PROJECT_ROOT / "reports.toml",
              PROJECT_ROOT / "data" / "glossary.yaml"]
    hits = [f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()[:120]}"
            for path in files for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
            if DISTRICT_WORDS.search(line) and not (path.name == "reports.toml" and line.startswith("district ="))]
    assert len(files) > 50 and not hits, "\n".join(hits)


# --------------------------------------------------------------------------- a build for an invented district
@pytest.mark.slow
def test_a_new_profile_names_its_own_district_on_every_page(tmp_path, monkeypatch):
    """An invented district pointed at the project's published figures: the title, the site header, the landing
    text and the review's sentences name it, and no other district's name is left in them."""
    monkeypatch.delenv(district.DISTRICT_ENV, raising=False)
    monkeypatch.delenv("SSOCS_DIR", raising=False)
    figures = (PROJECT_ROOT / "districts" / "minneapolis.toml").read_text(encoding="utf-8").split("[figures]")[1].split("\n[")[0]
    profile = tmp_path / "lakeshore.toml"
    profile.write_text(INVENTED.replace('published = "data/published"', f'published = "{PROJECT_ROOT / "data" / "published"}"')
                       .replace('[figures]\ncited_national_sro = "A23"\n', "[figures]\n" + figures + "\n"), encoding="utf-8")
    out = tmp_path / "site"
    results = pipeline.build(["annual_review_2016_17"], out=out, config=PROJECT_ROOT / "reports.toml", district=str(profile))
    assert all(r.ok for r in results), [str(r.failure) for r in results if not r.ok]
    page = (out / "annual_review_2016_17.html").read_text(encoding="utf-8")
    index = (out / "index.html").read_text(encoding="utf-8")
    title = "2016-17 annual review, Lakeshore Unified School District: police contacts, discipline and disproportionality"
    assert f"<title>{title}" in page and title in page[page.index("<h1"):page.index("</h1>")] and title in index
    assert "sro-research: Lakeshore school police evidence" in page and "sro-research: Lakeshore school police evidence" in index
    assert html.escape("Each report checks part of the evidence behind LUSD's decision.") in index
    assert "A police officer assigned to a Lakeshore school." in index
    assert "Not built for Lakeshore Unified School District: Claims ledger" in index
    first_screen = page[: page.index('id="Published-series"')]
    assert "of Black LUSD students were suspended at least once" in first_screen
    assert "referred to the Lakeshore County District Attorney from LUSD" in page
    for shown in (first_screen, index):
        assert not DISTRICT_WORDS.search(shown), DISTRICT_WORDS.search(shown)
