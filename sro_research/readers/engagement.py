"""The 2017 engagement survey: its codebook, and reading a district's export onto it.

A district export (CSV or .xlsx) uses its own headers and answer labels. A column-mapping file
(YAML, see data/engagement/mapping_example.yaml) says which header holds which codebook item and
which label means which answer code. Reading checks every row and reports every problem with the
file, row, column and rule, so a researcher can fix the export rather than guess.

The pieces: readers/codebook.py (the codebook), readers/engagement_mapping.py (the mapping file),
readers/export_files.py (file formats and survey tools' header layouts), readers/engagement_export.py
(the export onto the codebook). This module keeps the names other modules import.
"""

from __future__ import annotations

import os

import pandas as pd

from sro_research.readers.codebook import Codebook, Item, codebook_path, load_codebook  # noqa: F401
from sro_research.readers.engagement_export import (  # noqa: F401
    MULTI_SEPARATOR,
    OTHER_SUFFIX,
    RECONSTRUCTION_STATUS,
    Survey,
    read_reconstruction_notes,
    read_responses,
    shipped_responses_path,
)
from sro_research.readers.engagement_mapping import (  # noqa: F401
    MAPPING_KEYS,
    EngagementDataError,
    Mapping,
)
from sro_research.readers.engagement_mapping import load_mapping as _load_mapping


def load_mapping(path: str | os.PathLike | None, codebook: Codebook | None = None) -> Mapping:
    """Read a column-mapping YAML against `codebook` (default: the shipped one; see
    readers/engagement_mapping.py); None means no mapping."""
    return _load_mapping(path, codebook or load_codebook())


# --------------------------------------------------------------------------- completeness


def completeness(responses: pd.DataFrame, codebook: Codebook | None = None) -> pd.DataFrame:
    """Respondents per role: all, complete, partial, and how many left each question unanswered.

    "Complete" means every required question answered (role, agreement, SRO time, scenario);
    everyone else is a partial response, kept in every analysis of the questions they answered.
    """
    required = [c for c in ("role", "sro_agree", "sro_time", "scenario") if c in responses]
    role = responses["role"].fillna("not given")
    complete = responses[required].notna().all(axis=1)
    table = pd.DataFrame({"role": role, "complete": complete})
    for item in ("sro_agree", "sro_time", "scenario"):
        table[f"no_answer_{item}"] = responses[item].isna()
    summary = table.groupby("role", sort=False).agg(
        respondents=("complete", "size"),
        complete=("complete", "sum"),
        **{c: (c, "sum") for c in table.columns if c.startswith("no_answer_")},
    )
    summary.insert(2, "partial", summary["respondents"] - summary["complete"])
    order = [*(codebook or load_codebook()).codes("role"), "not given"]
    summary = summary.reindex([r for r in order if r in summary.index])
    return summary.reset_index().astype({c: "int64" for c in summary.columns})
