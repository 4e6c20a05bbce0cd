"""The one-screen summary printed at the end of an audit."""
from __future__ import annotations

from corpus_audit.report.markdown import percent, sources_in_order


def render_summary(report: dict, output_dir: str) -> str:
    corpus, tags = report["corpus"], report["tags"]
    head = f"{'source type':<12} {'docs':>9} {'assessed':>9} " + " ".join(f"{t:>20}" for t in tags)
    lines = [
        f"corpus-audit: {corpus['documents']:,} documents in {corpus['shards']:,} shards; "
        f"{corpus['not_assessed']['documents']:,} not assessed, {corpus['unreadable']['documents']:,} unreadable "
        f"documents, {corpus['unreadable']['shards']:,} unreadable shards, {len(corpus['skipped_files']):,} files skipped",
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
    lines += ["", f"Report: {output_dir}/audit.json, audit.md, audit.html; tags: {output_dir}/tags/"]
    return "\n".join(lines)
