"""Executed notebook -> one self-contained HTML page a reader can open offline."""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "sro_report"  # lab, minus every CDN script, plus our styles and provenance footer


def _reader_facing(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop what only a developer needs: warnings and logs on stderr stay in the executed notebook."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.get("name") == "stderr")]
    return nb


def render_html(nb: nbformat.NotebookNode, title: str) -> str:
    """HTML with code hidden, figures embedded as data URIs and no external script, style or font."""
    nb = _reader_facing(nb)
    nb.metadata["title"] = title
    exporter = HTMLExporter(
        template_name=TEMPLATE,
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    body, _ = exporter.from_notebook_node(nb)
    return body
