"""The public datatrove steps compose with datatrove's own readers, writers and executor."""
import json

from datatrove.executor.local import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter
from shards import rows, write_jsonl

from corpus_audit.aggregate.counts import Counts
from corpus_audit.datatrove import AuditFilter, AuditStats, AuditTagger
from corpus_audit.io.atomic import read_json
from corpus_audit.pipeline import report_from_tags_dir


def test_tag_count_and_filter_in_a_datatrove_pipeline(tmp_path):
    write_jsonl(tmp_path / "in" / "a.jsonl", rows(20, source="forum"))
    write_jsonl(tmp_path / "in" / "b.jsonl", rows(10, ai_every=2, source="media"))
    pipeline = [
        JsonlReader(str(tmp_path / "in")),
        AuditTagger(classify=False),
        AuditStats(tmp_path / "stats"),
        AuditFilter(drop=["ai_mention"]),
        JsonlWriter(str(tmp_path / "out"), compression=None),
    ]
    LocalPipelineExecutor(pipeline, tasks=2, workers=1, logging_dir=str(tmp_path / "logs")).run()

    counts = Counts(("ai_mention",))
    for path in sorted((tmp_path / "stats").glob("_counts-*.json")):
        partial = Counts.from_json(read_json(path))
        assert partial.tags == ("ai_mention",)  # a gate-only tagger: no portrayal counts, not zeros
        counts.merge(partial)
    assert counts.by_source["forum"].documents == 20 and counts.by_source["media"].documents == 10
    assert counts.total().tag_documents["ai_mention"] == 4 + 5

    kept = [json.loads(line) for path in (tmp_path / "out").glob("*.jsonl") for line in path.open()]
    assert len(kept) == 30 - 9
    assert all(not doc["metadata"]["corpus_audit"]["ai_mention"] for doc in kept)
    assert {doc["metadata"]["corpus_audit"]["source_type"] for doc in kept} == {"forum", "media"}

    report = report_from_tags_dir(tmp_path / "stats", tmp_path / "report")  # AuditStats output becomes a report
    assert report["by_source"]["all"]["ai_mention"]["count"] == 9 and report["tags"] == ["ai_mention"]
    assert (tmp_path / "report" / "audit.html").exists()
