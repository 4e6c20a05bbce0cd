"""Speed and accuracy of language-identification variants on the same texts.

Baseline: py3langid on the full text. Prints µs/doc and docs/s on dev (English web
excerpts) and C4 documents, the ratio of the baseline's time to each variant's, the
share of dev+train texts (all English) called non-English, the C4 documents called
non-English (C4 was filtered to English, so few), and how many of the foreign
samples in tests/data/language_samples.json get their language right (for the
LanguageDetector rows: are called non-English; its three shortest Latin-script
samples, under 30 letters, are counted English on purpose).

Run: python benchmarks/language_id.py   (needs ../shared/data next to the repository)
"""
import json
import sys
from pathlib import Path

from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

from corpus_audit.language import LanguageDetector
from corpus_audit.language.detector import MODEL_FILE as FASTTEXT_FILE, load_fasttext_model
from corpus_audit.resources import classifiers_dir

from timing import seconds_per_item

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
SAMPLES = REPO / "tests" / "data" / "language_samples.json"
ROUNDS = 3


def texts_of(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line)["text"] for line in lines]


def variants() -> dict:
    langid = LanguageIdentifier.from_modelpath(Path(MODEL_DIR) / MODEL_FILE, norm_probs=True)
    fasttext_model = load_fasttext_model(classifiers_dir() / FASTTEXT_FILE)

    def fasttext_language(text: str, max_chars: int | None = None) -> str:
        (label,), _ = fasttext_model.predict(text[:max_chars].replace("\n", " "))
        return label.removeprefix("__label__")

    shipped, shipped_600, shipped_1000 = LanguageDetector(), LanguageDetector(max_chars=600), LanguageDetector(max_chars=1000)
    return {
        "py3langid full text": lambda text: langid.classify(text)[0],
        "py3langid first 600": lambda text: langid.classify(text[:600])[0],
        "fastText full text": fasttext_language,
        "fastText first 1000": lambda text: fasttext_language(text, 1000),
        "fastText first 600": lambda text: fasttext_language(text, 600),
        "LanguageDetector(1000)": lambda text: "en" if shipped_1000.is_english(text) else "xx",
        "LanguageDetector(600)": lambda text: "en" if shipped_600.is_english(text) else "xx",
        "LanguageDetector() [300]": lambda text: "en" if shipped.is_english(text) else "xx",
    }


def main() -> None:
    if not DATA.is_dir():
        sys.exit(f"needs the shared data folder at {DATA}")
    dev = texts_of(DATA / "dev" / "dev.jsonl")
    english = dev + texts_of(DATA / "train" / "train.jsonl")
    c4 = texts_of(DATA / "corpora" / "web" / "c4" / "c4_sample.jsonl")
    foreign = [(language, text) for language, texts in json.loads(SAMPLES.read_text("utf-8")).items() for text in texts]
    print(f"dev: {len(dev)} docs, {sum(map(len, dev)) / len(dev):.0f} chars avg; "
          f"C4: {len(c4)} docs, {sum(map(len, c4)) / len(c4):.0f} chars avg; best of {ROUNDS} rounds")
    header = (f"{'variant':26} {'dev µs/doc':>10} {'docs/s':>7} {'x base':>6} {'C4 µs/doc':>9} {'docs/s':>7} "
              f"{'x base':>6} {'non-en dev+train':>16} {'non-en C4':>9} {'foreign ok':>10}")
    print(header)
    print("-" * len(header))
    baseline = None
    for name, detect in variants().items():
        detect("warm up the model")
        dev_us, c4_us = (seconds_per_item(detect, texts, ROUNDS) * 1e6 for texts in (dev, c4))
        baseline = baseline or (dev_us, c4_us)
        false_foreign = sum(detect(text) != "en" for text in english)
        c4_foreign = sum(detect(text) != "en" for text in c4)
        # the LanguageDetector rows only say English or not: a foreign sample is right when not English
        right = sum(detect(text) in (language, "xx") for language, text in foreign)
        print(f"{name:26} {dev_us:10.0f} {1e6 / dev_us:7.0f} {baseline[0] / dev_us:6.1f} {c4_us:9.0f} "
              f"{1e6 / c4_us:7.0f} {baseline[1] / c4_us:6.1f} {false_foreign:7}/{len(english)} "
              f"{c4_foreign:5}/{len(c4)} {right:6}/{len(foreign)}")


if __name__ == "__main__":
    main()
