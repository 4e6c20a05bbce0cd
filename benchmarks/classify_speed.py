"""Milliseconds per ~2,000-character gated document for the portrayal classifiers, on one core.

Times the fast tier (sentence splitting, static embeddings, heads, evidence; with and without the gate),
and the accurate tier when its extra is installed, against a baseline measured in the same run: a
scikit-learn TF-IDF + logistic regression over the whole document. Documents come from
../shared/data/dev (the texts are only read, never stored).
Run: python benchmarks/classify_speed.py [FAST_MODEL_DIR]   (default: the shipped fast tier)
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from timing import seconds_per_item

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

REPO = Path(__file__).resolve().parents[1]
DEV = REPO.parent / "shared" / "data" / "dev" / "dev.jsonl"


def gated_documents(limit: int = 200) -> list[str]:
    from corpus_audit.classify.windows import find_mentions

    rows = [json.loads(line) for line in DEV.open(encoding="utf-8")]
    texts = [r["text"] for r in rows if 1500 <= len(r["text"]) <= 2500 and find_mentions(r["text"])]
    return texts[:limit]


def per_document_ms(function, texts: list[str], repeats: int = 3) -> float:
    function(texts[0])  # warm-up: lazy loading is not part of the per-document cost
    return seconds_per_item(function, texts, repeats) * 1000


def baseline(texts: list[str]):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=1).fit(texts)
    model = LogisticRegression().fit(vectorizer.transform(texts), [i % 2 for i in range(len(texts))])
    return lambda text: model.predict_proba(vectorizer.transform([text]))


def main() -> int:
    if not DEV.is_file():
        print(f"needs {DEV}", file=sys.stderr)
        return 2
    from corpus_audit.classify.portrayal import load_classifier
    from corpus_audit.classify.windows import find_mentions

    texts = gated_documents()
    print(f"{len(texts)} gated documents, mean {sum(map(len, texts)) / len(texts):.0f} characters, one core")
    base = per_document_ms(baseline(texts), texts)
    print(f"baseline TF-IDF + logistic regression (whole document): {base:.3f} ms/doc")
    fast = load_classifier("fast", sys.argv[1] if len(sys.argv) > 1 else None)
    mentions = {text: find_mentions(text) for text in texts}
    gate_ms = per_document_ms(find_mentions, texts)
    fast_ms = per_document_ms(lambda t: fast.predict(t, mentions[t]), texts)
    print(f"gate alone: {gate_ms:.3f} ms/doc")
    print(f"fast tier, mentions given (sentences + embeddings + heads + evidence of tagged documents): "
          f"{fast_ms:.3f} ms/doc = {fast_ms / base:.2f} x baseline")
    full = per_document_ms(fast.predict, texts)
    print(f"fast tier including the gate: {full:.3f} ms/doc = {full / base:.2f} x baseline")
    always = per_document_ms(lambda t: fast.predict(t, evidence="always"), texts)
    print(f"same, evidence for every document: {always:.3f} ms/doc = {always / base:.2f} x baseline")
    try:
        accurate = load_classifier("accurate")
        few = texts[:40]
        accurate_ms = per_document_ms(lambda t: accurate.predict(t, mentions[t]), few, repeats=1)
        print(f"accurate tier (MiniLM, CPU), mentions given: {accurate_ms:.1f} ms/doc = {accurate_ms / base:.0f} x baseline")
    except (ImportError, FileNotFoundError) as error:
        print(f"accurate tier skipped: {error}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
