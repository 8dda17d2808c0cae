"""The engagement survey's codebook (data/engagement/codebook.yaml)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from sro_research.paths import data_dir
from sro_research.provenance import record_input

# --------------------------------------------------------------------------- codebook


@dataclass(frozen=True)
class Item:
    name: str
    label: str
    kind: str  # id, single, multi or text
    required: bool
    status: str  # published or assumed
    values: dict[str, str] = field(default_factory=dict)  # code -> label
    value_status: dict[str, str] = field(default_factory=dict)
    source_ids: tuple[str, ...] = ()  # ids in data/published/sources.csv
    evidence: str = ""  # what those sources show about the item
    note: str = ""
    agree_values: tuple[str, ...] = ()  # for the agreement item: the codes that count as "agreed"


@dataclass(frozen=True)
class Codebook:
    items: tuple[Item, ...]
    path: Path

    def item(self, name: str) -> Item:
        for item in self.items:
            if item.name == name:
                return item
        raise KeyError(f"{name!r} is not an item of the codebook {self.path}")

    @property
    def names(self) -> list[str]:
        return [item.name for item in self.items]

    def codes(self, name: str) -> list[str]:
        return list(self.item(name).values)

    def agree_codes(self) -> list[str]:
        return list(self.item("sro_agree").agree_values)

    def table(self) -> pd.DataFrame:
        """One row per item and answer, with whether it is published or assumed."""
        rows = []
        for item in self.items:
            answers = item.values or {"": ""}
            for code, label in answers.items():
                rows.append(
                    {
                        "item": item.name,
                        "question": item.label,
                        "answer_code": code,
                        "answer_label": label,
                        "status": item.value_status.get(code, item.status),
                        "source_ids": ";".join(item.source_ids),
                    }
                )
        return pd.DataFrame(rows)


def codebook_path() -> Path:
    return data_dir() / "engagement" / "codebook.yaml"


def load_codebook(path: str | os.PathLike | None = None) -> Codebook:
    """The engagement codebook (default: the shipped data/engagement/codebook.yaml). Read it once in
    the load-inputs cell and pass it on (`load_mapping`, `read_responses` take it)."""
    path = (Path(path) if path else codebook_path()).resolve()
    record_input(path, role="engagement codebook")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = tuple(
        Item(
            name=i["name"],
            label=i["label"],
            kind=i["kind"],
            required=bool(i.get("required", False)),
            status=i["status"],
            values={str(k): str(v) for k, v in (i.get("values") or {}).items()},
            value_status=dict(i.get("value_status") or {}),
            source_ids=tuple(i.get("source_ids") or ()),
            evidence=i.get("evidence", ""),
            note=i.get("note", ""),
            agree_values=tuple(i.get("agree_values") or ()),
        )
        for i in raw["items"]
    )
    return Codebook(items=items, path=Path(path))


