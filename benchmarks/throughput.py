"""Audit throughput beside datatrove's JsonlReader alone, on the same shards, in one run.

    python benchmarks/throughput.py [--docs 20000] [--workers 2]

Shards are built from real text in ../shared/data (C4 web pages and the labeled
excerpts), repeated to the requested size, so the share of AI-mentioning documents
is close to the sources'. Prints MB/s and documents/s, per worker, and the ratio
of the audit's time to reading alone.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("LOGURU_LEVEL", "WARNING")

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def build_shards(folder: Path, docs: int, shards: int) -> int:
    texts = [json.loads(line)["text"] for line in open(SHARED / "corpora/web/c4/c4_sample.jsonl")]
    texts += [json.loads(line)["text"] for line in open(SHARED / "train/train.jsonl")]
    size = 0
    per_shard = docs // shards
    for s in range(shards):
        lines = [json.dumps({"id": f"{s}-{i}", "text": texts[(s * per_shard + i) % len(texts)],
                             "url": f"https://site{i % 97}.example.org/{i}"}) + "\n" for i in range(per_shard)]
        data = "".join(lines).encode()
        size += len(data)
        (folder / f"shard-{s:03d}.jsonl.gz").write_bytes(gzip.compress(data, compresslevel=1, mtime=0))
    return size


def time_datatrove_reader(folder: Path) -> tuple[float, int]:
    from datatrove.pipeline.readers import JsonlReader

    start = time.perf_counter()
    n = sum(1 for _ in JsonlReader(str(folder)).run(rank=0, world_size=1))
    return time.perf_counter() - start, n


def time_audit(folder: Path, out: Path, workers: int, classify: bool) -> tuple[float, int]:
    from corpus_audit.pipeline import audit

    start = time.perf_counter()
    report = audit([str(folder)], out, workers=workers, classify=classify, quiet=True)
    return time.perf_counter() - start, report["corpus"]["documents"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "shards"
        folder.mkdir()
        megabytes = build_shards(folder, args.docs, args.shards) / 1e6
        print(f"{args.docs:,} documents, {megabytes:.1f} MB of JSONL in {args.shards} gzip shards")
        base_seconds, n = time_datatrove_reader(folder)
        rows = [("datatrove JsonlReader alone, 1 process", base_seconds, n, 1)]
        for workers in sorted({1, args.workers}):
            for classify in (False, True):
                seconds, n = time_audit(folder, Path(tmp) / f"out-{workers}-{classify}", workers, classify)
                label = f"corpus-audit audit{'' if classify else ' --gate-only'}, {workers} worker(s)"
                rows.append((label, seconds, n, workers))
        print(f"{'':52} {'seconds':>8} {'MB/s':>8} {'docs/s':>9} {'docs/s/worker':>14} {'x reader time':>14}")
        for label, seconds, n, workers in rows:
            print(f"{label:52} {seconds:8.2f} {megabytes / seconds:8.1f} {n / seconds:9,.0f} "
                  f"{n / seconds / workers:14,.0f} {seconds / base_seconds:14.1f}")


if __name__ == "__main__":
    main()
