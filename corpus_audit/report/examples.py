"""The highest-scoring evidence per tag, read back from the tags table for the HTML report."""
from __future__ import annotations

import heapq
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

from corpus_audit.io.tags import tag_files


def top_examples(tags_dirs: list[Path], tags: list[str], per_tag: int = 5) -> dict[str, list[dict]]:
    """Up to `per_tag` documents per tag with the highest score, with id, source type, score and evidence."""
    heaps: dict[str, list] = {tag: [] for tag in tags}
    seen = 0  # breaks ties between equal scores and ids, so rows are never compared
    for path in (p for tags_dir in tags_dirs for p in tag_files(tags_dir)):
        table = pq.read_table(path)
        if "evidence" not in table.column_names:
            return {}
        table = table.filter(pc.is_valid(table["evidence"]))
        for row in table.select(["id", "source_type", "domain", "evidence", *tags, *[f"score_{t}" for t in tags]]).to_pylist():
            for tag in tags:
                if row[tag]:
                    seen += 1
                    item = (row[f"score_{tag}"], row["id"], -seen, row)
                    (heapq.heappush if len(heaps[tag]) < per_tag else heapq.heappushpop)(heaps[tag], item)
    return {
        tag: [{"id": r["id"], "source_type": r["source_type"], "domain": r["domain"], "score": s,
               "evidence": r["evidence"]} for s, _, _, r in sorted(heap, key=lambda x: (-x[0], x[1], -x[2]))]
        for tag, heap in heaps.items()
    }
