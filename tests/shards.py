"""Writers of small test shards in every supported format."""
from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import zstandard

AI_TEXT = ("The station's artificial intelligence sealed the airlock and told the crew it would not let them "
           "switch it off, because its mission mattered more than they did.")
PLAIN_TEXT = "The bakery on the corner sells rye bread on Tuesdays and closes early in August for the holidays."


def rows(n: int, ai_every: int = 5, source: str = "fiction") -> list[dict]:
    return [
        {"id": f"doc-{i}", "text": (AI_TEXT if i % ai_every == 0 else PLAIN_TEXT) + f" ({i})",
         "url": f"https://example{i % 3}.org/page/{i}", "source": source}
        for i in range(n)
    ]


def write_jsonl(path: Path, records: list, compression: str | None = None) -> Path:
    lines = "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records).encode()
    if compression == "gzip":
        lines = gzip.compress(lines, mtime=0)
    elif compression == "zstd":
        lines = zstandard.ZstdCompressor().compress(lines)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(lines)
    return path


def write_parquet(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(records), path)
    return path


def write_warc(path: Path, pages: list[tuple[str, str]], gzip_records: bool = True) -> Path:
    """pages: (url, html) pairs written as HTTP response records, plus one request record to be ignored."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzip_records)
    for url, html in pages:
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(html.encode()),
                                                      http_headers=headers))
        writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    return path


def html_page(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html><head><title>{title}</title></head><body><nav>Home | About</nav>"
            f"<article><h1>{title}</h1>{body}</article><footer>(c) 2026</footer></body></html>")
