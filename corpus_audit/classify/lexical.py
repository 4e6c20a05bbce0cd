"""Sublinear TF-IDF over token unigrams and bigrams, read from the static tokenizer's ids.

Mean embeddings blur who does what; the words themselves ("shut down", "blackmail", "refused") carry much
of a portrayal, and on the labeled data this block adds more than any other feature. It reuses the one
tokenization the static embeddings need, so it costs a few vectorised numpy calls per document.
Vocabulary and IDF are learned from the training windows and saved as .npz.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

BIGRAM_BASE = 1 << 20  # above any token id: unigram keys are ids, bigram keys (a + 1) * BASE + b
_OWNER_BASE = 1 << 41  # above any key: which sequence a key belongs to, in one array with the keys


def ngram_keys(ids: np.ndarray) -> np.ndarray:
    ids = np.asarray(ids, dtype=np.int64)
    return np.concatenate([ids, (ids[:-1] + 1) * BIGRAM_BASE + ids[1:]])


class NgramTfidf:
    def __init__(self, min_df: int = 2):
        self.min_df = min_df

    def fit(self, documents: list[np.ndarray]) -> "NgramTfidf":
        """documents: token id arrays (the windows of each training document)."""
        present = [np.unique(ngram_keys(ids)) for ids in documents]
        keys, df = np.unique(np.concatenate(present) if present else np.zeros(0, np.int64), return_counts=True)
        keep = df >= self.min_df
        self.keys_ = keys[keep]
        self.idf_ = (np.log((1 + len(documents)) / (1 + df[keep])) + 1).astype(np.float32)
        return self

    def transform_sparse(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions and values of the non-zero entries of the L2-normalised TF-IDF vector."""
        return self.transform_sparse_many([ids])[0]

    def transform_sparse_many(self, documents: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
        """transform_sparse of each token sequence, in a few vectorised calls for all of them (a document's
        evidence candidates: one call each cost more than the rest of the document's features)."""
        empty = (np.zeros(0, np.int64), np.zeros(0, np.float32))
        if not documents or len(self.keys_) == 0:
            return [empty] * len(documents)
        ids = np.concatenate(documents).astype(np.int64)
        owner = np.repeat(np.arange(len(documents)), [len(d) for d in documents])
        same = owner[:-1] == owner[1:]  # bigrams stay inside one sequence
        keys = np.concatenate([ids, (ids[:-1][same] + 1) * BIGRAM_BASE + ids[1:][same]])
        owner = np.concatenate([owner, owner[:-1][same]])
        tagged, counts = np.unique(owner * _OWNER_BASE + keys, return_counts=True)
        owner, keys = tagged // _OWNER_BASE, tagged % _OWNER_BASE
        position = np.minimum(np.searchsorted(self.keys_, keys), len(self.keys_) - 1)
        known = self.keys_[position] == keys
        owner, position = owner[known], position[known]
        values = (1 + np.log(counts[known])) * self.idf_[position]
        norms = np.sqrt(np.bincount(owner, weights=values * values, minlength=len(documents)))
        values = (values / np.where(norms > 0, norms, 1.0)[owner]).astype(np.float32)
        bounds = np.searchsorted(owner, np.arange(len(documents) + 1))
        return [(position[lo:hi], values[lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:])]

    def transform(self, ids: np.ndarray) -> np.ndarray:
        """L2-normalised TF-IDF vector of one token sequence, dense."""
        out = np.zeros(len(self.keys_), dtype=np.float32)
        position, values = self.transform_sparse(ids)
        out[position] = values
        return out

    def save(self, path: str | Path) -> None:
        np.savez(path, keys=self.keys_, idf=self.idf_, min_df=self.min_df)

    @classmethod
    def load(cls, path: str | Path) -> "NgramTfidf":
        with np.load(path, allow_pickle=False) as arrays:
            model = cls(int(arrays["min_df"]))
            model.keys_ = arrays["keys"]
            model.idf_ = arrays["idf"]
        return model
