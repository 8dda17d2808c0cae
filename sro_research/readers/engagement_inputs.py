"""The engagement report's input check, run by the build before any kernel starts (`check` in
reports.toml): the same readers the notebook's load-inputs cell calls, so a wrong `header_rows`, a
header row that holds answers, or a review file that no longer matches the export stops the build
with exit 2 and a message that names file, row and column, never a cell.
"""

from __future__ import annotations

from sro_research.readers.comment_review import load_approved
from sro_research.readers.engagement import load_mapping, read_responses
from sro_research.readers.word_lists import load_names


def check_inputs(parameters: dict) -> None:
    """Read a real export (and its review file) as the report will; raise what the report would."""
    if not parameters.get("responses_path"):
        return  # the shipped reconstruction: checked by its own tests
    survey = read_responses(parameters["responses_path"], load_mapping(parameters.get("mapping_path")))
    if parameters.get("approved_comments_path"):
        load_approved(parameters["approved_comments_path"], survey, load_names(parameters.get("names_path")))
