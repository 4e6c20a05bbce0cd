"""Load lexicon.yaml into plain records the matcher and the engines compile.

Term patterns are kept engine-neutral: a separator placeholder stands where the text may have
whitespace or hyphens, and each engine substitutes its own spelling of it (Hyperscan scans
UTF-8 bytes, so a no-break space is two bytes there and one character elsewhere).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from corpus_audit.yaml_data import read_yaml

BUNDLED_LEXICON = Path(__file__).with_name("lexicon.yaml")
KINDS = ("generic", "product", "fictional")
SEP = "\x00\x01"       # one or more separators (no letters: patterns get lower-cased)
SEP_OPT = "\x00\x02"   # an optional separator (from a hyphen in `words`)
DOCUMENT_WINDOW = -1
_GLOBAL_FLAGS = re.compile(r"\(\?([aimsx]+)\)")


@dataclass(frozen=True)
class Entry:
    """One lexicon entry: patterns that report the same normalised term."""

    term: str
    kind: str
    patterns: tuple[str, ...]     # engine-neutral: SEP / SEP_OPT placeholders, no boundaries added
    case_sensitive: bool
    near: str | None              # Python regex that must occur within the window
    unless: str | None            # Python regex that must not occur within the window
    window: int                   # characters each side; DOCUMENT_WINDOW = the whole text
    weight: int                   # 0 for strong terms, > 0 for weak cues


@dataclass(frozen=True)
class FalseFriend:
    name: str
    scope: str                    # "span" or "document"
    pattern: str                  # Python regex
    terms: tuple[str, ...]        # the terms it hides (span) or removes from the document


@dataclass(frozen=True)
class Lexicon:
    entries: tuple[Entry, ...]
    false_friends: tuple[FalseFriend, ...]
    weak_cue_threshold: int
    host_suffixes: tuple[str, ...] = ()     # a dotted token ending in one is a host name
    header_fields: tuple[str, ...] = ()     # header lines ("Organization: ...") that name no agent
    signature_lines: int = 0                # lines after a "-- " signature delimiter that are the signature


def _phrase_pattern(phrase: str) -> str:
    """A literal phrase: spaces and hyphens become separators, an apostrophe matches ' or \u2019,
    boundaries at alphanumeric edges."""
    parts = []
    for char in phrase:
        if char == " ":
            parts.append(SEP)
        elif char == "-":
            parts.append(SEP_OPT)
        elif char == "'":
            parts.append("(?:'|\u2019)")   # a typographic apostrophe as well
        else:
            parts.append(re.escape(char))
    body = "".join(parts)
    if phrase[0].isalnum():
        body = r"\b" + body
    if phrase[-1].isalnum():
        body += r"\b"
    return body


def _alternation(patterns: list[str] | None) -> str | None:
    return "|".join(f"(?:{p})" for p in patterns) if patterns else None


def _entry(raw: dict, kind: str, weak: bool) -> Entry:
    patterns = [_phrase_pattern(p) for p in raw.get("words", [])]
    patterns += [p.replace(" ", SEP) for p in raw.get("regex", [])]
    window = raw.get("window", 400)
    return Entry(
        term=raw["term"],
        kind=kind,
        patterns=tuple(patterns),
        case_sensitive=raw.get("case", "insensitive") == "sensitive",
        near=_alternation(raw.get("near")),
        unless=_alternation(raw.get("unless")),
        window=DOCUMENT_WINDOW if window == "document" else int(window),
        weight=int(raw.get("weight", 1)) if weak else 0,
    )


def _false_friend(raw: dict) -> FalseFriend:
    patterns = []
    for pattern in raw["regex"]:
        # global inline flags ("(?i)", "(?is)") are only legal at the start of a whole
        # pattern: scope them
        flags = _GLOBAL_FLAGS.match(pattern)
        if flags:
            pattern = f"(?{flags.group(1)}:{pattern[flags.end():]})"
        patterns.append(pattern)
    return FalseFriend(
        name=raw["name"],
        scope=raw["scope"],
        pattern=_alternation(patterns),
        terms=tuple(raw["terms"]),
    )


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    data = read_yaml(path or BUNDLED_LEXICON)
    entries = [_entry(raw, kind, weak=False) for kind in KINDS for raw in data.get(kind, [])]
    entries += [_entry(raw, "generic", weak=True) for raw in data.get("weak", [])]
    false_friends = [_false_friend(raw) for raw in data.get("false_friends", [])]
    unknown = {t for ff in false_friends for t in ff.terms} - {e.term for e in entries}
    if unknown:
        raise ValueError(f"false friends name terms the lexicon does not have: {sorted(unknown)}")
    return Lexicon(
        entries=tuple(entries),
        false_friends=tuple(false_friends),
        weak_cue_threshold=int(data.get("weak_cue_threshold", 1)),
        host_suffixes=tuple(data.get("addresses", {}).get("host_suffixes", ())),
        header_fields=tuple(data.get("addresses", {}).get("header_fields", ())),
        signature_lines=int(data.get("addresses", {}).get("signature_lines", 0)),
    )
