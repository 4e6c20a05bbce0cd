"""Export one shard: read its rows, find each document's tags, decide its fate, write it where it belongs.

Documents keep every original field and their order in the shard; only the
export's own fields change: `corpus_audit` (annotations), `sample_weight`
(rebalance in weight mode), the id of a copy (`<id>#r1`, ...) and, with
`--unit paragraph`, the text of a trimmed document. The result is the shard's
entry of the manifest: counts that reconcile, and the sha256 of every file.
"""
from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from corpus_audit.cascade import Cascade, CascadeConfig
from corpus_audit.export.paragraphs import split_blocks
from corpus_audit.export.rules import FilterPlan, RebalancePlan
from corpus_audit.export.table import BeforeAfter
from corpus_audit.export.writers import (export_schema, open_writer, output_format, output_name, parquet_layout,
                                         sha256_of)
from corpus_audit.hashing import unit_hash
from corpus_audit.io.account import ReadAccount
from corpus_audit.io.readers import read_rows
from corpus_audit.io.records import FieldKeys, Unreadable, get_field, text_problem
from corpus_audit.io.shards import Shard
from corpus_audit.labels import AI_MENTION, ALL_TAGS

BATCH = 256
MAX_DETAILS = 50
REJECTED = "rejected"
_FLOAT32 = struct.Struct("<f")
_CASCADES: dict[str, Cascade] = {}  # one per process and configuration: models load once, not once per shard


@dataclass
class ExportSettings:
    """Everything a task needs; picklable, so datatrove can ship it to workers."""

    output_dir: Path
    plan: FilterPlan | RebalancePlan
    keys: FieldKeys = field(default_factory=FieldKeys)
    seed: int = 0
    annotate: bool = True
    dry_run: bool = False
    sample: float | None = None
    limit: int | None = None
    cascade: CascadeConfig = field(default_factory=CascadeConfig)
    tags_dir: str | None = None
    with_portrayal: bool = False

    @property
    def model_tags(self) -> tuple[str, ...]:
        return ALL_TAGS if self.with_portrayal else (AI_MENTION,)

    @property
    def is_filter(self) -> bool:
        return isinstance(self.plan, FilterPlan)

    @property
    def string_ids(self) -> bool:
        """Copies get string ids (<id>#r1), so an integer id column becomes a string column."""
        plan = self.plan
        return (not self.is_filter and plan.upsample_mode == "duplicate"
                and any(rule.factor > 1 for rule in plan.rules))


def cascade_for(config: CascadeConfig) -> Cascade:
    key = repr(config)
    if key not in _CASCADES:
        _CASCADES[key] = Cascade(config)
    return _CASCADES[key]


def _score(value) -> float:
    """Scores at float32 precision, as the tags table stores them: reused and fresh tags then agree exactly."""
    return _FLOAT32.unpack(_FLOAT32.pack(value or 0.0))[0]


def annotation_of(row: dict, settings: ExportSettings) -> dict:
    """The document's tags-table row, reduced to what the exported shards carry."""
    annotation = {"source_type": row["source_type"], "source_type_from": row["source_type_from"],
                  "language": row["language"], "assessed": bool(row["assessed"])}
    for tag in settings.model_tags:
        annotation[tag] = bool(row[tag])
        annotation[f"score_{tag}"] = _score(row[f"score_{tag}"])
    if settings.with_portrayal:
        annotation["evidence"] = row.get("evidence")
    return annotation


def set_field(row: dict, key: str, value) -> None:
    """Sets a (possibly dotted) field where get_field found it."""
    if key in row or "." not in key:
        row[key] = value
        return
    *parents, last = key.split(".")
    target = row
    for part in parents:
        target = target[part]
    target[last] = value


def _rows(shard: Shard) -> Iterator[tuple[int, dict] | Unreadable]:
    try:
        yield from read_rows(shard)
    except Exception as error:  # noqa: BLE001 - a corrupt shard: what was read stands, the rest is one entry
        yield Unreadable(shard.name, None, f"unreadable from here on: {type(error).__name__}: {error}")


_SAVED_COLUMNS = {"id", "position", "source_type", "source_type_from", "source_sampling", "language", "assessed",
                  "evidence", *ALL_TAGS}


