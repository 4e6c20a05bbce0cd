"""The one-screen summary printed at the end of an audit."""
from __future__ import annotations

from corpus_audit.report.markdown import percent, sources_in_order

FEW_READ = 2000  # below this many pages read, sampled source-type counts are rough (classifiers/SOURCE_TYPE.md)


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def render_summary(report: dict, output_dir: str, tags_dirs: list[str] | None = None) -> str:
    corpus, tags = report["corpus"], report["tags"]
    head = f"{'source type':<12} {'docs':>9} {'assessed':>9} " + " ".join(f"{t:>20}" for t in tags)
    read = f"{_n(corpus['documents'], 'document')} from {corpus['shards_read']:,} of {_n(corpus['shards'], 'shard')}"
    if corpus.get("limit"):
        read += f" (--limit {corpus['limit']:,})"
    if corpus.get("sample"):
        read += f" (--sample {corpus['sample']}: {corpus['sampled_out']:,} left out)"
    lines = [
        f"corpus-audit: {read}; {corpus['not_assessed']['documents']:,} not assessed, "
        f"{_n(corpus['unreadable']['documents'], 'unreadable document')}, "
        f"{_n(corpus['unreadable']['shards'], 'unreadable shard')}, {_n(len(corpus['skipped_files']), 'file')} skipped",
        "",
        head,
        "-" * len(head),
    ]
    for source in sources_in_order(report):
        block = report["by_source"][source]
        cells = []
        for tag in tags:
            t = block[tag]
            cells.append(f"{t['count']:>7,} {percent(t['rate'], 2):>11}" if t["rate"] is not None else f"{'–':>20}")
        lines.append(f"{source:<12} {block['documents']:>9,} {block['assessed']:>9,} " + " ".join(f"{c:>20}" for c in cells))
    sample = report.get("source_sample") or {}
    if sample.get("skipped"):
        lines += ["", f"Source types of {_n(sample['skipped'], 'document')} without an AI mention are estimated from "
                      f"the {sample['read']:,} the text model read (--source-text sample; --source-text all reads "
                      f"every one)."]
        if sample["read"] < FEW_READ:
            lines.append(f"With fewer than {FEW_READ:,} read, a small type's count can be off by half or more (see "
                         f"assessed_range in audit.json); on a corpus this size --source-text all costs little.")
    tags_where = ", ".join(tags_dirs) if tags_dirs else f"{output_dir}/tags/"
    lines += ["", f"Report: {output_dir}/audit.json, audit.md, audit.html; tags: {tags_where}"]
    return "\n".join(lines)
