"""Shard writers in the input's own format and compression, byte-identical from run to run.

JSONL keeps its compression (gzip with mtime 0 and no file name in the header,
zstd at a fixed level); Parquet keeps its schema and codec and gains one struct
column, `corpus_audit`. WARC and plain-text inputs cannot carry annotations, so
they are written as JSONL.gz (`text`, `id`, `url`, `date` as read) under the
shard's name with `.jsonl.gz` in place of its ending; the manifest notes it.
Files appear atomically: a killed run never leaves a half-written shard under
its final name.
"""
from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import zstandard

from corpus_audit.io.atomic import atomic_path
from corpus_audit.io.parquet import ParquetStreamWriter
from corpus_audit.io.shards import Shard

GZIP_LEVEL = 6
ZSTD_LEVEL = 3
WRITE_BUFFER = 1 << 20
_CONVERTED_ENDINGS = (".warc.gz", ".wet.gz", ".warc", ".wet", ".txt.gz", ".txt")


def output_name(shard: Shard) -> str:
    """The relative name the shard is written under."""
    if shard.format in ("jsonl", "parquet"):
        return shard.name
    lowered = shard.name.lower()
    for ending in _CONVERTED_ENDINGS:
        if lowered.endswith(ending):
            return shard.name[: -len(ending)] + ".jsonl.gz"
    return shard.name + ".jsonl.gz"


def output_format(shard: Shard) -> tuple[str, str | None]:
    return (shard.format, shard.compression) if shard.format in ("jsonl", "parquet") else ("jsonl", "gzip")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class JsonlShardWriter:
    def __init__(self, path: Path, compression: str | None):
        self.path = path
        self._atomic = atomic_path(path)
        self._raw = open(self._atomic.__enter__(), "wb")
        if compression == "gzip":
            self._stream = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0, compresslevel=GZIP_LEVEL)
        elif compression == "zstd":
            self._stream = zstandard.ZstdCompressor(level=ZSTD_LEVEL).stream_writer(self._raw, closefd=False)
        else:
            self._stream = None

        self._pending = bytearray()  # rows are small: the compressor gets blocks of WRITE_BUFFER bytes

    def write(self, row: dict) -> None:
        self._pending += orjson.dumps(row)
        self._pending += b"\n"
        if len(self._pending) >= WRITE_BUFFER:
            self._flush()

    def _flush(self) -> None:
        (self._stream or self._raw).write(self._pending)
        self._pending.clear()

    def close(self) -> None:
        self._flush()
        if self._stream is not None:
            self._stream.close()
        self._raw.close()
        self._atomic.__exit__(None, None, None)

    def abort(self) -> None:
        self._raw.close()
        self._atomic.__exit__(RuntimeError, RuntimeError("aborted"), None)


def parquet_layout(shard: Shard) -> tuple[pa.Schema, str]:
    """The input's Arrow schema and compression codec (of its first column chunk; snappy when empty)."""
    with shard.open() as stream:
        parquet = pq.ParquetFile(stream)
        schema = parquet.schema_arrow
        codec = "snappy"
        if parquet.metadata.num_row_groups and parquet.metadata.num_columns:
            codec = parquet.metadata.row_group(0).column(0).compression.lower()
    return schema, ("none" if codec == "uncompressed" else codec)


def export_schema(schema: pa.Schema, annotation: pa.DataType | None, id_key: str, string_ids: bool,
                  weight: bool) -> pa.Schema:
    """The input schema with the export's columns: corpus_audit (replaced if present), sample_weight, string ids."""
    fields = [f for f in schema if f.name != "corpus_audit"]
    if string_ids:
        fields = [pa.field(f.name, pa.string()) if f.name == id_key and f.type != pa.string() else f for f in fields]
    if weight:
        weight_field = pa.field("sample_weight", pa.float64())
        if any(f.name == "sample_weight" for f in fields):
            fields = [weight_field if f.name == "sample_weight" else f for f in fields]
        else:
            fields.append(weight_field)
    if annotation is not None:
        fields.append(pa.field("corpus_audit", annotation))
    return pa.schema(fields, metadata=schema.metadata)


def open_writer(path: Path, fmt: str, compression: str | None, schema: pa.Schema | None = None,
                parquet_codec: str = "snappy"):
    if fmt == "parquet":
        return ParquetStreamWriter(path, schema, parquet_codec)
    return JsonlShardWriter(path, compression)
