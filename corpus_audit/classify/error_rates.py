"""The portrayal classifier's measured errors, which the report uses to correct prevalence.

Counted on labeled documents that pass the AI-mention gate (the only ones the
classifier sees), per tag: true and false positives and negatives at the model's
thresholds. The correction is only as good as the match between where the errors
were counted and the corpus audited: count them on a labeled random sample of the
audited corpus's AI-mentioning documents (`corpus-audit eval --data SAMPLE.jsonl
--save-error-rates FILE`), then audit with `--error-rates FILE`. Error rates from
another population (dev's AI-risk-heavy excerpts, say) can push the corrected rate
far from the truth, which is why no default file is shipped.
"""
from __future__ import annotations

import json
from pathlib import Path

from corpus_audit.gate import AIMentionGate
from corpus_audit.io.shards import InputError
from corpus_audit.labels import PORTRAYAL_TAGS


def measure_error_rates(classifier, rows: list[dict], source: str) -> dict:
    gate = AIMentionGate()
    gated = [(row, mentions) for row in rows if (mentions := gate.find(row["text"]))]
    predictions = classifier.predict_batch([row["text"] for row, _ in gated], mentions=[m for _, m in gated],
                                           evidence="never")
    rates = {"measured_on": source, "documents": len(gated), "model_version": classifier.version}
    for tag in PORTRAYAL_TAGS:
        truth = [bool(row.get(tag)) for row, _ in gated]
        said = [tag in p.tags for p in predictions]
        rates[tag] = {"tp": sum(t and s for t, s in zip(truth, said)), "fn": sum(t and not s for t, s in zip(truth, said)),
                      "fp": sum(s and not t for t, s in zip(truth, said)),
                      "tn": sum(not t and not s for t, s in zip(truth, said))}
    return rates


def save_error_rates(rates: dict, path: str | Path) -> None:
    Path(path).write_text(json.dumps(rates, indent=2) + "\n")


def load_error_rates(path: str | Path, classifier) -> dict:
    """Error counts from a file `eval --save-error-rates` wrote, checked against the classifier in use."""
    try:
        rates = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise InputError(f"--error-rates {path}: cannot read it ({error})") from None
    if rates.get("model_version") != classifier.version:
        raise InputError(f"--error-rates {path}: counted for model {rates.get('model_version')!r}, but the model in "
                         f"use is {classifier.version!r}; count them again with corpus-audit eval --save-error-rates")
    return rates
