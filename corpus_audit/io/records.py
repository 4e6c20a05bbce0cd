"""Turn raw rows of any shard format into documents, or into an account of why they could not be read."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldKeys:
    """Which input fields hold the text, id, url and source; dotted names reach into nested objects."""

    text: str = "text"
    id: str = "id"
    url: str = "url"
    source: str = "source"


@dataclass(frozen=True)
class Unreadable:
    shard: str
    position: int | None  # line (JSONL, 1-based), row (Parquet, 0-based) or record (WARC, 0-based); None: whole shard
    reason: str

    def describe(self) -> str:
        where = self.shard if self.position is None else f"{self.shard}:{self.position}"
        return f"{where}: {self.reason}"


def get_field(row: dict, key: str):
    if key in row:
        return row[key]
    value = row
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def text_problem(text, key: str) -> str | None:
    """Why this value is not a document's text, or None when it is."""
    if text is None:
        return f"no field {key!r}"
    if not isinstance(text, str):
        return f"field {key!r} is {type(text).__name__}, not text"
    if not text.strip():
        return f"field {key!r} is empty"
    return None
