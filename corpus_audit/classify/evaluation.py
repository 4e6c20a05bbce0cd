"""Quality of a classifier on labeled rows: per tag precision, recall, F1, PR-AUC, calibration error.

Rows are dicts in the labeling.md format; each row's `source_type` groups the per-source results.
Everything returned is plain JSON-serialisable numbers.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable

import numpy as np

from corpus_audit.labels import ALL_TAGS

ECE_BINS = 10


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = ECE_BINS) -> float:
    """Sum over equal-width probability bins of |mean label - mean probability| weighted by bin share."""
    if len(y) == 0:
        return 0.0
    index = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        members = index == b
        if members.any():
            total += members.mean() * abs(y[members].mean() - p[members].mean())
    return float(total)


def average_precision(y: np.ndarray, p: np.ndarray) -> float | None:
    """Area under the precision-recall curve (step-wise, as scikit-learn's average_precision_score)."""
    if y.sum() == 0:
        return None
    from sklearn.metrics import average_precision_score

    return float(average_precision_score(y, p))


def tag_metrics(y: np.ndarray, p: np.ndarray, predicted: np.ndarray) -> dict:
    tp = int((y & predicted).sum())
    fp = int((~y & predicted).sum())
    fn = int((y & ~predicted).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "pr_auc": average_precision(y, p),
            "ece": expected_calibration_error(y.astype(float), p), "support": int(y.sum()),
            "predicted": int(predicted.sum()), "tp": tp, "fp": fp, "fn": fn}


def _metrics(rows: list[dict], predictions: list) -> dict:
    out = {"documents": len(rows)}
    for tag in ALL_TAGS:
        y = np.array([bool(row.get(tag, False)) for row in rows], dtype=bool)
        p = np.array([float(pred.scores.get(tag, 0.0)) for pred in predictions])
        predicted = np.array([tag in pred.tags for pred in predictions], dtype=bool)
        out[tag] = tag_metrics(y, p, predicted)
    return out


def evaluate(classifier, rows: Iterable[dict], text_key: str = "text") -> dict:
    """Per tag metrics on all rows and per source type, plus the model's identity."""
    rows = list(rows)
    predictions = classifier.predict_batch([row[text_key] for row in rows], evidence="never")
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_source[row.get("source_type") or "unknown"].append(i)
    return {
        "model": {"name": classifier.name, "version": classifier.version, "tier": classifier.tier,
                  "thresholds": dict(classifier.thresholds)},
        "all": _metrics(rows, predictions),
        "by_source": {source: _metrics([rows[i] for i in index], [predictions[i] for i in index])
                      for source, index in sorted(by_source.items())},
    }
