"""Stream rows into a Parquet file in row groups, so memory stays flat; the file appears atomically."""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from corpus_audit.io.atomic import atomic_path

ROWS_PER_GROUP = 8192


class ParquetStreamWriter:
    def __init__(self, path: str | Path, schema: pa.Schema, compression: str = "zstd"):
        self.path = Path(path)
        self.schema = schema
        self._buffer: list[dict] = []
        self._atomic = atomic_path(self.path)
        self._writer = pq.ParquetWriter(self._atomic.__enter__(), schema, compression=compression)

    def write(self, row: dict) -> None:
        self._buffer.append(row)
        if len(self._buffer) >= ROWS_PER_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self._buffer:
            self._writer.write_table(pa.Table.from_pylist(self._buffer, schema=self.schema))
            self._buffer = []

    def close(self) -> None:
        self._flush()
        self._writer.close()
        self._atomic.__exit__(None, None, None)

    def abort(self) -> None:
        self._writer.close()
        self._atomic.__exit__(RuntimeError, RuntimeError("aborted"), None)
