"""Agreement of a second, blind annotation with a labeled set (per tag: positives, agreement,
Cohen's kappa, F1 of the second annotation against the first).

    python classifiers/recipes/annotation_agreement.py ../shared/data/train/train.jsonl \
        data/labels/train_second_annotation.jsonl
"""
from __future__ import annotations

import argparse
import json

from sklearn.metrics import cohen_kappa_score, f1_score

TAGS = ("ai_mention", "ai_evil", "ai_self_preserving", "ai_benevolent")


def read_labels(path: str) -> dict[str, dict]:
    with open(path, encoding="utf-8") as handle:
        return {row["id"]: row for row in map(json.loads, handle) if row}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labeled", help="the labeled set (labeling.md format)")
    parser.add_argument("second", help="the second annotation: id plus the tags, for some of its documents")
    args = parser.parse_args()
    first, second = read_labels(args.labeled), read_labels(args.second)
    ids = sorted(set(first) & set(second))
    print(f"{len(ids)} documents annotated twice")
    print(f"{'tag':20s} {'first+':>6s} {'second+':>7s} {'agree':>6s} {'kappa':>6s} {'F1':>6s}")
    for tag in TAGS:
        a = [bool(first[i][tag]) for i in ids]
        b = [bool(second[i][tag]) for i in ids]
        agree = sum(x == y for x, y in zip(a, b)) / len(ids)
        print(f"{tag:20s} {sum(a):6d} {sum(b):7d} {agree:6.3f} {cohen_kappa_score(a, b):6.3f} "
              f"{f1_score(a, b, zero_division=0):6.3f}")


if __name__ == "__main__":
    main()
