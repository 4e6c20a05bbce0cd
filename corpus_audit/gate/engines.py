"""Prefilter engines: which term patterns occur in a text at all?

Most documents of a crawl contain no term, and one scan with a multi-pattern engine rejects
them; for the rest it names the few patterns worth running in Python. The engines differ only
in speed: each returns at least every pattern that Python `re` would find (possibly more), and
the exact spans are always computed by the same Python code afterwards, so results do not
depend on the engine. All patterns use ASCII semantics (word boundaries, case folding), which
the three engines share.

RE2's pattern set is the default: in benchmarks/gate_engines.py it lists the patterns present
faster than Hyperscan does through its Python binding (Hyperscan is faster only at a yes/no
answer, which the gate does not need), and google-re2 is a core dependency already.
Hyperscan stays available by name; Python `re` is the last resort.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import SEP, SEP_OPT

_SEPARATOR_CLASS = r"[\t\n\x0b\x0c\r \xa0-]"
# Hyperscan scans UTF-8 bytes: a no-break space is the two bytes C2 A0 there
_SEPARATOR_BYTES = r"(?:[\t\n\x0b\x0c\r -]|\xc2\xa0)"


@dataclass(frozen=True)
class TermPattern:
    """One engine-neutral pattern (SEP placeholders) and its case flag."""

    pattern: str
    case_sensitive: bool

    def for_text(self) -> str:
        """Spelled for engines that match str (Python re, RE2), with its case flag scoped."""
        body = self.pattern.replace(SEP, _SEPARATOR_CLASS + "+").replace(SEP_OPT, _SEPARATOR_CLASS + "?")
        return f"(?:{body})" if self.case_sensitive else f"(?i:{body})"

    def without_left_boundary(self) -> tuple["TermPattern", bool]:
        r"""The pattern without a leading \b, and whether one was dropped.

        A leading \b stops Python's regex engine from skipping ahead to a literal first
        character (about 30x slower); callers check the boundary by hand instead. Matching
        without it finds a superset of the matches.
        """
        if not self.pattern.startswith(r"\b"):
            return self, False
        depth, escaped = 0, False
        for char in self.pattern:
            if not escaped:
                depth += char == "("
                depth -= char == ")"
                if char == "|" and depth == 0:
                    return self, False
            escaped = not escaped and char == "\\"
        return TermPattern(self.pattern[2:], self.case_sensitive), True

    def lowercased(self) -> "TermPattern":
        """A case-sensitive pattern that, run on text_lowercased(text), finds exactly what this
        case-insensitive one (ASCII folding) finds in the text. Python's regex engine skips
        ahead to a literal prefix only in case-sensitive patterns, so this is much faster."""
        source, escaped = [], False
        for char in self.pattern:
            source.append(char if escaped else char.lower() if char.isascii() else char)
            escaped = not escaped and char == "\\"
        return TermPattern("".join(source), case_sensitive=True)

    def for_bytes(self) -> bytes:
        body = self.pattern.replace(SEP, _SEPARATOR_BYTES + "+").replace(SEP_OPT, _SEPARATOR_BYTES + "?")
        return body.encode("utf-8")


def text_lowercased(text: str) -> str:
    """ASCII letters lower-cased, every other character kept: offsets stay the same.
    (bytes.lower() touches ASCII only, unlike str.lower(), which also folds "É" or the Kelvin
    sign and can change the length.)"""
    if text.isascii():
        return text.lower()
    return text.encode("utf-8", "surrogatepass").lower().decode("utf-8", "surrogatepass")


class PythonReEngine:
    """Fallback: one big alternation rejects texts without any term, then each pattern is tried.

    Patterns are searched without their leading word boundary (a superset, and much faster)."""

    name = "re"

    def __init__(self, patterns: list[TermPattern]):
        loose = [p.without_left_boundary()[0].for_text() for p in patterns]
        self._any = re.compile("|".join(loose), re.ASCII)
        self._each = [re.compile(p, re.ASCII) for p in loose]

    def any_match(self, text: str) -> bool:
        return self._any.search(text) is not None

    def matching(self, text: str) -> list[int]:
        if not self.any_match(text):
            return []
        return [i for i, regex in enumerate(self._each) if regex.search(text)]


class Re2Engine:
    name = "re2"

    def __init__(self, patterns: list[TermPattern]):
        import re2

        options = re2.Options()
        options.max_mem = 256 << 20
        self._any = re2.compile("|".join(p.for_text() for p in patterns), options)
        self._set = re2.Set.SearchSet(options)
        for pattern in patterns:
            self._set.Add(pattern.for_text())
        self._set.Compile()

    def any_match(self, text: str) -> bool:
        return self._any.search(_encodable(text)) is not None

    def matching(self, text: str) -> list[int]:
        return sorted(self._set.Match(_encodable(text)) or ())


def _encodable(text: str) -> str:
    """RE2 needs valid UTF-8: a lone surrogate (scraped JSON has them) becomes "?", which like
    the surrogate is neither a word character nor a separator, so no match changes."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


