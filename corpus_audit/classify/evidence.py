"""Evidence ranker: which candidate sentences of a document carry its tag.

The document heads can score a sentence (put in the windows' place), but they learned which words go with a
tag, not where in a document the act is told. This ranker is one logistic regression per tag over the same
sentence features (the document and sentence vectors, the sentence's n-gram block), trained on the team's
sentence labels (data/labels/evidence_sentences.jsonl) with the candidates of the documents that carry the
tag, then a Platt sigmoid fitted out of fold: its score is the probability that the sentence carries the tag.
Out of fold it puts such a sentence first far more often than the document heads do (MODEL_CARD.md).
State is plain arrays, saved as .npz (no pickle).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from corpus_audit.classify.heads import CalibratedHeads, fit_platt, group_folds


def read_sentence_labels(path: str | Path) -> dict[str, dict[tuple[int, int], set[str]]]:
    """Training-row group ("file:id") -> {(start, end) of a sentence: the tags it carries}."""
    labels = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                labels[row["key"]] = {(s["start"], s["end"]): set(s["tags"]) for s in row["sentences"]}
    return labels


class EvidenceRanker(CalibratedHeads):
    """The document heads' kind of model (scored with sparse_scores and calibrate), fitted on sentences."""

    def fit(self, dense: np.ndarray, lexical: list[tuple[np.ndarray, np.ndarray]], n_lexical: int,
            Y: np.ndarray, trains: np.ndarray, groups) -> "EvidenceRanker":
        """Rows are candidate sentences: dense (n, d) and the sparse n-gram block of each; Y (n, tags) whether
        the sentence carries the tag; trains (n, tags) which rows train that tag's model (labeled sentences of
        documents that carry it); groups: the document of each row (folds keep documents whole)."""
        X = _sparse_rows(dense, lexical, n_lexical)
        fold = group_folds(groups, self.folds, self.seed)
        self.coef_ = np.zeros((len(self.tags), X.shape[1]), np.float32)
        self.intercept_ = np.zeros(len(self.tags))
        self.platt_ = np.zeros((len(self.tags), 2))
        self.oof_scores_ = np.full(Y.shape, np.nan)
        for j in range(len(self.tags)):
            rows = trains[:, j]
            if len(np.unique(Y[rows, j])) < 2:
                continue  # nothing to tell apart: the tag ranks every sentence alike (probability 0.5)
            for k in range(self.folds):
                train, held = rows & (fold != k), rows & (fold == k)
                if not held.any():
                    continue
                both = len(np.unique(Y[train, j])) == 2  # a small set can leave a fold without one kind
                self.oof_scores_[held, j] = self._linear().fit(X[train], Y[train, j]).decision_function(X[held]) \
                    if both else 0.0
            model = self._linear().fit(X[rows], Y[rows, j])
            self.coef_[j], self.intercept_[j] = model.coef_[0], model.intercept_[0]
            self.platt_[j] = fit_platt(self.oof_scores_[rows, j], Y[rows, j].astype(float), np.ones(rows.sum()))
        return self


def _sparse_rows(dense: np.ndarray, lexical: list[tuple[np.ndarray, np.ndarray]], n_lexical: int):
    from scipy import sparse

    rows = np.repeat(np.arange(len(lexical)), [len(positions) for positions, _ in lexical])
    columns = np.concatenate([positions for positions, _ in lexical]) if lexical else np.zeros(0, int)
    values = np.concatenate([values for _, values in lexical]) if lexical else np.zeros(0)
    block = sparse.csr_matrix((values, (rows, columns)), shape=(len(lexical), n_lexical))
    return sparse.hstack([sparse.csr_matrix(dense), block]).tocsr()


def fit_ranker(features: list, groups: list[str], Y: np.ndarray, labels: dict, n_lexical: int, tags: tuple[str, ...],
               C: float = 1.0, folds: int = 5, seed: int = 0) -> tuple[EvidenceRanker | None, dict[str, float]]:
    """The ranker fitted on the labeled candidates of the training documents (`features`, their `groups` and
    document labels `Y`), and per tag the out-of-fold share of documents whose best candidate carries the tag
    (documents that carry it and have at least one labeled candidate that does); (None, {}) when no candidate
    has a label."""
    dense, lexical, carries, trains, owners = [], [], [], [], []
    for feature, group, y in zip(features, groups, Y):
        spans = labels.get(group)
        if not spans or not feature.candidates:
            continue
        for k, sentence in enumerate(feature.candidates):
            marked = spans.get((sentence.start, sentence.end))
            dense.append(feature.candidate_vectors[k])
            lexical.append(feature.candidate_lexical[k])
            carries.append([tag in (marked or ()) for tag in tags])
            trains.append([marked is not None and y[j] >= 0.5 for j in range(len(tags))])
            owners.append(group)
    if not dense:
        return None, {}
    carries, trains, owners = np.array(carries), np.array(trains), np.array(owners)
    ranker = EvidenceRanker(tags, C=C, folds=folds, seed=seed)
    ranker.fit(np.vstack(dense), lexical, n_lexical, carries, trains, owners)
    hits = {}
    for j, tag in enumerate(tags):
        found = []
        for owner in np.unique(owners[trains[:, j]]):
            rows = np.flatnonzero((owners == owner) & trains[:, j])
            if carries[rows, j].any():
                found.append(carries[rows[np.argmax(ranker.oof_scores_[rows, j])], j])
        hits[tag] = float(np.mean(found)) if found else float("nan")
    return ranker, hits
