"""Terms inside addresses: e-mail addresses, host names (alone or in a URL) and mail header lines.

"adams@robotics.berkeley.edu", "aisun3.ai.uga.edu", "Organization: MIT AI Lab" or
"From: ... (The Terminator)" name a place or a person, not an agent the text is about. The check
runs per hit (the run of non-space characters around it, and the start of its line), so it costs
nothing on the pages without hits, which are most of a crawl.
"""
from __future__ import annotations

import re

_REACH = 200    # characters searched each side of a hit for the ends of its token and line
_HOST = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+")
_EDGE = "()[]<>{}\"',;:!?*."


class AddressRule:
    """Whether a hit lies inside an address (host suffixes and header fields from the lexicon's
    `addresses` block; a lexicon without one has no address rule)."""

    def __init__(self, host_suffixes: tuple[str, ...], header_fields: tuple[str, ...]):
        self.host_suffixes = frozenset(s.lower() for s in host_suffixes)
        self.header = re.compile(r"(?:%s):[ \t]" % "|".join(map(re.escape, header_fields)), re.IGNORECASE) \
            if header_fields else None

    def hides(self, text: str, start: int, end: int) -> bool:
        if not self.host_suffixes and self.header is None:
            return False
        return self._in_token(text, start, end) or self._in_header(text, start)

    def _in_token(self, text: str, start: int, end: int) -> bool:
        """In an e-mail address, or in the host part of a URL or of a bare host name. A URL's
        path is left alone: its slug ("/robots-will-kill-us") is often the page's own words."""
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
