"""A progress bar over documents and shards for a run whose tasks may live in other processes.

Each task writes its counts to a small file (see io/account.py); a thread in the
main process adds them up twice a second. Files work for every executor and
need no shared memory.
"""
from __future__ import annotations

import threading
from pathlib import Path

from tqdm import tqdm


class ProgressWatcher:
    def __init__(self, progress_dir: Path, total_shards: int, disable: bool = False, interval: float = 0.5):
        self.progress_dir = Path(progress_dir)
        self.total_shards = total_shards
        self.disable = disable
        self.interval = interval
        self._stop = threading.Event()

    def _read(self) -> tuple[int, int]:
        documents = shards = 0
        for path in self.progress_dir.glob("[0-9]*"):
            try:
                docs, started, _ = path.read_text().split()
            except (OSError, ValueError):
                continue
            documents += int(docs)
            shards += int(started)
        return documents, shards

    def _watch(self) -> None:
        # disable=None: bars on a terminal, silence in logs and pipes.
        with tqdm(desc="documents", unit=" doc", unit_scale=True, position=0, dynamic_ncols=True,
                  disable=None) as docs_bar, \
             tqdm(desc="shards", total=self.total_shards, unit=" shard", position=1, dynamic_ncols=True,
                  disable=None) as shard_bar:
            while True:
                stopping = self._stop.wait(self.interval)
                documents, shards = self._read()
                docs_bar.update(documents - docs_bar.n)
                shard_bar.update(min(shards, self.total_shards) - shard_bar.n)
                if stopping:
                    return

    def __enter__(self):
        if not self.disable:
            self._thread = threading.Thread(target=self._watch, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc):
        if not self.disable:
            self._stop.set()
            self._thread.join()
        return False
