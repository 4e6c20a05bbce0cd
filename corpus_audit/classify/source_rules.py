"""Metadata evidence for the source type: data-set names, domains, URL patterns.

The rules are data (source_rules.yaml beside this module, documented there);
this module only loads and applies them. A rule is either decisive (metadata
decides) or weak (the text model may override it).
"""
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from corpus_audit.gate.engines import FirstMatch
from corpus_audit.labels import SOURCE_TYPES
from corpus_audit.yaml_data import read_yaml

BUILTIN_RULES = Path(__file__).with_name("source_rules.yaml")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_FIELD_PARTS = re.compile(r"[/:.\\|]+")
_PLAIN_HOST = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.\-]*:)?//(?:[^/?#@]*@)?([^/?#:\[\]]+)")


@dataclass(frozen=True)
class MetadataHint:
    source_type: str
    decisive: bool
    rule: str  # what matched, for debugging and reports, e.g. "domain:reddit.com"


def normalize_dataset_name(value: str) -> str:
    return _NOT_ALNUM.sub("", value.lower())


def domain_of(url: str | None) -> str:
    """Host of a URL without "www."; "" when there is none.

    A plain host is read with one regular expression (0.5 µs instead of urlsplit's 3; this runs on every
    document); anything else (IPv6 literals, odd forms) goes through urlsplit, whose answers it matches.
    """
    if not url:
        return ""
    url = url if "//" in url else f"//{url}"
    plain = _PLAIN_HOST.match(url)
    if plain:
        return plain.group(1).lower().removeprefix("www.")
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _url_target(url: str) -> str:
    """"host/path?query" in lower case: what URL patterns are searched in."""
    rest = url.split("//", 1)[1] if "//" in url[:12] else url
    rest = rest.split("#", 1)[0].lower()
    return rest.removeprefix("www.")


def _check_type(source_type: str, where: str) -> str:
    if source_type not in SOURCE_TYPES:
        raise ValueError(f"{where}: unknown source type {source_type!r} (expected one of {', '.join(SOURCE_TYPES)})")
    return source_type