class HyperscanEngine:
    name = "hyperscan"

    def __init__(self, patterns: list[TermPattern]):
        import hyperscan

        self._terminated = hyperscan.ScanTerminated
        self._database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        self._database.compile(
            expressions=[p.for_bytes() for p in patterns],
            ids=list(range(len(patterns))),
            elements=len(patterns),
            flags=[hyperscan.HS_FLAG_SINGLEMATCH
                   | (0 if p.case_sensitive else hyperscan.HS_FLAG_CASELESS) for p in patterns],
        )

    def any_match(self, text: str) -> bool:
        try:
            self._database.scan(_utf8(text), match_event_handler=_stop_scanning)
        except self._terminated:
            return True
        return False

    def matching(self, text: str) -> list[int]:
        found: set[int] = set()

        def collect(pattern_id: int, *_offsets) -> None:
            found.add(pattern_id)

        self._database.scan(_utf8(text), match_event_handler=collect)
        return sorted(found)


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # lone surrogates occur in scraped JSON


def _stop_scanning(*_match) -> bool:
    return True  # a true return value ends the scan at the first match (ScanTerminated)


ENGINES = {"re2": Re2Engine, "hyperscan": HyperscanEngine, "re": PythonReEngine}


def build_engine(patterns: list[TermPattern], name: str = "auto"):
    """The named engine; "auto" = the fastest one that can be built here (re2, hyperscan, re)."""
    if name != "auto":
        return ENGINES[name](patterns)
    for engine in ENGINES.values():
        try:
            return engine(patterns)
        except Exception:  # not installed, or (hyperscan) a CPU it does not support
            continue
    raise RuntimeError("no prefilter engine could be built")


class _Re2Search:
    """An RE2 regex with Python's search(text) interface (text made valid UTF-8 first)."""

    def __init__(self, regex):
        self.regex = regex

    def search(self, text: str):
        return self.regex.search(_encodable(text))


def linear_regex(pattern: str):
    """A regex for searching whole pages or many alternatives at once, which Python `re` does
    slowly for patterns without a literal prefix (a leading \\b or (?i) makes it try every
    position: milliseconds on a long page). RE2 scans in linear time; patterns it cannot compile
    (look-arounds) and installs without google-re2 use Python `re`. Both have ASCII word
    boundaries and classes, so the answer is the same (only RE2's Unicode case folding of rare
    letters such as the long s could differ)."""
    try:
        import re2
    except ImportError:
        return re.compile(pattern, re.ASCII)
    options = re2.Options()
    options.max_mem = 64 << 20
    options.log_errors = False
    try:
        return _Re2Search(re2.compile(pattern, options))
    except re2.error:
        return re.compile(pattern, re.ASCII)


class FirstMatch:
    """Which of many patterns is the first (in list order) to occur in a text: one RE2 set search (0.6 µs
    for fifty URL patterns, against 4 µs for them as one alternation and more for a loop of Python
    regexes); a loop of Python regexes when RE2 is not installed or cannot compile one of them."""

    def __init__(self, patterns: list[str]):
        self.patterns = list(patterns)
        self._set = self._re2_set(patterns) if patterns else None
        self._regexes = [re.compile(pattern, re.ASCII) for pattern in patterns] if self._set is None else None

    def __getstate__(self):  # an RE2 set cannot be pickled: it is built again
        return {"patterns": self.patterns}

    def __setstate__(self, state):
        self.__init__(state["patterns"])

    @staticmethod
    def _re2_set(patterns: list[str]):
        try:
            import re2
        except ImportError:
            return None
        options = re2.Options()
        options.log_errors = False
        searcher = re2.Set.SearchSet(options)
        try:
            for pattern in patterns:
                searcher.Add(pattern)
        except re2.error:
            return None
        searcher.Compile()
        return searcher

    def first(self, text: str) -> int | None:
        if self._set is not None:
            hits = self._set.Match(_encodable(text))
            return min(hits) if hits else None
        return next((i for i, regex in enumerate(self._regexes) if regex.search(text)), None)
