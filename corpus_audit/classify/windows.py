"""The classifiers' view of a document: its sentences, and the windows of sentences around AI mentions.

A portrayal is carried by what the AI does and wants in the sentences around its mentions, so the models
read those windows besides the whole document (issue 3).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    start: int
    end: int


_GATE = None


def find_mentions(text: str) -> list:
    """The AI-mention gate's mentions (objects with .start and .end); one gate per process."""
    global _GATE
    if _GATE is None:
        from corpus_audit.gate import AIMentionGate

        _GATE = AIMentionGate()
    return _GATE.find(text)


# Where a sentence ends: the rule of spaCy's sentencizer (terminal punctuation, with any closing quotes or
# brackets, then whitespace), except after a few abbreviations, plus blank lines, which in crawled text end
# headings, list items and paragraphs that carry no punctuation.
_SENTENCE_END = re.compile(
    r"(?:[.!?\u2026\u3002\uff01\uff1f][\"'\u2019\u201d)\]]*(?P<gap>\s+)|(?P<blank>\n[ \t\r\f\v]*\n\s*))"
)
_ABBREVIATION = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Prof|vs|etc|e\.g|i\.e|No|Fig)|\b[A-Z])\.$")


class SentenceSplitter:
    """Rule-based sentence splitting with spaCy's sentencizer rule, as one regular expression.

    spaCy's blank English pipeline with the sentencizer cost more than the rest of the fast tier together
    (it tokenizes the whole text into Python objects); this gives the same boundaries on ordinary prose
    at a fraction of the cost, and also breaks at blank lines.
    """

    def __init__(self, max_chars: int = 100_000):
        self.max_chars = max_chars

    def split(self, text: str) -> list[Span]:
        """Sentence spans, without surrounding whitespace; blank stretches are dropped."""
        text = text[: self.max_chars]
        spans = []
        start = 0
        for boundary in _SENTENCE_END.finditer(text):
            end = boundary.start("gap") if boundary["gap"] else boundary.start()
            if boundary["gap"] and _ABBREVIATION.search(text, max(0, end - 5), end):
                continue
            _append_stripped(spans, text, start, end)
            start = boundary.end()
        _append_stripped(spans, text, start, len(text))
        return spans


def _append_stripped(spans: list[Span], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    left = len(piece) - len(piece.lstrip())
    right = len(piece.rstrip())
    if right > left:
        spans.append(Span(start + left, start + right))


def mention_windows(sentences: list[Span], mentions: list, radius: int = 1) -> list[Span]:
    """Merged spans of the sentences that hold a mention, each widened by `radius` sentences per side."""
    if not sentences or not mentions:
        return []
    starts = [s.start for s in sentences]
    hit = set()
    for m in mentions:
        i = max(0, bisect.bisect_right(starts, m.start) - 1)
        hit.update(range(max(0, i - radius), min(len(sentences), i + radius + 1)))
    windows: list[Span] = []
    for i in sorted(hit):
        s = sentences[i]
        if windows and i - 1 in hit and windows[-1].end >= sentences[i - 1].end:
            windows[-1] = Span(windows[-1].start, s.end)
        else:
            windows.append(s)
    return windows


def mention_sentence_indices(sentences: list[Span], mentions: list) -> list[int]:
    """Indices of the sentences that hold at least one mention (candidates for evidence)."""
    starts = [s.start for s in sentences]
    found = {max(0, bisect.bisect_right(starts, m.start) - 1) for m in mentions}
    return sorted(i for i in found if i < len(sentences))
