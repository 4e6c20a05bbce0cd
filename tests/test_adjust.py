"""The error-corrected prevalence recovers a known truth and widens its interval for uncertain error rates."""
import numpy as np
import pytest

from corpus_audit.aggregate.adjust import adjusted_prevalence, rogan_gladen


def test_rogan_gladen_inverts_the_classifier():
    # true prevalence 0.2, tpr 0.8, fpr 0.1 -> observed 0.1 + 0.2 * 0.7 = 0.24
    assert rogan_gladen(0.24, 0.8, 0.1) == pytest.approx(0.2)
    assert rogan_gladen(0.05, 0.8, 0.1) == 0.0  # below the false-positive floor: clipped, not negative
    assert rogan_gladen(0.3, 0.4, 0.5) is None  # a classifier worse than chance cannot be inverted


def test_adjusted_interval_covers_the_truth_on_a_simulated_corpus():
    rng = np.random.default_rng(3)
    truth, tpr, fpr, n = 0.1, 0.85, 0.08, 5000
    positives = rng.random(n) < truth
    predicted = np.where(positives, rng.random(n) < tpr, rng.random(n) < fpr)
    # error rates measured on a labeled set of 200 documents, as dev would give
    lab_pos = rng.random(200) < 0.5
    lab_pred = np.where(lab_pos, rng.random(200) < tpr, rng.random(200) < fpr)
    errors = {"tp": int((lab_pos & lab_pred).sum()), "fn": int((lab_pos & ~lab_pred).sum()),
              "fp": int((~lab_pos & lab_pred).sum()), "tn": int((~lab_pos & ~lab_pred).sum())}
    point, (low, high) = adjusted_prevalence(int(predicted.sum()), n, errors)
    observed = predicted.mean()
    assert abs(observed - truth) > 0.02  # the raw rate is biased ...
    assert low <= truth <= high and abs(point - truth) < 0.04  # ... the corrected one is not


def test_interval_is_wider_when_error_rates_come_from_fewer_labels():
    few = adjusted_prevalence(300, 1000, {"tp": 8, "fn": 2, "fp": 1, "tn": 9})
    many = adjusted_prevalence(300, 1000, {"tp": 800, "fn": 200, "fp": 100, "tn": 900})
    assert few[0] == pytest.approx(many[0])
    assert (few[1][1] - few[1][0]) > 2 * (many[1][1] - many[1][0])


def test_no_correction_without_labeled_negatives_or_documents():
    assert adjusted_prevalence(5, 10, {"tp": 3, "fn": 1, "fp": 0, "tn": 0}) is None
    assert adjusted_prevalence(0, 0, {"tp": 3, "fn": 1, "fp": 1, "tn": 5}) is None
    assert adjusted_prevalence(1, 10, {"tp": 3, "fn": 1, "fp": 1, "tn": 5}) == adjusted_prevalence(
        1, 10, {"tp": 3, "fn": 1, "fp": 1, "tn": 5})  # fixed seed: reports are reproducible
