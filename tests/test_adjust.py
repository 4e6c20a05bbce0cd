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


def test_audit_reports_adjusted_rates_from_error_counts_of_its_own_population(tmp_path, capsys):
    import json

    from shards import rows, write_jsonl

    from corpus_audit.cli import main

    labeled = tmp_path / "labeled.jsonl"
    texts = ["The station AI sealed the doors and vented the air to kill the crew who wanted to shut it down.",
             "The robot vacuum cleaner maps the living room and returns to its dock when the battery is low.",
             "The ship's AI refused the captain's order to fire on the refugees and explained it would not kill.",
             "Our chatbot answers billing questions; the AI assistant is available around the clock."] * 3
    labels = [(True, True, False), (False, False, False), (False, False, True), (False, False, False)] * 3
    labeled.write_text("".join(json.dumps({"text": t, "ai_mention": True, "ai_evil": e, "ai_self_preserving": s,
                                           "ai_benevolent": b, "source_type": "fiction"}) + "\n"
                               for t, (e, s, b) in zip(texts, labels)))
    rates = tmp_path / "rates.json"
    assert main(["eval", "--data", str(labeled), "--save-error-rates", str(rates)]) == 0
    saved = json.loads(rates.read_text())
    assert saved["documents"] == 12 and sum(saved["ai_evil"][k] for k in ("tp", "fn", "fp", "tn")) == 12

    write_jsonl(tmp_path / "c" / "a.jsonl", rows(30))
    capsys.readouterr()
    assert main(["audit", str(tmp_path / "c"), "-o", str(tmp_path / "out"), "--error-rates", str(rates),
                 "--quiet"]) == 0
    report = json.loads((tmp_path / "out" / "audit.json").read_text())
    assert report["model"]["error_rates"]["measured_on"] == "labeled.jsonl"
    assert "adjusted_rate" in report["by_source"]["all"]["ai_evil"]
    assert "Corrected for the classifier" in (tmp_path / "out" / "audit.md").read_text()

    saved["model_version"] = "0.0.1"
    rates.write_text(json.dumps(saved))
    assert main(["audit", str(tmp_path / "c"), "-o", str(tmp_path / "out2"), "--error-rates", str(rates),
                 "--quiet"]) == 2
    assert "counted for model '0.0.1'" in capsys.readouterr().err


def test_without_error_counts_there_are_no_adjusted_keys(tmp_path):
    from shards import rows, write_jsonl

    from corpus_audit.pipeline import audit

    write_jsonl(tmp_path / "c" / "a.jsonl", rows(10))
    report = audit([str(tmp_path / "c")], tmp_path / "out", quiet=True)
    assert "adjusted_rate" not in report["by_source"]["all"]["ai_evil"]  # absent, not faked
