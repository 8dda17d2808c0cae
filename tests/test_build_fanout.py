"""A fan-out: one report declared over a state's districts (fan_out in reports.toml), its reports and its index page.

The districts are those of the SYNTHETIC CRDC fixture (tests/fixtures/crdc: four in MN), listed by the
real reader, and each report is the small fixture notebook tests/fixtures/project/notebooks/district.ipynb.
"""

import json
import re

import pytest

from sro_research.build import fanout
from sro_research.build.config import load_reports
from sro_research.build.index import record_fan_outs
from sro_research.build.pipeline import build, plan
from sro_research.cli import main
from tests.conftest import CRDC_FIXTURE, EXTERNAL_RESOURCE, MN_DISTRICTS, statewide_config

CRDC = CRDC_FIXTURE
MN = MN_DISTRICTS


def test_a_fan_out_expands_into_one_report_per_district_with_its_id_and_title(fixture_project):
    plans = plan(None, None, statewide_config(fixture_project))
    assert [p.spec.name for p in plans] == [f"district_mn__{leaid}" for leaid in MN]
    for item, leaid in zip(plans, MN):
        assert item.values["leaid"] == leaid  # set as the notebook's parameter, as text
        assert item.spec.title == f"SYNTHETIC DISTRICT {leaid}: students referred to law enforcement"
        assert item.spec.member == {"of": "district_mn", "leaid": leaid, "district_name": f"SYNTHETIC DISTRICT {leaid}",
                                    "schools": 4 if leaid == "2721240" else 1}
        assert item.values["crdc_dir"] == str(CRDC)  # the report's own parameters are kept
    # One district of the fan-out, by name; an unknown one is refused.
    assert [p.spec.name for p in plan(["district_mn__2799903"], None, statewide_config(fixture_project))] == ["district_mn__2799903"]


def test_the_list_function_gets_the_fan_outs_arguments_and_the_reports_parameters(fixture_project, monkeypatch):
    import sro_research.readers.crdc as crdc

    calls = []

    def listing(crdc_dir, state):
        calls.append((crdc_dir, state))
        return [{"leaid": "0100001", "district_name": "Zero-led district"}]

    monkeypatch.setattr(crdc, "districts_in_state", listing)
    [item] = plan(None, None, statewide_config(fixture_project, state="AL"))
    assert calls == [(str(CRDC), "AL")]
    assert item.spec.name == "district_al__0100001" and item.values["leaid"] == "0100001"
    assert item.spec.title == "Zero-led district: students referred to law enforcement"