class MetadataRules:
    """Applies the rules of one YAML document (plus an optional user map on top).

    `user_map` maps a source-field value or a domain to a source type; its
    entries are decisive and win over every built-in rule.
    """

    def __init__(self, rules: dict | None = None, user_map: dict | None = None):
        rules = rules if rules is not None else read_yaml(BUILTIN_RULES)
        self.datasets_: dict[str, MetadataHint] = {}
        self.domains_: dict[str, MetadataHint] = {}
        self.patterns_: list[tuple[str, MetadataHint]] = []
        self.host_labels_: list[tuple[str, MetadataHint]] = []
        for strength in ("decisive", "weak"):
            section = rules.get(strength) or {}
            decisive = strength == "decisive"
            for source_type, names in (section.get("datasets") or {}).items():
                for name in names:
                    key = normalize_dataset_name(str(name))
                    hint = MetadataHint(_check_type(source_type, f"datasets.{name}"), decisive, f"dataset:{key}")
                    self.datasets_.setdefault(key, hint)
            for source_type, domains in (section.get("domains") or {}).items():
                for domain in domains:
                    domain = str(domain).lower().removeprefix("www.")
                    hint = MetadataHint(_check_type(source_type, f"domains.{domain}"), decisive, f"domain:{domain}")
                    self.domains_.setdefault(domain, hint)
            for source_type, patterns in (section.get("url_patterns") or {}).items():
                for pattern in patterns:
                    hint = MetadataHint(_check_type(source_type, f"url_patterns.{pattern}"), decisive, f"url:{pattern}")
                    re.compile(pattern)  # a bad pattern fails here, with Python's message
                    self.patterns_.append((pattern, hint))
            for source_type, words in (section.get("host_labels") or {}).items():
                for word in words:
                    hint = MetadataHint(_check_type(source_type, f"host_labels.{word}"), False, f"host:{word}")
                    self.host_labels_.append((str(word), hint))
        self.user_fields_: dict[str, MetadataHint] = {}
        self.user_domains_: dict[str, MetadataHint] = {}
        for key, source_type in (user_map or {}).items():
            key = str(key).strip().lower()
            hint = MetadataHint(_check_type(str(source_type).strip().lower(), f"source map {key!r}"), True, f"user:{key}")
            self.user_fields_[key] = hint
            self.user_fields_.setdefault(normalize_dataset_name(key), hint)
            self.user_domains_[key.removeprefix("www.")] = hint
        self.first_pattern_ = FirstMatch([pattern for pattern, _ in self.patterns_])
        self.first_host_label_ = FirstMatch([re.escape(word) for word, _ in self.host_labels_])

    # --- individual kinds of evidence -------------------------------------------------
    def from_source_field(self, value: str | None) -> MetadataHint | None:
        if not value:
            return None
        value = str(value).strip().lower()
        if not value:
            return None
        hint = self.user_fields_.get(value) or self.user_fields_.get(normalize_dataset_name(value))
        if hint:
            return hint
        if value in SOURCE_TYPES:
            return MetadataHint(value, True, f"field:{value}")
        hint = self.datasets_.get(normalize_dataset_name(value))
        if hint and hint.decisive:
            return hint
        # "dolma/reddit", "redpajama.arxiv": the most telling part wins over the corpus name
        parts = [self.datasets_.get(normalize_dataset_name(part)) for part in _FIELD_PARTS.split(value)]
        parts = [part for part in parts if part]
        return next((part for part in parts if part.decisive), hint or (parts[0] if parts else None))

    @staticmethod
    def _suffixes(domain: str):
        labels = domain.split(".")
        for start in range(len(labels)):
            yield ".".join(labels[start:])

    def from_domain(self, domain: str, table: dict) -> MetadataHint | None:
        for suffix in self._suffixes(domain):
            hint = table.get(suffix)
            if hint:
                return hint
        return None

    def from_url_pattern(self, url: str) -> MetadataHint | None:
        first = self.first_pattern_.first(_url_target(url))
        return None if first is None else self.patterns_[first][1]

    def from_host_labels(self, domain: str) -> MetadataHint | None:
        """The first listed word inside a label of the host, TLD aside (words hold no dots, so searching
        the labels joined by dots finds the same)."""
        first = self.first_host_label_.first(domain.rpartition(".")[0])
        return None if first is None else self.host_labels_[first][1]

    # --- all together -------------------------------------------------------------------
    def hint(self, url: str | None, domain: str, source_field: str | None) -> MetadataHint | None:
        """The strongest metadata evidence, or None.

        Order: the user map for the field, a field naming a source type, the
        user map for the domain, a known data-set name, decisive
        fiction URL patterns, decisive domains, other decisive URL patterns,
        then the weak ones (field, URL pattern, domain) and last the words
        inside host names.
        """
        if self.user_domains_ and domain:
            user_domain_hint = self.from_domain(domain, self.user_domains_)
        else:
            user_domain_hint = None
        field_hint = self.from_source_field(source_field)
        if field_hint and field_hint.rule.startswith(("user:", "field:")):
            return field_hint  # the user's own word for this field value, or a field naming the type
        if user_domain_hint:
            return user_domain_hint
        if field_hint and field_hint.decisive:
            return field_hint
        url_hint = self.from_url_pattern(url) if url else None
        if url_hint and url_hint.decisive and url_hint.source_type == "fiction":
            return url_hint  # stories are posted everywhere: a fiction path beats the site's kind
        domain_hint = self.from_domain(domain, self.domains_) if domain else None
        for hint in (domain_hint, url_hint):
            if hint and hint.decisive:
                return hint
        return field_hint or url_hint or domain_hint or (self.from_host_labels(domain) if domain else None)
