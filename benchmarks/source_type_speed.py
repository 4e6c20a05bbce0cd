"""Cost of deciding the source type, per document, beside the cost of just reading it.

    python benchmarks/source_type_speed.py [JSONL ...]

Default input: ../shared/data/dev/dev.jsonl and train/train.jsonl (real ~2,000-char
web excerpts with urls). Baseline: parsing the same lines with orjson, measured in
the same run. Prints µs/doc for resolve() with and without the text model, and
the ratios to the baseline.
"""
import sys
from pathlib import Path

import orjson

from corpus_audit.classify.source_type import SourceTypeResolver

from timing import seconds_per_item

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DEFAULT_INPUTS = [SHARED_DATA / "dev" / "dev.jsonl", SHARED_DATA / "train" / "train.jsonl"]
REPEATS = 5


def main(paths):
    lines = [line for path in paths for line in Path(path).read_bytes().splitlines() if line.strip()]
    docs = [orjson.loads(line) for line in lines]
    with_model = SourceTypeResolver()
    rules_only = SourceTypeResolver(use_text_model=False)
    with_model.resolve("warm up the model")

    def per_doc_us(function, items) -> float:
        return seconds_per_item(function, items, REPEATS) * 1e6

    baseline = per_doc_us(orjson.loads, lines)
    results = {
        "resolve, rules + text model": per_doc_us(lambda d: with_model.resolve(d["text"], d.get("url"), d.get("source")), docs),
        "resolve, rules only": per_doc_us(lambda d: rules_only.resolve(d["text"], d.get("url"), d.get("source")), docs),
        "resolve, text model only (no url)": per_doc_us(lambda d: with_model.resolve(d["text"]), docs),
    }
    n = len(docs)
    mean_chars = sum(len(d["text"]) for d in docs) / n
    print(f"{n} documents, {mean_chars:.0f} chars on average, best of {REPEATS} runs")
    print(f"{'baseline: orjson.loads':38s} {baseline:8.1f} µs/doc   1.00x")
    for name, micros in results.items():
        print(f"{name:38s} {micros:8.1f} µs/doc {micros / baseline:6.2f}x")


if __name__ == "__main__":
    main(sys.argv[1:] or [p for p in DEFAULT_INPUTS if p.is_file()])
