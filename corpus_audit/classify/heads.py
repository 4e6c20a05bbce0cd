"""Calibrated linear heads: one logistic regression per tag, then a Platt sigmoid per tag.

The sigmoid is fitted on out-of-fold scores of the training data (never on dev), so the probabilities the
heads return are calibrated on data the linear part did not see. Labels may be soft (teacher
probabilities): a row with label p counts as a positive with weight p and a negative with weight 1 - p.
State is plain arrays, saved as .npz (no pickle).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np


def _expand_soft(X: np.ndarray, y: np.ndarray, weight: np.ndarray):
    hard = (y == 0) | (y == 1)
    soft = ~hard
    X_out = np.vstack([X[hard], X[soft], X[soft]])
    y_out = np.concatenate([y[hard], np.ones(soft.sum()), np.zeros(soft.sum())]).astype(int)
    w_out = np.concatenate([weight[hard], weight[soft] * y[soft], weight[soft] * (1 - y[soft])])
    return X_out, y_out, w_out


class CalibratedHeads:
    def __init__(self, tags: tuple[str, ...], C: float = 1.0, folds: int = 5, seed: int = 0):
        self.tags = tuple(tags)
        self.C = C
        self.folds = folds
        self.seed = seed

    def _linear(self):
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.C, max_iter=5000, class_weight="balanced")

    def fit(self, X: np.ndarray, Y: np.ndarray, sample_weight: np.ndarray | None = None, groups=None):
        """X (n, f); Y (n, tags) with values in [0, 1]; groups keep related rows in one fold."""
        n = len(X)
        weight = np.ones(n) if sample_weight is None else np.asarray(sample_weight, float)
        fold = group_folds(np.arange(n) if groups is None else groups, self.folds, self.seed)
        self.coef_ = np.zeros((len(self.tags), X.shape[1]))
        self.intercept_ = np.zeros(len(self.tags))
        self.platt_ = np.zeros((len(self.tags), 2))
        self.oof_scores_ = np.zeros((n, len(self.tags)))
        for j in range(len(self.tags)):
            y = np.asarray(Y[:, j], float)
            for k in range(self.folds):
                train, held = fold != k, fold == k
                rows, labels, weights = _expand_soft(X[train], y[train], weight[train])
                model = self._linear().fit(rows, labels, sample_weight=weights)
                self.oof_scores_[held, j] = model.decision_function(X[held])
            rows, labels, weights = _expand_soft(X, y, weight)
            model = self._linear().fit(rows, labels, sample_weight=weights)
            self.coef_[j] = model.coef_[0]
            self.intercept_[j] = model.intercept_[0]
            self.platt_[j] = fit_platt(self.oof_scores_[:, j], y, weight)
        self.oof_proba_ = _sigmoid(self.oof_scores_ * self.platt_[:, 0] + self.platt_[:, 1])
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        return np.atleast_2d(X) @ self.coef_.T + self.intercept_

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self.calibrate(self.decision_function(X))

    def calibrate(self, scores: np.ndarray) -> np.ndarray:
        """Probabilities from linear scores (decision_function values)."""
        return _sigmoid(scores * self.platt_[:, 0] + self.platt_[:, 1])

    def sparse_scores(self, dense: np.ndarray, sparse: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        """decision_function of rows given as a dense leading part plus sparse (positions, values) of the
        trailing part, positions counted from the end of the dense part: evidence without dense copies."""
        width = dense.shape[1]
        scores = dense @ self.coef_[:, :width].T + self.intercept_
        for k, (positions, values) in enumerate(sparse):
            scores[k] += self.coef_[:, width + positions] @ values
        return scores

    def save(self, path: str | Path) -> None:
        np.savez(path, coef=self.coef_.astype(np.float32), intercept=self.intercept_, platt=self.platt_,
                 tags=np.array(self.tags), C=self.C)

    @classmethod
    def load(cls, path: str | Path) -> "CalibratedHeads":
        with np.load(path, allow_pickle=False) as arrays:
            heads = cls(tuple(str(t) for t in arrays["tags"]), C=float(arrays["C"]))
            heads.coef_ = arrays["coef"].astype(np.float32)
            heads.intercept_ = arrays["intercept"]
            heads.platt_ = arrays["platt"]
        return heads


def group_folds(groups, folds: int, seed: int) -> np.ndarray:
    """The fold of each row, at random with `seed`; rows of one group (a document) share a fold."""
    groups = np.asarray(groups)
    unique = np.unique(groups)
    fold_of_group = dict(zip(unique, np.random.default_rng(seed).permutation(len(unique)) % folds))
    return np.array([fold_of_group[g] for g in groups])


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def fit_platt(scores: np.ndarray, y: np.ndarray, weight: np.ndarray) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    X, labels, w = _expand_soft(scores[:, None], y, weight)
    model = LogisticRegression(C=1e4, max_iter=1000).fit(X, labels, sample_weight=w)
    return np.array([model.coef_[0, 0], model.intercept_[0]])