@pytest.mark.parametrize("over, message", [
    ("sro_research.readers.crdc:no_such_function", "fan_out over 'sro_research.readers.crdc:no_such_function' cannot be loaded"),
    ("sro_research.no_such_module:districts", "cannot be loaded (No module named 'sro_research.no_such_module')"),
    ("not a function name", "'fan_out' must be a table naming the function that lists the districts"),
])
def test_a_bad_list_function_is_a_config_error_exit_2_before_any_kernel(fixture_project, capsys, over, message):
    assert main(["--config", str(statewide_config(fixture_project, over=over)), "build"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err, err
    assert not (fixture_project / "reports").exists()


def test_a_state_with_no_district_or_a_missing_folder_is_exit_2(fixture_project, capsys):
    assert main(["--config", str(statewide_config(fixture_project, state="ZZ")), "build"]) == 2
    assert "found no district (state='ZZ')" in capsys.readouterr().err
    config = statewide_config(fixture_project)
    config.write_text(config.read_text().replace(str(CRDC), str(fixture_project / "no-crdc")))
    assert main(["--config", str(config), "build"]) == 2
    assert "no-crdc is not a folder" in capsys.readouterr().err
    config.write_text(config.read_text().replace("crdc_dir = ", "# crdc_dir = "))
    assert main(["--config", str(config), "build"]) == 2
    assert "needs crdc_dir: give it in the fan_out table or the report's parameters" in capsys.readouterr().err


def test_a_fan_outs_notebook_must_declare_leaid(fixture_project, capsys):
    config = statewide_config(fixture_project)
    config.write_text(config.read_text().replace("notebooks/district.ipynb", "notebooks/fanout.ipynb")
                      .replace('crdc_dir = ', '# crdc_dir = ').replace('fail_leaid = ', '# fail_leaid = '))
    assert main(["--config", str(config), "build"]) == 2
    assert "must declare a 'leaid' parameter" in capsys.readouterr().err


def test_a_list_function_returning_no_records_is_exit_2(fixture_project, capsys, monkeypatch):
    import sro_research.readers.crdc as crdc

    monkeypatch.setattr(crdc, "districts_in_state", lambda crdc_dir, state: ["5599901"])
    assert main(["--config", str(statewide_config(fixture_project)), "build"]) == 2
    assert "must return a list of records, each with a 'leaid'" in capsys.readouterr().err


def _table_rows(page):
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


def test_statewide_fan_out_with_two_jobs_builds_every_district_lists_the_failure_and_indexes_them(
        statewide_site, monkeypatch):
    """Four districts, two at a time; one fails on purpose and the other three are still built."""
    root, status, stdout, stderr = statewide_site
    out = root / "reports"
    assert status == 1
    assert "FAILED district_mn__2799902: district.ipynb cell 4" in stderr
    for leaid in ("2721240", "2799901", "2799903"):
        assert f"built district_mn__{leaid}" in stdout
        assert (out / f"district_mn__{leaid}.html").is_file()
        assert json.loads((out / "tables" / f"district_mn__{leaid}" / "page.json").read_text())["numbers"]["Schools"] >= 1
    assert not (out / "district_mn__2799902.html").exists()

    page = (out / "district_mn.html").read_text()
    assert not EXTERNAL_RESOURCE.search(page) and "<script src" not in page
    assert "<title>Synthetic demonstration data: Every MN district, one report each</title>" in page
    assert "Data: synthetic demonstration data, not real data" in page
    rows = _table_rows(page)
    assert len(rows) == 4
    names = [re.search(r'data-sort="([^"]*)"', row).group(1) for row in rows]
    assert names == sorted(names)  # sorted by name without JavaScript, and says so:
    assert '<th scope="col" aria-sort="ascending">District</th>' in page
    assert page.count('data-type="number"') == 3  # schools, students, referred per 100 sort as numbers
    built = json.loads((out / "tables" / "district_mn__2799901" / "page.json").read_text())
    row = next(r for r in rows if "2799901" in r)
    assert 'href="district_mn__2799901.html"' in row and built["key_findings"][0] in row.replace("&#x27;", "'")
    assert f'data-sort="{built["numbers"]["Students"]!r}"' in row
    failed = next(r for r in rows if "2799902" in r)
    assert "href=" not in failed and "Last build failed" in failed and "cell 4: ValueError" in failed
    assert "fixture failure on purpose" not in page  # the message may quote data: the terminal only
    # Accessible and phone-friendly: headers, a labelled filter, each cell labelled when stacked.
    assert '<label for="sro-filter">' in page and 'aria-live="polite"' in page and "sro-table-wide" in page
    assert all('data-label="Key finding"' in r for r in rows)
    assert "function sortBy" in page and "applyFilter" in page
    assert '<form class="sro-fan-out-controls" hidden' in page  # shown by the script only: a plain table without it

    landing = (out / "index.html").read_text()
    assert '<a href="district_mn.html">Synthetic demonstration data: Every MN district, one report each</a>' in landing
    assert "4 districts, 3 built, 1 failed" in landing
    assert "district_mn__2799901.html" not in landing  # one entry for the fan-out, not one per district

    # Nothing changed: every district up to date, and the list is not read again.
    import sro_research.readers.crdc as crdc

    monkeypatch.setattr(crdc, "districts_in_state", lambda **_: pytest.fail("the list was read again"))
    monkeypatch.setenv("SRO_PROJECT_ROOT", str(root))
    results = build(["district_mn__2799901"], config=root / "districts.toml")
    assert [r.status for r in results] == ["up to date"]


def test_a_changed_listing_file_lists_the_districts_again(fixture_project, tmp_path):
    """The list is kept with the checksums of the files it was read from: a new download is read again."""
    import shutil

    crdc_copy = tmp_path / "crdc"
    shutil.copytree(CRDC / "2021-22", crdc_copy / "2021-22")
    config = statewide_config(fixture_project, state="WI")
    config.write_text(config.read_text().replace(str(CRDC), str(crdc_copy)))
    out = fixture_project / "reports"
    out.mkdir()
    specs, lists = fanout.expand(load_reports(config),
                                 None, {}, fixture_project, out)
    assert list(specs) == ["district_wi__5599901"]
    record_fan_outs(out, lists)
    enrollment = crdc_copy / "2021-22" / "SCH" / "Enrollment.csv"
    text = enrollment.read_text(encoding="utf-8-sig")
    enrollment.write_text(text.replace("WI,SYNTHETIC STATE WI,5599901", "WI,SYNTHETIC STATE WI,5599977"), encoding="utf-8-sig")
    specs, _ = fanout.expand(load_reports(config),
                             None, {}, fixture_project, out)
    assert list(specs) == ["district_wi__5599977"]


def test_the_index_page_lists_every_listed_district_built_or_not_and_drops_unlisted_ones(tmp_path):
    """From the manifest alone (no kernel): a district listed but never built is a row saying so; one
    the list no longer names is left out; a row's numbers and finding are its page.json's."""
    from sro_research.build.landing import write_landing

    out = tmp_path / "reports"
    (out / "tables" / "district_mn__2799901").mkdir(parents=True)
    (out / "tables" / "district_mn__2799901" / "page.json").write_text(json.dumps(
        {"data_status": "real", "key_findings": ["Few students were referred."], "numbers": {"Students": 1200, "Rate": None}}))
    records = [{"leaid": "2799901", "district_name": "North"}, {"leaid": "2799902", "district_name": "South"}]
    reports = {"district_mn__2799901": {"html": "district_mn__2799901.html", "fan_out": {"of": "district_mn", **records[0]}},
               "district_mn__2799999": {"html": "district_mn__2799999.html", "fan_out": {"of": "district_mn", "leaid": "2799999"}}}
    write_landing(out, reports, ["district_mn"], fan_outs={"district_mn": {"title": "Every district", "members": records}})
    page = (out / "district_mn.html").read_text()
    rows = _table_rows(page)
    assert len(rows) == 2 and "2799999" not in page
    assert "Few students were referred." in rows[0] and 'data-sort="1200"' in rows[0] and "1,200" in rows[0]
    assert '<td data-label="Rate" data-sort="" class="sro-number">–</td>' in rows[0]  # missing, not zero
    assert "South" in rows[1] and "Not built yet." in rows[1] and "href=" not in rows[1]
    assert "<title>Every district</title>" in page and "Synthetic" not in page  # real data carry no label
    assert "2 districts, 1 built" in (out / "index.html").read_text()
