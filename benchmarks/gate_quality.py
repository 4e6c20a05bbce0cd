"""Precision and recall of the AI-mention gate against the `ai_mention` labels.

Sets: the labeled train and dev sets of the shared data (dev is the final check, not for
tuning), the repository's bundled sample corpus (data/sample/*, labels in
data/labels/sample_gold.jsonl) and "forums": 1,184 passages of real forum posts (ai.stackexchange,
Usenet, Reddit) around the gate's matches, labeled by the team (data/train/real_passages_teacher.jsonl,
references resolved against ../shared/data/corpora). With --errors it lists the misses and false positives of the
chosen sets with the gate's spans (ids and matched terms only), for curating the lexicon.

    python benchmarks/gate_quality.py [--data ../shared/data] [--errors train sample forums]
"""
from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

import pyarrow.parquet as pq

from corpus_audit.classify.training import read_rows
from corpus_audit.gate import AIMentionGate

REPO = Path(__file__).resolve().parents[1]


def _jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def labeled_set(name: str, data: Path) -> list[dict]:
    """Rows with `id`, `text` and `ai_mention`; empty when the set is not available here."""
    if name in ("train", "dev"):
        path = data / name / f"{name}.jsonl"
        return _jsonl(path) if path.exists() else []
    if name == "forums":
        corpora = data / "corpora"
        references = REPO / "data" / "train" / "real_passages_teacher.jsonl"
        return read_rows([references], corpora) if corpora.exists() else []
    labels_path = REPO / "data" / "labels" / "sample_gold.jsonl"
    if not labels_path.exists():
        return []
    labels = {row["id"]: row["ai_mention"] for row in _jsonl(labels_path)}
    rows = []
    for path in sorted((REPO / "data" / "sample").iterdir()):
        if path.name.endswith((".jsonl", ".jsonl.gz")):
            rows += _jsonl(path)
        elif path.suffix == ".parquet":
            rows += pq.read_table(path, columns=["id", "text"]).to_pylist()
    return [dict(row, ai_mention=labels[row["id"]]) for row in rows if row["id"] in labels]


def score(gate: AIMentionGate, rows: list[dict]) -> tuple[float, float, list, list]:
    """(precision, recall, missed rows, false-positive rows)."""
    predicted = [gate.mentions(row["text"]) for row in rows]
    missed = [r for p, r in zip(predicted, rows) if r["ai_mention"] and not p]
    false_positives = [r for p, r in zip(predicted, rows) if p and not r["ai_mention"]]
    true_positives = sum(p and r["ai_mention"] for p, r in zip(predicted, rows))
    precision = true_positives / max(1, sum(predicted))
    recall = true_positives / max(1, sum(bool(r["ai_mention"]) for r in rows))
    return precision, recall, missed, false_positives


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--errors", nargs="*", default=[], choices=["train", "dev", "sample", "forums"],
                        help="list the errors of these sets")
    args = parser.parse_args()
    gate = AIMentionGate()
    print(f"{'set':8s} {'docs':>5s} {'pos':>5s} {'P':>6s} {'R':>6s} {'FN':>4s} {'FP':>4s}")
    for name in ("train", "dev", "sample", "forums"):
        rows = labeled_set(name, args.data)
        if not rows:
            print(f"{name:8s} not available")
            continue
        precision, recall, missed, false_positives = score(gate, rows)
        positives = sum(bool(r["ai_mention"]) for r in rows)
        print(f"{name:8s} {len(rows):5d} {positives:5d} {precision:6.3f} {recall:6.3f} "
              f"{len(missed):4d} {len(false_positives):4d}")
        if name in args.errors:
            for row in missed:
                print(f"   miss {row['id']}")
            for row in false_positives:
                found = sorted({(row["text"][m.start:m.end], m.term) for m in gate.find(row["text"])})
                print(f"   FP   {row['id']}: {found}")


if __name__ == "__main__":
    main()
