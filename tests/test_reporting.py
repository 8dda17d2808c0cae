"""What readers see: tables (also written as CSV), banners, figures with alt text; and input checksums."""

import hashlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from sro_research import provenance, reporting  # noqa: E402


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
    assert shown[0].startswith('<img class="sro-figure" src="data:image/png;base64,')
    assert 'alt="Line &quot;up&quot;"' in shown[0]
    assert not plt.get_fignums()  # closed, so the inline backend does not show it again


def test_record_input_writes_the_build_manifest(tmp_path, monkeypatch):
    data = tmp_path / "input.csv"
    data.write_text("a\n1\n")
    manifest = tmp_path / "inputs.jsonl"
    monkeypatch.setenv(provenance.MANIFEST_ENV, str(manifest))
    digest = provenance.record_input(data, role="test")
    provenance.record_input(data, role="test")  # the same file twice is one entry
    assert digest == hashlib.sha256(b"a\n1\n").hexdigest()
    entries = provenance.read_manifest(manifest)
    assert [(e["name"], e["sha256"], e["bytes"], e["role"]) for e in entries] == [("input.csv", digest, 4, "test")]
