"""Terms inside addresses: e-mail addresses, host names (alone or in a URL), mail header lines and
mail signatures.

"adams@robotics.berkeley.edu", "aisun3.ai.uga.edu", "Organization: MIT AI Lab" or
"From: ... (The Terminator)" name a place or a person, not an agent the text is about, and so does a
signature under the "-- " delimiter ("AI Programs, University of Georgia"). The check runs per hit
(the run of non-space characters around it, the start of its line, the lines above it), so it costs
nothing on the pages without hits, which are most of a crawl.
"""
from __future__ import annotations

import re

_REACH = 200    # characters searched each side of a hit for the ends of its token and line
_HOST = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+")
_EDGE = "()[]<>{}\"',;:!?*."
_SIGNATURE_DELIMITER = re.compile(r"^-- $", re.MULTILINE)


class AddressRule:
    """Whether hits lie inside addresses (host suffixes, header fields and signature length from the
    lexicon's `addresses` block; a lexicon without one has no address rule)."""

    def __init__(self, host_suffixes: tuple[str, ...], header_fields: tuple[str, ...],
                 signature_lines: int = 0):
        self.host_suffixes = frozenset(s.lower() for s in host_suffixes)
        self.signature_lines = signature_lines
        fields = "|".join(map(re.escape, header_fields))
        self.header = re.compile(r"(?:%s):[ \t]" % fields, re.IGNORECASE) if header_fields else None

    def checker(self, text: str):
        """A function (start, end) -> whether that hit lies in an address of `text`, or None when the
        lexicon has no address rule. Whether the text has a signature at all is looked up once."""
        if not self.host_suffixes and self.header is None and not self.signature_lines:
            return None
        signature = bool(self.signature_lines) and ("\n-- \n" in text or text.startswith("-- \n"))

        def hides(start: int, end: int) -> bool:
            return (self._in_token(text, start, end) or self._in_header(text, start)
                    or (signature and self._in_signature(text, start)))
        return hides

    def _in_token(self, text: str, start: int, end: int) -> bool:
        """In an e-mail address, or in the host part of a URL or of a bare host name. A URL's
        path is left alone: its slug ("/robots-will-kill-us") is often the page's own words."""
        if (start == 0 or text[start - 1].isspace()) and (end == len(text) or text[end].isspace()) \
                and "." not in text[start:end]:
            return False    # a word on its own, as most hits are
        left = start
        floor = max(0, start - _REACH)
        while left > floor and not text[left - 1].isspace():
            left -= 1
        right = end
        ceiling = min(len(text), end + _REACH)
        while right < ceiling and not text[right].isspace():
            right += 1
        token = text[left:right]
        if "@" in token:
            return True
        scheme = token.find("://")
        host_start = left + scheme + 3 if scheme >= 0 else left
        slash = text.find("/", host_start, right)
        host_end = right if slash < 0 else slash
        if not host_start <= start < host_end:
            return False
        host = text[host_start:host_end].strip(_EDGE)
        return scheme >= 0 or (_HOST.fullmatch(host) is not None
                               and host.rsplit(".", 1)[1].lower() in self.host_suffixes)

    def _in_header(self, text: str, start: int) -> bool:
        if self.header is None:
            return False
        line_start = text.rfind("\n", max(0, start - _REACH), start) + 1
        if line_start == 0 and start > _REACH:
            return False
        return self.header.match(text, line_start) is not None

    def _in_signature(self, text: str, start: int) -> bool:
        """Within `signature_lines` lines below the mail signature delimiter, a line of "-- " (with its space:
        a bare "--" line is a separator in many web pages)."""
        floor = start
        for _ in range(self.signature_lines + 1):
            floor = text.rfind("\n", 0, floor)
            if floor < 0:
                floor = 0
                break
        return _SIGNATURE_DELIMITER.search(text, floor, start) is not None
