"""One text through the whole cascade, for `corpus-audit classify`: what a user checks a verdict with."""
from __future__ import annotations

from dataclasses import asdict

from corpus_audit.classify.portrayal import load_classifier
from corpus_audit.classify.source_type import SourceTypeResolver
from corpus_audit.gate import AIMentionGate
from corpus_audit.language import LanguageDetector


def classify_text(text: str, tier: str = "fast", url: str | None = None) -> dict:
    language = LanguageDetector().decide(text)
    mentions = AIMentionGate().find(text) if language.is_english else []
    classifier = load_classifier(tier=tier)
    prediction = classifier.predict(text, mentions=mentions, evidence="always")  # near misses show theirs too
    source = SourceTypeResolver().resolve(text, url)
    return {
        "tags": sorted(prediction.tags),
        "scores": {tag: round(score, 4) for tag, score in prediction.scores.items()},
        "evidence": [asdict(e) for e in prediction.evidence],
        "mentions": [asdict(m) for m in mentions],
        "language": language.language,
        "assessed": language.is_english,
        "source_type": source.source_type,
        "source_type_from": source.decided_by,
        "model": {"name": classifier.name, "version": classifier.version, "tier": classifier.tier,
                  "thresholds": classifier.thresholds},
    }
