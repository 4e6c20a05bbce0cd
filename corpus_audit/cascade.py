"""The per-document cascade: language, AI-mention gate, portrayal classifiers, source type.

Every document gets a language, a source type and the gate; only English
documents that mention AI reach the portrayal classifiers, which are the slow
part. The result is one flat annotation per document: the row of the tags table.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from corpus_audit.io.records import get_field
from corpus_audit.labels import AI_MENTION, PORTRAYAL_TAGS

EVIDENCE_CHARS = 400
# Where the source-type text model runs (CascadeConfig.source_text): every document; documents that pass the
# AI gate plus a sample of the rest ("sample", estimated in the report); documents whose metadata is not
# decisive ("undecided"); none ("off").
SOURCE_TEXT_MODES = ("all", "sample", "undecided", "off")
SOURCE_SAMPLE_RATE = 0.125  # share of the documents outside the AI gate that the text model reads in "sample" mode


@dataclass(frozen=True)
class CascadeConfig:
    tier: str = "fast"
    classify: bool = True  # False: stop after the gate (no portrayal columns)
    source_map: str | None = None  # the user's --source-map file
    url_key: str = "url"
    source_key: str = "source"
    source_text: str = "all"  # one of SOURCE_TEXT_MODES
    source_sample: float = SOURCE_SAMPLE_RATE  # read by "sample" mode


class Cascade:
    """Annotates batches of documents; picklable, so datatrove can ship it to workers (models load lazily)."""

    def __init__(self, config: CascadeConfig = CascadeConfig()):
        self.config = config
        self._parts = None

    def __getstate__(self):
        return {"config": self.config, "_parts": None}

    @property
    def parts(self):
        if self._parts is None:
            self._parts = _load_parts(self.config, _versions(self.config))
        return self._parts

    @property
    def classifier(self):
        return self.parts[2]

    @property
    def tags(self) -> tuple[str, ...]:
        return (AI_MENTION, *PORTRAYAL_TAGS) if self.classifier is not None else (AI_MENTION,)

    def annotate(self, texts: list[str], metadatas: list[dict], ids: list[str] | None = None) -> list[dict]:
        """One row per document. Each stage runs over the whole batch before the next starts: alternating
        two fastText models (language, source type) document by document evicts each one's tables from the
        CPU cache and doubled the cost per document (benchmarks/source_type_share.py).

        ids: what draws a document into the source-type sample ("sample" mode); the text's start without them."""
        language, gate, classifier, sources = self.parts
        languages = [language.decide(text) for text in texts]
        found = [gate.find(text) if lang.is_english else [] for text, lang in zip(texts, languages)]
        decisions = sources.resolve_batch(texts, [_as_str(get_field(m, self.config.url_key)) for m in metadatas],
                                          [_as_str(get_field(m, self.config.source_key)) for m in metadatas],
                                          keys=ids, needed=[bool(mentions) for mentions in found])
        rows, gated, gated_mentions = [], [], []
        for text, lang, decision, mentions in zip(texts, languages, decisions, found):
            row = {
                "source_type": decision.source_type,
                "source_type_from": decision.decided_by,
                "source_disagree": decision.disagree,
                "source_sampling": decision.sampling,
                "domain": decision.domain,
                "language": lang.language,
                "assessed": lang.is_english,
                "chars": len(text),
            }
            row[AI_MENTION] = bool(mentions)
            row[f"score_{AI_MENTION}"] = 1.0 if mentions else 0.0
            row["mention_terms"] = sorted({m.term for m in mentions})
            if classifier is not None:
                for tag in PORTRAYAL_TAGS:
                    row[tag], row[f"score_{tag}"] = False, 0.0
                row["evidence"] = None
                if mentions:
                    gated.append((row, text))
                    gated_mentions.append(mentions)
            rows.append(row)
        if gated:
            predictions = classifier.predict_batch([text for _, text in gated], mentions=gated_mentions)
            for (row, _), prediction in zip(gated, predictions):
                for tag in PORTRAYAL_TAGS:
                    row[tag] = tag in prediction.tags
                    row[f"score_{tag}"] = float(prediction.scores.get(tag, 0.0))
                if prediction.tags & set(PORTRAYAL_TAGS) and prediction.evidence:
                    row["evidence"] = prediction.evidence[0].text[:EVIDENCE_CHARS]
        return rows


def _as_str(value) -> str | None:
    return value if isinstance(value, str) else (None if value is None else str(value))


def _versions(config: CascadeConfig) -> tuple:
    """Modification times of the files the parts are loaded from (the user's source map, the portrayal heads,
    the source-type model): a file changed within the process, e.g. retrained, is loaded again."""
    from corpus_audit.classify.portrayal import model_directory
    from corpus_audit.classify.source_type import default_model_path

    paths = (config.source_map, model_directory(config.tier, None) / "heads.npz", default_model_path())
    return tuple(_modified(path) for path in paths)


def _modified(path) -> int | None:
    try:
        return os.stat(path).st_mtime_ns if path else None
    except OSError:
        return None  # missing: whoever loads it says so


@lru_cache(maxsize=4)
def _load_parts(config: CascadeConfig, versions: tuple = ()):
    """Loaded once per process, configuration and version of their files: datatrove's local executor runs
    one shard after another in the same process, and loading costs ~0.1 s each time."""
    from corpus_audit.classify.source_type import SourceTypeResolver
    from corpus_audit.gate import AIMentionGate
    from corpus_audit.language import LanguageDetector

    classifier = None
    if config.classify:
        classifier = load_portrayal_classifier(config.tier)
    sources = SourceTypeResolver(source_map=config.source_map, use_text_model=config.source_text != "off",
                                 check_decisive=config.source_text == "all",
                                 sample_rate=config.source_sample if config.source_text == "sample" else None)
    return LanguageDetector(), AIMentionGate(), classifier, sources


def load_portrayal_classifier(tier: str):
    """The shipped portrayal classifier of this tier, or None when this install has none."""
    try:
        from corpus_audit.classify.portrayal import load_classifier
    except ImportError:
        return None
    try:
        return load_classifier(tier=tier)
    except FileNotFoundError:
        return None
