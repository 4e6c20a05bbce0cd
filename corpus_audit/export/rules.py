"""What filter and rebalance decide for one document, from its tags alone.

A document's fate depends only on its id, its tags (with any --threshold), the
rules and the seed: never on shard order or worker count. The random part is a
hash of the id (hashing.unit_hash), so the same document meets the same fate in
every run and on every machine.

Tags a rule can name: the four tags of labeling.md, plus `ai_other` (mentions
AI, none of the three portrayal tags), `no_ai` (assessed, no AI mention) and
`all` (every document).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from corpus_audit.hashing import unit_hash
from corpus_audit.io.shards import InputError
from corpus_audit.labels import AI_MENTION, ALL_TAGS, PORTRAYAL_TAGS, SOURCE_TYPES, UNKNOWN_SOURCE

DERIVED_TAGS = ("ai_other", "no_ai", "all")
RULE_TAGS = (*ALL_TAGS, *DERIVED_TAGS)
SOURCES = (*SOURCE_TYPES, UNKNOWN_SOURCE)
UPSAMPLE_MODES = ("duplicate", "weight")


def check_tag(tag: str, allowed: tuple[str, ...] = RULE_TAGS) -> str:
    if tag not in allowed:
        raise InputError(f"unknown tag {tag!r}: choose from {', '.join(allowed)}")
    return tag


def check_source(source: str) -> str:
    if source not in SOURCES:
        raise InputError(f"unknown source type {source!r}: choose from {', '.join(SOURCES)}")
    return source


def model_tags_needed(tags) -> set[str]:
    """The model tags that deciding on these rule tags reads."""
    needed = set()
    for tag in tags:
        if tag in ("ai_other", *PORTRAYAL_TAGS):
            needed.update(ALL_TAGS if tag == "ai_other" else (AI_MENTION, tag))
        elif tag == "no_ai":
            needed.add(AI_MENTION)
        elif tag != "all":
            needed.add(tag)
    return needed


def parse_thresholds(pairs: list[str] | dict | None) -> dict[str, float]:
    """--threshold TAG=P (repeatable, or comma-separated) into {tag: P}."""
    if isinstance(pairs, dict):
        items = list(pairs.items())
    else:
        items = []
        for text in pairs or []:
            for pair in filter(None, text.split(",")):
                tag, sep, value = pair.partition("=")
                if not sep:
                    raise InputError(f"--threshold {pair!r}: expected TAG=P, e.g. ai_evil=0.7")
                items.append((tag.strip(), value))
    thresholds = {}
    for tag, value in items:
        check_tag(tag, ALL_TAGS)
        number = _number(value, f"threshold of {tag}")
        if not 0 <= number <= 1:
            raise InputError(f"threshold of {tag} must be a probability in [0, 1], not {number}")
        thresholds[tag] = number
    return thresholds


def _number(value, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{what}: {value!r} is not a number") from None
    if not math.isfinite(number):
        raise InputError(f"{what}: {value!r} is not a finite number")
    return number


@dataclass(frozen=True)
class TagTest:
    """Whether a document's annotation row carries a tag: its score against --threshold, else the model's decision."""

    thresholds: dict = field(default_factory=dict)

    def carries(self, row: dict, tag: str) -> bool:
        if tag == "all":
            return True
        if tag == "no_ai":
            return bool(row.get("assessed")) and not self.carries(row, AI_MENTION)
        if tag == "ai_other":
            return self.carries(row, AI_MENTION) and not any(self.carries(row, t) for t in PORTRAYAL_TAGS)
        if tag in self.thresholds:
            return bool(row.get("assessed")) and row[f"score_{tag}"] >= self.thresholds[tag]
        return bool(row[tag])


@dataclass(frozen=True)
class FilterPlan:
    """filter: drop documents (or, with unit=paragraph, their flagged blocks) carrying any of the tags."""

    drop: tuple[str, ...]
    thresholds: dict = field(default_factory=dict)
    sources: tuple[str, ...] | None = None
    unit: str = "document"

    def __post_init__(self):
        if not self.drop:
            raise InputError("--drop needs at least one tag, e.g. --drop ai_evil,ai_self_preserving")
        for tag in self.drop:
            check_tag(tag)
        for source in self.sources or ():
            check_source(source)
        if self.unit not in ("document", "paragraph"):
            raise InputError(f"--unit must be document or paragraph, not {self.unit!r}")

    @property
    def tags_needed(self) -> set[str]:
        return model_tags_needed([*self.drop, *self.thresholds])

    def applies_to(self, row: dict) -> bool:
        return self.sources is None or row["source_type"] in self.sources

    def reason(self, row: dict) -> str | None:
        """The tags that drop this document, or None to keep it."""
        return self.block_reason(row) if self.applies_to(row) else None

    def block_reason(self, row: dict) -> str | None:
        """The tags this text carries, ignoring source restrictions (used on a gated document's blocks)."""
        test = TagTest(self.thresholds)
        carried = [tag for tag in self.drop if test.carries(row, tag)]
        return ",".join(carried) or None

    def describe(self) -> dict:
        return {"drop": list(self.drop), "thresholds": self.thresholds,
                "sources": list(self.sources) if self.sources else None, "unit": self.unit}


@dataclass(frozen=True)
class Rule:
    """Multiply the expected number of copies of documents carrying `tag` (in `sources`) by `factor`."""

    tag: str
    factor: float
    sources: tuple[str, ...] | None = None
    origin: str = ""  # how the rule was given, for the manifest

    def describe(self) -> dict:
        return {"tag": self.tag, "sources": list(self.sources) if self.sources else None, "factor": self.factor,
                "origin": self.origin}


_RULE = re.compile(r"^\s*(?P<tag>[a-z_]+)(?:@(?P<sources>[a-z_,]+))?\s*=\s*(?P<value>[^=\s]+)\s*$")


def parse_rule(text: str, action: str) -> Rule:
    """--keep TAG[@SOURCE[,SOURCE]]=FRACTION or --repeat TAG[@SOURCE]=FACTOR."""
    match = _RULE.match(text)
    if not match:
        raise InputError(f"--{action} {text!r}: expected TAG[@SOURCE]=NUMBER, e.g. ai_evil@fiction=0.5")
    sources = tuple(match["sources"].split(",")) if match["sources"] else None
    return make_rule(action, match["tag"], sources, match["value"], f"--{action} {text.strip()}")


def make_rule(action: str, tag: str, sources, value, origin: str) -> Rule:
    check_tag(tag)
    for source in sources or ():
        check_source(source)
    number = _number(value, origin)
    if action == "keep" and not 0 <= number <= 1:
        raise InputError(f"{origin}: a keep fraction is in [0, 1], not {number}")
    if action == "repeat" and number < 0:
        raise InputError(f"{origin}: a repeat factor is at least 0, not {number}")
    return Rule(tag, number, tuple(sources) if sources else None, origin)


@dataclass(frozen=True)
class RebalancePlan:
    """rebalance: each rule a document matches multiplies its expected number of copies."""

    rules: tuple[Rule, ...]
    thresholds: dict = field(default_factory=dict)
    upsample_mode: str = "duplicate"

    def __post_init__(self):
        if not self.rules:
            raise InputError("rebalance needs rules: --keep, --repeat or --plan FILE")
        if self.upsample_mode not in UPSAMPLE_MODES:
            raise InputError(f"--upsample-mode must be duplicate or weight, not {self.upsample_mode!r}")

    @property
    def tags_needed(self) -> set[str]:
        return model_tags_needed([*(r.tag for r in self.rules), *self.thresholds])

    def multiplier(self, row: dict) -> float:
        test = TagTest(self.thresholds)
        factor = 1.0
        for rule in self.rules:
            if (rule.sources is None or row["source_type"] in rule.sources) and test.carries(row, rule.tag):
                factor *= rule.factor
        return factor

    def copies(self, multiplier: float, doc_id: str, seed: int) -> int:
        """The realized number of copies: the whole part, plus one with probability the fractional part."""
        whole = math.floor(multiplier)
        return whole + (unit_hash(doc_id, seed, "rebalance") < multiplier - whole)

    def fate(self, row: dict, doc_id: str, seed: int) -> tuple[int, float]:
        """(documents to write, sample_weight of each); in weight mode an up-sampled document is written once."""
        multiplier = self.multiplier(row)
        if self.upsample_mode == "weight" and multiplier > 1:
            return 1, multiplier
        return self.copies(multiplier, doc_id, seed), 1.0

    def describe(self) -> dict:
        return {"rules": [r.describe() for r in self.rules], "thresholds": self.thresholds,
                "upsample_mode": self.upsample_mode}
