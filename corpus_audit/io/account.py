"""What a task read: per shard, documents passed on, documents left out by --sample, and unreadable entries.

It also counts ids repeated within a shard: sampling and rebalancing decide by id,
so documents that share one share their fate, and the report says how many do.
(Within a shard only, so memory stays bounded by the largest shard.)

Saved beside the tags as `_read-<task>.json`, so the report accounts for every
document: read (and tagged), sampled out, or unreadable, with the first few
problems of each shard named by file and line.
"""
from __future__ import annotations

import time
from pathlib import Path

from corpus_audit.io.atomic import write_json, write_text
from corpus_audit.io.records import Unreadable

MAX_DETAILS_PER_SHARD = 50
PROGRESS_EVERY_SECONDS = 0.5


class ReadAccount:
    def __init__(self, progress_path: Path | None = None):
        self.shards: dict[str, dict] = {}
        self.documents = 0
        self._progress_path = progress_path
        self._last_progress = 0.0
        self._ids_in_shard: set[str] = set()

    def _shard(self, name: str) -> dict:
        if name not in self.shards:
            self.shards[name] = {"documents": 0, "sampled_out": 0, "unreadable": 0, "whole_shard_failed": False,
                                 "repeated_ids": 0, "details": []}
        return self.shards[name]

    def start(self, shard: str) -> None:
        self._shard(shard)
        self._ids_in_shard.clear()

    def seen_id(self, shard: str, doc_id: str) -> None:
        if doc_id in self._ids_in_shard:
            self._shard(shard)["repeated_ids"] += 1
        else:
            self._ids_in_shard.add(doc_id)

    def read(self, shard: str) -> None:
        self._shard(shard)["documents"] += 1
        self.documents += 1
        self._maybe_report_progress()

    def sampled_out(self, shard: str) -> None:
        self._shard(shard)["sampled_out"] += 1

    def unreadable(self, problem: Unreadable) -> None:
        entry = self._shard(problem.shard)
        if problem.position is None:
            entry["whole_shard_failed"] = True
        else:
            entry["unreadable"] += 1
        if len(entry["details"]) < MAX_DETAILS_PER_SHARD:
            entry["details"].append(problem.describe())

    def _maybe_report_progress(self) -> None:
        now = time.monotonic()
        if self._progress_path is not None and now - self._last_progress > PROGRESS_EVERY_SECONDS:
            self._last_progress = now
            self.save_progress(done=False)

    def save_progress(self, done: bool) -> None:
        if self._progress_path is not None:
            write_text(self._progress_path, f"{self.documents} {len(self.shards)} {int(done)}")

    def save(self, path: Path) -> None:
        write_json(path, {"shards": self.shards})
        self.save_progress(done=True)
