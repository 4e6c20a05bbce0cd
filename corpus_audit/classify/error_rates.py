"""The portrayal classifier's measured errors, which the report uses to correct prevalence.

Counted on labeled documents that pass the AI-mention gate (the only ones the
classifier sees), per tag: true and false positives and negatives at the shipped
thresholds. Saved beside the model as error_rates.json by `corpus-audit eval
--save-error-rates`; the shipped file was measured on the dev set, whose
thresholds were tuned there too, so it is somewhat optimistic.
"""
from __future__ import annotations

import json
from pathlib import Path

from corpus_audit.gate import AIMentionGate
from corpus_audit.labels import PORTRAYAL_TAGS

FILE = "error_rates.json"


def measure_error_rates(classifier, rows: list[dict], source: str) -> dict:
    gate = AIMentionGate()
    gated = [(row, mentions) for row in rows if (mentions := gate.find(row["text"]))]
    predictions = classifier.predict_batch([row["text"] for row, _ in gated], mentions=[m for _, m in gated])
    rates = {"measured_on": source, "documents": len(gated), "model_version": classifier.version}
    for tag in PORTRAYAL_TAGS:
        truth = [bool(row.get(tag)) for row, _ in gated]
        said = [tag in p.tags for p in predictions]
        rates[tag] = {"tp": sum(t and s for t, s in zip(truth, said)), "fn": sum(t and not s for t, s in zip(truth, said)),
                      "fp": sum(s and not t for t, s in zip(truth, said)),
                      "tn": sum(not t and not s for t, s in zip(truth, said))}
    return rates


def save_error_rates(rates: dict, model_dir: Path) -> None:
    (Path(model_dir) / FILE).write_text(json.dumps(rates, indent=2) + "\n")


def load_error_rates(classifier) -> dict | None:
    """The saved error counts of this classifier's model folder, if they were measured for this version."""
    path = Path(classifier.directory) / FILE
    if not path.is_file():
        return None
    rates = json.loads(path.read_text())
    return rates if rates.get("model_version") == classifier.version else None
