"""datatrove pipeline steps over corpus-audit's parts: read shards, tag, write tags, count, filter.

    from corpus_audit.datatrove import AuditTagger, AuditFilter, AuditStats
    pipeline = [JsonlReader("crawl/"), AuditTagger(), AuditStats("stats/"), AuditFilter(drop=["ai_evil"]), JsonlWriter("out/")]

Annotations go to `doc.metadata["corpus_audit"]`, the same key the exported shards carry.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.filters.base_filter import BaseFilter

from corpus_audit.aggregate.counts import Counts
from corpus_audit.cascade import SOURCE_SAMPLE_RATE, Cascade, CascadeConfig
from corpus_audit.hashing import unit_hash
from corpus_audit.io.account import ReadAccount
from corpus_audit.io.atomic import write_json
from corpus_audit.io.readers import read_documents
from corpus_audit.io.records import FieldKeys, Unreadable
from corpus_audit.io.shards import Shard
from corpus_audit.io.tags import open_tag_table
from corpus_audit.labels import ALL_TAGS

ANNOTATIONS = "corpus_audit"


def annotations(doc: Document) -> dict:
    return doc.metadata.setdefault(ANNOTATIONS, {})


class ShardReader(PipelineStep):
    """Reads this task's share of the shards; accounts for every unreadable line and sampled-out document."""

    name = "📖 corpus-audit shards"
    type = "📖 - READER"

    def __init__(self, shards: Sequence[Shard], account_dir: str | Path, keys: FieldKeys = FieldKeys(),
                 limit: int = -1, sample: float = 1.0, seed: int = 0, progress_dir: str | Path | None = None):
        super().__init__()
        self.shards = list(shards)
        self.account_dir = Path(account_dir)
        self.keys = keys
        self.limit = limit
        self.sample = sample
        self.seed = seed
        self.progress_dir = Path(progress_dir) if progress_dir else None

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        progress = self.progress_dir / f"{rank:05d}" if self.progress_dir else None
        account = ReadAccount(progress)
        for shard in self.shards[rank::world_size]:
            account.start(shard.name)
            for item in read_documents(shard, self.keys):
                if isinstance(item, Unreadable):
                    account.unreadable(item)
                    self.stat_update("unreadable")
                    continue
                account.seen_id(shard.name, item.id)
                if self.sample < 1.0 and unit_hash(item.id, self.seed, "sample") >= self.sample:
                    account.sampled_out(shard.name)
                    continue
                account.read(shard.name)
                self.update_doc_stats(item)
                yield item
                if 0 <= self.limit <= account.documents:
                    break
            if 0 <= self.limit <= account.documents:
                break
        account.save(self.account_dir / f"_read-{rank:05d}.json")


class AuditTagger(PipelineStep):
    """Tags each document: language, AI mentions, portrayal tags with scores, source type."""

    name = "🏷 corpus-audit tagger"
    type = "🏷 - TAGGER"

    def __init__(self, tier: str = "fast", classify: bool = True, source_map: str | None = None,
                 url_key: str = "url", source_key: str = "source", batch_size: int = 256, source_text: str = "all",
                 source_sample: float = SOURCE_SAMPLE_RATE):
        super().__init__()
        self.cascade = Cascade(CascadeConfig(tier, classify, source_map, url_key, source_key, source_text, source_sample))
        self.batch_size = batch_size

    @property
    def tags(self) -> tuple[str, ...]:
        return self.cascade.tags

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        batch: list[Document] = []
        for doc in data or ():
            batch.append(doc)
            if len(batch) >= self.batch_size:
                yield from self._tag(batch)
                batch = []
        yield from self._tag(batch)

    def _tag(self, batch: list[Document]) -> Iterable[Document]:
        if not batch:
            return
        with self.track_time("batch"):
            rows = self.cascade.annotate([d.text for d in batch], [d.metadata for d in batch], [d.id for d in batch])
        for doc, row in zip(batch, rows):
            annotations(doc).update(row)
            for tag in self.tags:
                if row.get(tag):
                    self.stat_update(tag)
            yield doc


class TagWriter(PipelineStep):
    """Writes one row per document to OUT/tags/<task>.parquet."""

    name = "💾 corpus-audit tags"
    type = "💽 - WRITER"

    def __init__(self, tags_dir: str | Path, with_portrayal: bool):
        super().__init__()
        self.tags_dir = Path(tags_dir)
        self.with_portrayal = with_portrayal

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        writer = open_tag_table(self.tags_dir / f"{rank:05d}.parquet", self.with_portrayal)
        try:
            for doc in data or ():
                row = annotations(doc)
                writer.write({"id": doc.id, **row})
                yield doc
        except BaseException:
            writer.abort()
            raise
        writer.close()


class AuditStats(PipelineStep):
    """Counts documents, characters and tags per source type; saves this task's partial counts as JSON."""

    name = "📊 corpus-audit stats"
    type = "📊 - STATS"

    def __init__(self, output_dir: str | Path, tags: Sequence[str] | None = None):
        """tags: what to count; None counts the tags the tagger produced (never zeros for tags it could not)."""
        super().__init__()
        self.output_dir = Path(output_dir)
        self.tags = tuple(tags) if tags else None

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        counts = Counts(self.tags) if self.tags else None
        for doc in data or ():
            row = annotations(doc)
            if counts is None:
                counts = Counts(tuple(tag for tag in ALL_TAGS if tag in row))
            counts.add(row)
            yield doc
        counts = counts or Counts(self.tags or ALL_TAGS)
        write_json(self.output_dir / f"_counts-{rank:05d}.json", counts.to_json())


class AuditFilter(BaseFilter):
    """Drops documents that carry any of the tags (score at or above the threshold), optionally in some source types."""

    name = "🤖 corpus-audit filter"

    def __init__(self, drop: Sequence[str] = ("ai_evil", "ai_self_preserving"), thresholds: dict | None = None,
                 sources: Sequence[str] | None = None, exclusion_writer=None):
        super().__init__(exclusion_writer)
        self.drop = tuple(drop)
        self.thresholds = dict(thresholds or {})
        self.sources = set(sources) if sources else None

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        row = annotations(doc)
        if self.sources is not None and row.get("source_type") not in self.sources:
            return True
        for tag in self.drop:
            threshold = self.thresholds.get(tag)
            carried = row.get(f"score_{tag}", 0.0) >= threshold if threshold is not None else row.get(tag, False)
            if carried:
                return False, tag
        return True
