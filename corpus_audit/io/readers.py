"""Stream documents out of shards of every supported format.

datatrove's own readers skip a bad line with only a log warning; an audit must
account for every document, so these readers report each line or shard they
cannot read as an `Unreadable`, with its shard and position, and go on.
"""
from __future__ import annotations

from collections.abc import Iterator

import orjson
from datatrove.data import Document

from corpus_audit.io.records import FieldKeys, Unreadable, get_field, text_problem
from corpus_audit.io.shards import Shard

Row = tuple[int, dict]


def read_documents(shard: Shard, keys: FieldKeys = FieldKeys()) -> Iterator[Document | Unreadable]:
    """Every document of a shard, in order; rows that cannot be read come out as Unreadable."""
    rows = read_rows(shard)
    try:
        for item in rows:
            if isinstance(item, Unreadable):
                yield item
                continue
            position, row = item
            yield _to_document(shard, position, row, keys)
    except Exception as error:  # noqa: BLE001 - any failure of untrusted input must not stop the run
        # A shard cut short or corrupt: what was read so far stands, the rest is one unreadable entry.
        yield Unreadable(shard.name, None, f"unreadable from here on: {type(error).__name__}: {error}")


def read_rows(shard: Shard) -> Iterator[Row | Unreadable]:
    """The raw rows of a shard as (position, dict); may raise on a corrupt shard."""
    return _ROW_READERS[shard.format](shard)


def _to_document(shard: Shard, position: int, row: dict, keys: FieldKeys) -> Document | Unreadable:
    text = get_field(row, keys.text)
    problem = text_problem(text, keys.text)
    if problem:
        return Unreadable(shard.name, position, problem)
    doc_id = get_field(row, keys.id)
    doc_id = str(doc_id) if doc_id not in (None, "") else f"{shard.name}:{position}"
    metadata = {k: v for k, v in row.items() if k not in (keys.text, keys.id)}
    metadata["corpus_audit"] = {"shard": shard.name, "position": position}
    return Document(text=text, id=doc_id, metadata=metadata)


def _jsonl_rows(shard: Shard) -> Iterator[Row | Unreadable]:
    with shard.open() as stream:
        first = True
        for line_number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            if first and line.strip() in (b"[", b"{"):
                # A pretty-printed JSON document: one clear entry instead of one per line.
                yield Unreadable(shard.name, None, "a JSON document spread over lines, not JSON Lines "
                                                   "(one object per line)")
                return
            first = False
            try:
                row = orjson.loads(line)
            except orjson.JSONDecodeError as error:
                yield Unreadable(shard.name, line_number, f"invalid JSON: {error}")
                continue
            if not isinstance(row, dict):
                yield Unreadable(shard.name, line_number, f"a JSON {type(row).__name__}, not an object")
                continue
            yield line_number, row


def _parquet_rows(shard: Shard) -> Iterator[Row | Unreadable]:
    import pyarrow.parquet as pq

    with shard.open() as stream:
        position = 0
        for batch in pq.ParquetFile(stream).iter_batches(batch_size=1024):
            for row in batch.to_pylist():
                yield position, row
                position += 1


def _text_rows(shard: Shard) -> Iterator[Row | Unreadable]:
    with shard.open() as stream:
        raw = stream.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        yield Unreadable(shard.name, None, f"not UTF-8 text: {error}")
        return
    yield 0, {"text": text, "id": shard.name}


def _warc_rows(shard: Shard) -> Iterator[Row | Unreadable]:
    from corpus_audit.io.warc import warc_rows

    yield from warc_rows(shard)


_ROW_READERS = {"jsonl": _jsonl_rows, "parquet": _parquet_rows, "text": _text_rows, "warc": _warc_rows}
