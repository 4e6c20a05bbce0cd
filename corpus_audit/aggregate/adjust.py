"""Prevalence corrected for the classifier's measured errors (Rogan–Gladen), with an honest interval.

A classifier with true-positive rate t and false-positive rate f turns a true
prevalence θ into an expected observed rate q = f + θ (t − f), so θ = (q − f) / (t − f).
t and f are measured on a small labeled set, so their uncertainty matters as much as
the sampling error of q: the interval draws q, t and f from their Beta posteriors
(uniform priors) and takes percentiles of the corrected value. The draws use a fixed
seed, so the same counts always give the same report.

The portrayal classifiers only see documents that pass the AI-mention gate, so the
correction applies to rates among those documents; the report scales it back to all
assessed documents.
"""
from __future__ import annotations

import numpy as np

DRAWS = 4000
SEED = 20261126


def rogan_gladen(observed: float, tpr: float, fpr: float) -> float | None:
    if tpr <= fpr:
        return None
    return float(np.clip((observed - fpr) / (tpr - fpr), 0.0, 1.0))


def adjusted_prevalence(count: int, total: int, errors: dict) -> tuple[float, tuple[float, float]] | None:
    """Corrected rate and 95% interval of `count` positives among `total`, given the classifier's errors.

    errors: {"tp": n, "fn": n, "fp": n, "tn": n} measured on labeled documents that passed the gate.
    None when the errors do not allow a correction (no labeled positives or negatives, or t <= f).
    """
    tp, fn, fp, tn = (int(errors.get(k, 0)) for k in ("tp", "fn", "fp", "tn"))
    if total <= 0 or tp + fn == 0 or fp + tn == 0:
        return None
    point = rogan_gladen(count / total, tp / (tp + fn), fp / (fp + tn))
    if point is None:
        return None
    rng = np.random.default_rng(SEED)
    q = rng.beta(count + 1, total - count + 1, DRAWS)
    t = rng.beta(tp + 1, fn + 1, DRAWS)
    f = rng.beta(fp + 1, tn + 1, DRAWS)
    valid = t > f
    theta = np.clip((q[valid] - f[valid]) / (t[valid] - f[valid]), 0.0, 1.0)
    low, high = np.percentile(theta, [2.5, 97.5])
    return point, (float(low), float(high))
