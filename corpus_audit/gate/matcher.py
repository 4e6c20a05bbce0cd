"""The AI-mention gate: fast lexicon matching with context rules and false-friend removal.

A multi-pattern prefilter engine (RE2, Hyperscan or Python re, see engines.py) rejects the
documents that contain no term at all and names the patterns that occur in the rest. Python
`re` then finds those patterns' spans; context rules drop ambiguous names without their
context ("Claude" far from any AI word), a term inside an address ("ai.uga.edu", "Organization:
MIT AI Lab") or a mail signature does not count (addresses.py), false friends hide the terms they
overlap (".ai" files, "AI Gore", "Android phone"), overlapping terms keep the leftmost-longest
(strong terms first: a weak cue never hides one), and weak cues count only when enough of them
occur together.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .addresses import AddressRule
from .engines import TermPattern, build_engine, linear_regex, text_lowercased
from .lexicon import DOCUMENT_WINDOW, Lexicon, load_lexicon


@dataclass(frozen=True, slots=True)
class Mention:
    start: int      # character offsets into the text (Python str indices)
    end: int
    term: str       # the lexicon entry it matched (normalised), e.g. "artificial intelligence"
    kind: str       # "generic" | "product" | "fictional"


_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_FALSE_FRIEND_WINDOW = 60   # characters each side of a hit searched for a false friend


class _Compiled:
    """Everything built from the lexicon; rebuilt after unpickling rather than pickled."""

    def __init__(self, lexicon: Lexicon, engine: str):
        self.lexicon = lexicon
        entries = lexicon.entries
        owners = [i for i, e in enumerate(entries) for _ in e.patterns]
        patterns = [TermPattern(p, e.case_sensitive) for e in entries for p in e.patterns]
        self.prefilter = build_engine(patterns, engine)
        # per pattern: (entry index, Python regex, needs a left word boundary, runs on the
        # lower-cased text)
        self.scanners = []
        for owner, pattern in zip(owners, patterns):
            loose, left = pattern.without_left_boundary()
            if not loose.case_sensitive:
                loose = loose.lowercased()
            regex = re.compile(loose.for_text(), re.ASCII)
            self.scanners.append((owner, regex, left, not pattern.case_sensitive))
        flags = re.IGNORECASE | re.ASCII
        self.near = [e.near and re.compile(e.near, flags) for e in entries]
        self.unless = [e.unless and re.compile(e.unless, flags) for e in entries]
        self.span_friends = {   # term -> one regex of the false friends that can hide it
            term: re.compile("|".join(ff.pattern for ff in lexicon.false_friends
                                      if ff.scope == "span" and term in ff.terms), re.ASCII)
            for term in {t for ff in lexicon.false_friends if ff.scope == "span" for t in ff.terms}
        }
        self.document_friends = [(linear_regex(ff.pattern), set(ff.terms))
                                 for ff in lexicon.false_friends if ff.scope == "document"]
        self.weights = {e.term: e.weight for e in entries if e.weight}
        self.addresses = AddressRule(lexicon.host_suffixes, lexicon.header_fields, lexicon.signature_lines)

    def can_pass(self, pattern_ids: list[int]) -> bool:
        """False when the patterns found are all weak cues too few to reach the threshold even
        if each recurs: then no Python matching is needed (most candidate web pages)."""
        entries = self.lexicon.entries
        owners = {self.scanners[i][0] for i in pattern_ids}
        if any(not entries[owner].weight for owner in owners):
            return True
        weights = {entries[owner].term: entries[owner].weight for owner in owners}
        return sum(w + (w >= 2) for w in weights.values()) >= self.lexicon.weak_cue_threshold

    def raw_hits(self, text: str, pattern_ids: list[int]) -> list[tuple[int, int, int]]:
        """(start, end, entry index) of every match of the patterns, like finditer per pattern."""
        hits, lowered = [], None
        for pattern_id in pattern_ids:
            owner, regex, left, on_lowered = self.scanners[pattern_id]
            if on_lowered and lowered is None:
                lowered = text_lowercased(text)
            subject = lowered if on_lowered else text
            position = 0
            while (match := regex.search(subject, position)) is not None:
                start, end = match.span()
                if left and start > 0 and text[start - 1] in _WORD:
                    position = start + 1
                    continue
                hits.append((start, end, owner))
                position = end if end > start else end + 1
        return hits

    def in_context(self, index: int, text: str, start: int, end: int) -> bool:
        near, unless = self.near[index], self.unless[index]
        if near is None and unless is None:
            return True
        window = self.lexicon.entries[index].window
        if window != DOCUMENT_WINDOW:
            text = text[max(0, start - window):end + window]
        if near is not None and near.search(text) is None:
            return False
        return unless is None or unless.search(text) is None

    def false_friend_spans(self, text: str, hits: list[tuple[int, int, int]],
                           dropped: set[str]) -> list[tuple[int, int, str]]:
        """(start, end, term) of the false friends that can hide a hit's term, looked for only
        around the hits (merged windows of _FALSE_FRIEND_WINDOW characters each side)."""
        windows: dict[str, list[list[int]]] = {}
        for start, end, owner in sorted(hits):
            term = self.lexicon.entries[owner].term
            if term not in self.span_friends or term in dropped:
                continue
            low, high = max(0, start - _FALSE_FRIEND_WINDOW), end + _FALSE_FRIEND_WINDOW
            merged = windows.setdefault(term, [])
            if merged and low <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], high)
            else:
                merged.append([low, high])
        return [(m.start(), m.end(), term)
                for term, spans in windows.items() for low, high in spans
                for m in self.span_friends[term].finditer(text, low, min(high, len(text)))]

    def dropped_terms(self, text: str, terms: set[str]) -> set[str]:
        """Terms the document defines as something else (an acronym's other meaning)."""
        dropped: set[str] = set()
        for regex, drops in self.document_friends:
            if drops & terms and regex.search(text):
                dropped |= drops
        return dropped

    def weak_score(self, weak_terms: list[str]) -> int:
        """Sum of the weights of the distinct weak cues; a strong cue (weight >= 2) that recurs
        adds one, since a text that keeps coming back to it is about that agent."""
        counts: dict[str, int] = {}
        for term in weak_terms:
            counts[term] = counts.get(term, 0) + 1
        return sum(self.weights[term] + (self.weights[term] >= 2 and n >= 2)
                   for term, n in counts.items())


def _leftmost_longest(hits: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    kept, last_end = [], -1
    for start, end, owner in sorted(hits, key=lambda h: (h[0], -h[1], h[2])):
        if start >= last_end:
            kept.append((start, end, owner))
            last_end = end
    return kept


def _outside(hits: list[tuple[int, int, int]],
             blockers: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """The hits that overlap no blocker (both sorted and non-overlapping): a weak cue never
    hides a strong term it overlaps ("the station intelligence replied")."""
    kept, index = [], 0
    for start, end, owner in hits:
        while index < len(blockers) and blockers[index][1] <= start:
            index += 1
        if index == len(blockers) or blockers[index][0] >= end:
            kept.append((start, end, owner))
    return kept


class AIMentionGate:
    """Finds mentions of AI and artificial agents in text.

    lexicon_path: a lexicon YAML (None = the bundled one). engine: "auto" (the fastest
    available: re2, then hyperscan, then re) or one of those names; results do not depend on it.
    Picklable: compiled engines are not pickled but rebuilt on first use.
    """

    def __init__(self, lexicon_path: str | Path | None = None, *, engine: str = "auto"):
        self.lexicon_path = lexicon_path
        self.engine = engine
        self._compiled: _Compiled | None = None

    @property
    def compiled(self) -> _Compiled:
        if self._compiled is None:
            self._compiled = _Compiled(load_lexicon(self.lexicon_path), self.engine)
        return self._compiled

    @property
    def engine_name(self) -> str:
        return self.compiled.prefilter.name

    def __getstate__(self) -> dict:
        return {"lexicon_path": self.lexicon_path, "engine": self.engine}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["lexicon_path"], engine=state["engine"])

    def find(self, text: str) -> list[Mention]:
        """All mentions, false friends removed, sorted by start."""
        compiled = self.compiled
        entries = compiled.lexicon.entries
        pattern_ids = compiled.prefilter.matching(text)
        if not pattern_ids or not compiled.can_pass(pattern_ids):
            return []
        hits = compiled.raw_hits(text, pattern_ids)
        in_address = compiled.addresses.checker(text) if hits else None
        hits = [hit for hit in hits if compiled.in_context(hit[2], text, hit[0], hit[1])
                and not (in_address and in_address(hit[0], hit[1]))]
        terms = {entries[owner].term for _s, _e, owner in hits}
        dropped = compiled.dropped_terms(text, terms)
        friends = compiled.false_friend_spans(text, hits, dropped)
        hits = [(start, end, owner) for start, end, owner in hits
                if entries[owner].term not in dropped
                and not any(s < end and e > start and t == entries[owner].term for s, e, t in friends)]
        strong_hits = _leftmost_longest([hit for hit in hits if not entries[hit[2]].weight])
        weak_hits = _outside(_leftmost_longest([hit for hit in hits if entries[hit[2]].weight]),
                             strong_hits)
        strong = [Mention(start, end, entries[owner].term, entries[owner].kind)
                  for start, end, owner in strong_hits]
        weak = [Mention(start, end, entries[owner].term, entries[owner].kind)
                for start, end, owner in weak_hits]
        if weak and compiled.weak_score([m.term for m in weak]) >= compiled.lexicon.weak_cue_threshold:
            return sorted(strong + weak, key=lambda m: m.start)
        return strong

    def mentions(self, text: str) -> bool:
        """Any mention at all: bool(find(text)). Most texts are rejected by the one prefilter
        scan, and most of the rest by their pattern ids alone, before any Python matching."""
        return bool(self.find(text))
