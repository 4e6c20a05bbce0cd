"""Per-source counts of documents, characters and tags, added one document at a time and merged exactly.

Each worker keeps its own Counts and saves it; the report adds them up. Every
field is a sum, so merging is exact and the order of merging does not matter.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from corpus_audit.labels import ALL_TAGS

ALL = "all"
# Distinct domains one partial keeps per source type; beyond that only the most frequent are kept,
# so memory stays flat on a crawl with millions of domains (top_domains is then a heavy-hitter list).
MAX_DOMAINS = 5000


@dataclass
class SourceCounts:
    documents: int = 0
    chars: int = 0
    assessed: int = 0
    assessed_chars: int = 0
    decisions: Counter = field(default_factory=Counter)
    domains: Counter = field(default_factory=Counter)
    not_assessed_languages: Counter = field(default_factory=Counter)
    tag_documents: Counter = field(default_factory=Counter)
    tag_chars: Counter = field(default_factory=Counter)

    def add(self, row: dict, tags: tuple[str, ...]) -> None:
        chars = row["chars"]
        self.documents += 1
        self.chars += chars
        self.decisions[row["source_type_from"]] += 1
        if row.get("source_disagree"):
            self.decisions["disagree"] += 1
        if row["domain"]:
            self.domains[row["domain"]] += 1
            if len(self.domains) > 2 * MAX_DOMAINS:
                self.trim_domains()
        if not row["assessed"]:
            self.not_assessed_languages[row["language"]] += 1
            return
        self.assessed += 1
        self.assessed_chars += chars
        for tag in tags:
            if row.get(tag):
                self.tag_documents[tag] += 1
                self.tag_chars[tag] += chars

    def merge(self, other: SourceCounts) -> None:
        self.documents += other.documents
        self.chars += other.chars
        self.assessed += other.assessed
        self.assessed_chars += other.assessed_chars
        for name in ("decisions", "domains", "not_assessed_languages", "tag_documents", "tag_chars"):
            getattr(self, name).update(getattr(other, name))

    def top_domains(self, n: int) -> list[tuple[str, int]]:
        """Most frequent first, ties by name, so a report rebuilt in any order lists the same domains."""
        return sorted(self.domains.items(), key=lambda item: (-item[1], item[0]))[:n]

    def trim_domains(self) -> None:
        if len(self.domains) > MAX_DOMAINS:
            self.domains = Counter(dict(self.top_domains(MAX_DOMAINS)))

    def to_json(self) -> dict:
        return {name: (dict(value) if isinstance(value, Counter) else value) for name, value in vars(self).items()}

    @classmethod
    def from_json(cls, data: dict) -> SourceCounts:
        counts = cls()
        for name, value in data.items():
            setattr(counts, name, Counter(value) if isinstance(getattr(counts, name), Counter) else value)
        return counts


@dataclass
class Counts:
    """Counts per source type; the 'all' row is derived when the report is built, never stored.

    With a sampled source type (`--source-text sample`), the pages outside the AI gate whose metadata is not
    decisive form a stratum: those the text model read are counted by type in `sampled`, the others in
    `skipped`, and the report apportions `skipped` to types in the sample's proportions (estimate.py).
    """

    tags: tuple[str, ...] = ALL_TAGS
    by_source: dict[str, SourceCounts] = field(default_factory=dict)
    sampled: dict[str, SourceCounts] = field(default_factory=dict)
    skipped: SourceCounts = field(default_factory=SourceCounts)

    def add(self, row: dict) -> None:
        sampling = row.get("source_sampling")
        if sampling == "skipped":
            self.skipped.add(row, self.tags)
            return
        table = self.sampled if sampling == "read" else self.by_source
        source = row["source_type"]
        if source not in table:
            table[source] = SourceCounts()
        table[source].add(row, self.tags)

    def merge(self, other: Counts) -> Counts:
        for source, counts in other.by_source.items():
            self.by_source.setdefault(source, SourceCounts()).merge(counts)
        for source, counts in other.sampled.items():
            self.sampled.setdefault(source, SourceCounts()).merge(counts)
        self.skipped.merge(other.skipped)
        return self

    def total(self) -> SourceCounts:
        total = SourceCounts()
        for counts in (*self.by_source.values(), *self.sampled.values(), self.skipped):
            total.merge(counts)
        return total

    def to_json(self) -> dict:
        for counts in (*self.by_source.values(), *self.sampled.values(), self.skipped):
            counts.trim_domains()
        data = {"tags": list(self.tags), "by_source": {k: v.to_json() for k, v in sorted(self.by_source.items())}}
        if self.sampled or self.skipped.documents:
            data["sampled"] = {k: v.to_json() for k, v in sorted(self.sampled.items())}
            data["skipped"] = self.skipped.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict) -> Counts:
        return cls(tuple(data["tags"]), {k: SourceCounts.from_json(v) for k, v in data["by_source"].items()},
                   {k: SourceCounts.from_json(v) for k, v in data.get("sampled", {}).items()},
                   SourceCounts.from_json(data.get("skipped", {})))