class TagLookup:
    """An audit's saved tags for one shard, by position (the id must match too)."""

    def __init__(self, tags_dir: str):
        self.tags_dir = tags_dir

    def for_shard(self, name: str) -> dict[int, dict]:
        import pyarrow.dataset as ds

        from corpus_audit.io.tags import tag_files

        dataset = ds.dataset([str(p) for p in tag_files(self.tags_dir)], format="parquet")
        columns = [c for c in dataset.schema.names if c in _SAVED_COLUMNS or c.startswith("score_")]
        table = dataset.to_table(columns=columns, filter=ds.field("shard") == name)
        return {row["position"]: row for row in table.to_pylist()}


@dataclass
class _Doc:
    position: int
    row: dict
    text: str
    id: str
    annotation: dict | None = None


class ShardExport:
    def __init__(self, shard: Shard, settings: ExportSettings, account: ReadAccount):
        self.shard = shard
        self.settings = settings
        self.account = account
        self.name = output_name(shard)
        self.format, self.compression = output_format(shard)
        self.table = BeforeAfter(settings.model_tags)
        self.counts = dict.fromkeys(("kept", "rejected", "copies", "tags_reused", "classified"), 0)
        if settings.is_filter:
            self.counts.update(dict.fromkeys(("documents_trimmed", "paragraphs_removed", "chars_removed"), 0))
        self.tags = TagLookup(settings.tags_dir).for_shard(shard.name) if settings.tags_dir else {}
        self._writers: dict[str, object] = {}
        self._schema = None
        self._codec = "snappy"
        if self.format == "parquet":
            schema, self._codec = parquet_layout(shard)
            self._schema = export_schema(schema, self._annotation_type() if settings.annotate else None,
                                         settings.keys.id, settings.string_ids,
                                         not settings.is_filter and settings.plan.upsample_mode == "weight")

    def _annotation_type(self):
        import pyarrow as pa

        fields = [("id", pa.string())]
        if self.settings.is_filter:
            fields += [("reason", pa.string()), ("part", pa.string()), ("paragraphs_removed", pa.int64()),
                       ("chars_removed", pa.int64())]
        else:
            fields += [("copy_of", pa.string()), ("multiplier", pa.float64())]
        fields += [("source_type", pa.string()), ("source_type_from", pa.string()), ("language", pa.string()),
                   ("assessed", pa.bool_())]
        for tag in self.settings.model_tags:
            fields += [(tag, pa.bool_()), (f"score_{tag}", pa.float64())]
        if self.settings.with_portrayal:
            fields.append(("evidence", pa.string()))
        return pa.struct(fields)

    # -- reading ---------------------------------------------------------------------------------------------

    def run(self) -> dict:
        start = self.account.documents
        try:
            if not self.settings.dry_run:
                self._writer(self.name)  # the kept shard exists even when nothing is kept
            batch: list[_Doc] = []
            for doc in self._documents():
                batch.append(doc)
                if len(batch) >= BATCH:
                    self._process(batch)
                    batch = []
            self._process(batch)
        except BaseException:
            for writer in self._writers.values():
                writer.abort()
            raise
        files = {}
        for relative, writer in sorted(self._writers.items()):
            writer.close()
            files[relative] = sha256_of(self.settings.output_dir / relative)
        return self._entry(self.account.documents - start, files)

    def _documents(self) -> Iterator[_Doc]:
        keys, settings, account = self.settings.keys, self.settings, self.account
        account.start(self.shard.name)
        for item in _rows(self.shard):
            if isinstance(item, Unreadable):
                account.unreadable(item)
                continue
            position, row = item
            text = get_field(row, keys.text)
            problem = text_problem(text, keys.text)
            if problem:
                account.unreadable(Unreadable(self.shard.name, position, problem))
                continue
            doc_id = get_field(row, keys.id)
            doc_id = str(doc_id) if doc_id not in (None, "") else f"{self.shard.name}:{position}"
            if settings.sample is not None and unit_hash(doc_id, settings.seed, "sample") >= settings.sample:
                account.sampled_out(self.shard.name)
                continue
            account.read(self.shard.name)
            yield _Doc(position, row, text, doc_id)
            if settings.limit is not None and account.documents >= settings.limit:
                return

    # -- tags ------------------------------------------------------------------------------------------------

    def _annotate(self, batch: list[_Doc]) -> None:
        fresh = []
        for doc in batch:
            saved = self.tags.get(doc.position)
            # a page a sampling audit did not type by text ("skipped") is classified again, for its own type
            if saved is not None and saved["id"] == doc.id and saved.get("source_sampling") != "skipped":
                doc.annotation = annotation_of(saved, self.settings)
                self.counts["tags_reused"] += 1
            else:
                fresh.append(doc)
        if fresh:
            rows = self._classify([d.text for d in fresh], [d.row for d in fresh])
            for doc, row in zip(fresh, rows):
                doc.annotation = annotation_of(row, self.settings)
            self.counts["classified"] += len(fresh)

    def _classify(self, texts: list[str], metadatas: list[dict]) -> list[dict]:
        cascade = cascade_for(self.settings.cascade)
        missing = set(self.settings.model_tags) - set(cascade.tags)
        if missing:
            raise RuntimeError(f"the installed model cannot produce {', '.join(sorted(missing))}, "
                               "which the saved tags have; classify with the same model or run the audit again")
        return cascade.annotate(texts, metadatas)

    # -- deciding and writing --------------------------------------------------------------------------------

    def _process(self, batch: list[_Doc]) -> None:
        if not batch:
            return
        self._annotate(batch)
        for doc in batch:
            self.table.add("before", doc.annotation)
        if self.settings.is_filter:
            self._filter(batch)
        else:
            for doc in batch:
                self._rebalance(doc)

    def _filter(self, batch: list[_Doc]) -> None:
        plan: FilterPlan = self.settings.plan
        reasons = [plan.reason(doc.annotation) for doc in batch]
        gated = [i for i, reason in enumerate(reasons) if reason]
        outcomes = dict(zip(gated, self._flag_blocks([batch[i] for i in gated]))) if plan.unit == "paragraph" else {}
        for i, (doc, reason) in enumerate(zip(batch, reasons)):
            outcome = outcomes.get(i, "")
            if reason is None:
                self._write_kept(doc, {"reason": None})
            elif isinstance(outcome, tuple):
                self._write_trimmed(doc, *outcome)
            else:
                self._write_rejected(doc, reason + outcome)

    def _flag_blocks(self, docs: list[_Doc]) -> list[tuple | str]:
        """Per document: (kept text, removed text, paragraphs removed, reasons) to trim it, or a note on why
        it goes whole (it is one block, every block is flagged, or no single block carries the tag)."""
        plan: FilterPlan = self.settings.plan
        splits = [split_blocks(doc.text) for doc in docs]
        texts, metadatas, owners = [], [], []
        for i, (doc, blocks) in enumerate(zip(docs, splits)):
            if len(blocks) > 1:
                texts.extend(b.text for b in blocks)
                metadatas.extend([doc.row] * len(blocks))
                owners.extend([i] * len(blocks))
        flags: dict[int, list] = {}
        for owner, row in zip(owners, self._classify(texts, metadatas) if texts else []):
            flags.setdefault(owner, []).append(plan.block_reason(row))
        outcomes = []
        for i, blocks in enumerate(splits):
            doc_flags = flags.get(i)
            if doc_flags is None or all(doc_flags):
                outcomes.append("")
            elif not any(doc_flags):
                outcomes.append(" (whole document: no single block carries it)")
            else:
                removed = [b for b, f in zip(blocks, doc_flags) if f]
                reasons = ",".join(dict.fromkeys(t for f in doc_flags if f for t in f.split(",")))
                outcomes.append(("".join(b.text for b, f in zip(blocks, doc_flags) if not f),
                                 "".join(b.text for b in removed), sum(b.paragraphs for b in removed), reasons))
        return outcomes

    def _write_trimmed(self, doc: _Doc, kept: str, removed: str, paragraphs: int, reasons: str) -> None:
        counts = self.counts
        counts["documents_trimmed"] += 1
        counts["paragraphs_removed"] += paragraphs
        counts["chars_removed"] += len(removed)
        extra = {"reason": reasons, "paragraphs_removed": paragraphs, "chars_removed": len(removed)}
        self._write_kept(doc, extra, text=kept, cleared=tuple(reasons.split(",")))
        part = self._row(doc, {**extra, "part": "removed_paragraphs"}, text=removed)
        self._emit(f"{REJECTED}/{self.name}", part)

    def _write_kept(self, doc: _Doc, extra: dict, text: str | None = None, cleared: tuple = ()) -> None:
        self.counts["kept"] += 1
        self.table.add("after", doc.annotation, cleared=cleared)
        self._emit(self.name, self._row(doc, extra, text=text))

    def _write_rejected(self, doc: _Doc, reason: str) -> None:
        self.counts["rejected"] += 1
        self.table.add("after", doc.annotation, weight=0)
        self._emit(f"{REJECTED}/{self.name}", self._row(doc, {"reason": reason}))

    def _rebalance(self, doc: _Doc) -> None:
        plan: RebalancePlan = self.settings.plan
        multiplier = plan.multiplier(doc.annotation)
        copies, weight = plan.fate(doc.annotation, doc.id, self.settings.seed)
        self.table.add("after", doc.annotation, weight=copies * weight)
        if copies == 0:
            self.counts["rejected"] += 1
            return
        self.counts["kept"] += 1
        self.counts["copies"] += copies - 1
        self._emit(self.name, self._row(doc, {"copy_of": None, "multiplier": multiplier}, weight=weight))
        for number in range(1, copies):
            copy_id = f"{doc.id}#r{number}"
            self._emit(self.name, self._row(doc, {"copy_of": doc.id, "multiplier": multiplier}, weight=weight,
                                            doc_id=copy_id))

    def _row(self, doc: _Doc, extra: dict, text: str | None = None, weight: float | None = None,
             doc_id: str | None = None) -> dict | None:
        if self.settings.dry_run:
            return None
        keys = self.settings.keys
        row = _copy(doc.row) if (text is not None or doc_id is not None) else dict(doc.row)
        if self.shard.format not in ("jsonl", "parquet"):
            row = {k: v for k, v in row.items() if v is not None}
        if text is not None:
            set_field(row, keys.text, text)
        if doc_id is not None and get_field(row, keys.id) is not None:
            set_field(row, keys.id, doc_id)
        elif self.format == "parquet" and self.settings.string_ids and row.get(keys.id) is not None:
            row[keys.id] = str(row[keys.id])
        if weight is not None and self.settings.plan.upsample_mode == "weight":
            previous = row.get("sample_weight")
            is_number = isinstance(previous, (int, float)) and not isinstance(previous, bool)
            row["sample_weight"] = float(previous) * weight if is_number else float(weight)
        if self.settings.annotate:
            if self.settings.is_filter:
                extra = {"part": None, "paragraphs_removed": 0, "chars_removed": 0, **extra}
                ordered = ("reason", "part", "paragraphs_removed", "chars_removed")
            else:
                ordered = ("copy_of", "multiplier")
            row["corpus_audit"] = {"id": doc_id or doc.id, **{k: extra[k] for k in ordered}, **doc.annotation}
        return row

    def _emit(self, relative: str, row: dict | None) -> None:
        if row is not None:
            self._writer(relative).write(row)

    def _writer(self, relative: str):
        if relative not in self._writers:
            path = self.settings.output_dir / relative
            self._writers[relative] = open_writer(path, self.format, self.compression, self._schema, self._codec)
        return self._writers[relative]

    def _entry(self, read: int, files: dict) -> dict:
        shard_account = self.account.shards[self.shard.name]
        unreadable = shard_account["unreadable"]
        entry = {
            "shard": self.shard.name,
            "format": self.shard.format if self.shard.compression is None
            else f"{self.shard.format}+{self.shard.compression}",
            "output": None if self.settings.dry_run else self.name,
            "in": read + unreadable,
            **self.counts,
            "unreadable": unreadable,
            "whole_shard_failed": shard_account["whole_shard_failed"],
            "sampled_out": shard_account["sampled_out"],
            "written": self.counts["kept"] + self.counts["copies"],
            "unreadable_details": shard_account["details"][:MAX_DETAILS],
            "files": files,
            "table": self.table.data,
        }
        if self.shard.format not in ("jsonl", "parquet"):
            entry["converted_to"] = "jsonl.gz"
        return entry


def _copy(row: dict) -> dict:
    """A copy deep enough that changing a dotted field leaves the original row alone."""
    return {k: _copy(v) if isinstance(v, dict) else v for k, v in row.items()}
