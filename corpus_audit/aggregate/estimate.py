"""Counts per source type when only a sample of the pages was typed by text (`--source-text sample`).

The stratum is the pages outside the AI gate whose metadata is not decisive. The text model read a
random sample of it, drawn by document id; the pages it skipped are apportioned to source types in
the sample's proportions (a ratio estimate, assessed and not-assessed pages separately), by largest
remainders, so every count stays a whole number and the types still add up to the corpus. Tags need
no estimate: every page that can carry one passed the gate and was typed.

The estimate adds sampling error to each type's denominator. `estimated_by_source` also gives, per
type, the range of assessed pages the sample allows (95% Wilson interval of its share), and the report
widens a tag's interval to cover both ends.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import replace
from math import ceil, floor

from corpus_audit.aggregate.counts import Counts, SourceCounts
from corpus_audit.aggregate.intervals import wilson_interval
from corpus_audit.labels import UNKNOWN_SOURCE

ESTIMATED = "estimated"  # the decisions key counting a type's apportioned pages


def apportion(total: int, weights: dict[str, int]) -> dict[str, int]:
    """`total` split in proportion to `weights` (largest remainders, ties by name): whole numbers summing to total."""
    weight_sum = sum(weights.values())
    if total <= 0 or weight_sum <= 0:
        return {key: 0 for key in weights}
    exact = {key: total * weight / weight_sum for key, weight in weights.items()}
    shares = {key: floor(value) for key, value in exact.items()}
    left = total - sum(shares.values())
    for key in sorted(exact, key=lambda k: (-(exact[k] - shares[k]), k))[:left]:
        shares[key] += 1
    return shares


def estimated_by_source(counts: Counts) -> tuple[dict[str, SourceCounts], dict[str, tuple[int, int]]]:
    """Counts per source type with the skipped pages apportioned, and the assessed bounds of estimated types."""
    by_source = {}
    for table in (counts.by_source, counts.sampled):
        for source, part in table.items():
            by_source.setdefault(source, SourceCounts()).merge(part)
    skipped = counts.skipped
    if not skipped.documents:
        return by_source, {}
    sampled = counts.sampled
    if not sampled:  # nothing to estimate from: the skipped pages stay of unknown type
        unknown = replace(skipped, decisions=Counter({ESTIMATED: skipped.documents}))
        by_source.setdefault(UNKNOWN_SOURCE, SourceCounts()).merge(unknown)
        return by_source, {}

    def split(total: int, weight_of) -> dict[str, int]:
        weights = {source: weight_of(part) for source, part in sampled.items()}
        if not any(weights.values()):
            weights = {source: part.documents for source, part in sampled.items()}
        return apportion(total, weights)

    assessed = split(skipped.assessed, lambda c: c.assessed)
    not_assessed = split(skipped.documents - skipped.assessed, lambda c: c.documents - c.assessed)
    assessed_chars = split(skipped.assessed_chars, lambda c: c.assessed_chars)
    other_chars = split(skipped.chars - skipped.assessed_chars, lambda c: c.chars - c.assessed_chars)
    for source in sampled:
        target = by_source.setdefault(source, SourceCounts())
        documents = assessed[source] + not_assessed[source]
        target.documents += documents
        target.assessed += assessed[source]
        target.chars += assessed_chars[source] + other_chars[source]
        target.assessed_chars += assessed_chars[source]
        target.decisions[ESTIMATED] += documents
    # every type, sampled or not: a type the sample missed may still hold some of the skipped pages
    sample_assessed = sum(part.assessed for part in sampled.values())
    bounds = {}
    for source, target in by_source.items():
        interval = wilson_interval(sampled[source].assessed if source in sampled else 0, sample_assessed)
        if interval is not None:
            known = target.assessed - assessed.get(source, 0)
            bounds[source] = (known + floor(skipped.assessed * interval[0]),
                              known + ceil(skipped.assessed * interval[1]))
    return by_source, bounds
