"""The datatrove step of filter and rebalance: each task exports its shards and records each one as done.

Task `rank` takes shards rank, rank + tasks, ... A shard's manifest entry is
written to `_state/shards/` only after its files are in place, so a rerun skips
exactly the shards that were finished, whatever the number of workers.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

from corpus_audit.export.shard import ExportSettings, ShardExport
from corpus_audit.io.account import ReadAccount
from corpus_audit.io.atomic import read_json, write_json
from corpus_audit.io.shards import Shard


def entry_path(entries_dir: Path, index: int) -> Path:
    return Path(entries_dir) / f"{index:06d}.json"


class ExportShards(PipelineStep):
    name = "📦 corpus-audit export"
    type = "💽 - WRITER"

    def __init__(self, shards: Sequence[Shard], settings: ExportSettings, entries_dir: str | Path,
                 progress_dir: str | Path | None = None):
        super().__init__()
        self.shards = list(shards)
        self.settings = settings
        self.entries_dir = Path(entries_dir)
        self.progress_dir = Path(progress_dir) if progress_dir else None

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> None:
        """Exports this task's shards; passes no documents on (it is the whole pipeline)."""
        account = ReadAccount(self.progress_dir / f"{rank:05d}" if self.progress_dir else None)
        limit = self.settings.limit
        for index in range(rank, len(self.shards), world_size):
            if limit is not None and account.documents >= limit:
                break
            done = entry_path(self.entries_dir, index)
            if done.exists():
                finished = read_json(done)
                account.documents += finished["in"] - finished["unreadable"]  # counts toward --limit
                continue
            entry = ShardExport(self.shards[index], self.settings, account).run()
            write_json(done, {"index": index, **entry})
            self.stat_update("shards")
        account.save_progress(done=True)
