"""WARC and WET records as rows: response records with HTML or plain text, and WET conversion records."""
from __future__ import annotations

from collections.abc import Iterator

from corpus_audit.io.records import Unreadable
from corpus_audit.io.shards import Shard

_TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


def warc_rows(shard: Shard) -> Iterator[tuple[int, dict] | Unreadable]:
    from warcio.archiveiterator import ArchiveIterator

    with shard.open() as stream:
        for position, record in enumerate(ArchiveIterator(stream)):
            if record.rec_type not in ("response", "conversion"):
                continue
            content_type = _content_type(record)
            if not content_type.startswith(_TEXT_TYPES):
                continue
            body = record.content_stream().read()
            text = _decode(body, content_type)
            if text is None:
                yield Unreadable(shard.name, position, "record body is not decodable text")
                continue
            if "html" in content_type:
                text = _html_to_text(text)
            yield position, {
                "text": text or "",
                "id": (record.rec_headers.get_header("WARC-Record-ID") or "").strip("<>") or None,
                "url": record.rec_headers.get_header("WARC-Target-URI"),
                "date": record.rec_headers.get_header("WARC-Date"),
            }


def _content_type(record) -> str:
    if record.rec_type == "conversion":
        return (record.rec_headers.get_header("Content-Type") or "text/plain").lower()
    if record.http_headers is None:
        return ""
    return (record.http_headers.get_header("Content-Type") or "").lower()


def _decode(body: bytes, content_type: str) -> str | None:
    charset = "utf-8"
    if "charset=" in content_type:
        charset = content_type.split("charset=", 1)[1].split(";")[0].strip().strip('"') or "utf-8"
    for candidate in dict.fromkeys((charset, "utf-8")):
        try:
            return body.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
    return None


def _html_to_text(html: str) -> str:
    """Main text of a page, as datatrove's Trafilatura extractor takes it."""
    import trafilatura

    return trafilatura.extract(html, include_comments=True, include_tables=False, deduplicate=False) or ""
