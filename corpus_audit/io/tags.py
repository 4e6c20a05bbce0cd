"""The per-document tags table: one Parquet file per task under OUT/tags/, one row per document read.

Reports are rebuilt from these rows without reading the corpus again. Files
whose names start with '_' (the run's side records) are ignored by Parquet
dataset readers, so `pyarrow.dataset.dataset("OUT/tags")` reads just the rows.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from corpus_audit.io.parquet import ParquetStreamWriter
from corpus_audit.labels import AI_MENTION, PORTRAYAL_TAGS

_BASE = [
    ("id", pa.string()), ("shard", pa.string()), ("position", pa.int64()),
    ("source_type", pa.string()), ("source_type_from", pa.string()), ("source_disagree", pa.bool_()),
    ("source_sampling", pa.string()),
    ("domain", pa.string()), ("language", pa.string()), ("assessed", pa.bool_()), ("chars", pa.int64()),
    (AI_MENTION, pa.bool_()), (f"score_{AI_MENTION}", pa.float32()), ("mention_terms", pa.list_(pa.string())),
]
_PORTRAYAL = [
    *[(tag, pa.bool_()) for tag in PORTRAYAL_TAGS],
    *[(f"score_{tag}", pa.float32()) for tag in PORTRAYAL_TAGS],
    ("evidence", pa.string()),
]


def tags_schema(with_portrayal: bool) -> pa.Schema:
    return pa.schema(_BASE + (_PORTRAYAL if with_portrayal else []))


def open_tag_table(path: str | Path, with_portrayal: bool) -> ParquetStreamWriter:
    return ParquetStreamWriter(path, tags_schema(with_portrayal))


def tag_files(tags_dir: str | Path) -> list[Path]:
    return sorted(p for p in Path(tags_dir).glob("*.parquet") if not p.name.startswith(("_", ".")))


def iter_tag_rows(tags_dir: str | Path, batch_size: int = 8192) -> Iterator[dict]:
    for path in tag_files(tags_dir):
        for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_size):
            yield from batch.to_pylist()
