"""`corpus-audit train` and `corpus-audit eval`: one entry point over the portrayal and source-type models."""
from __future__ import annotations

from pathlib import Path

import orjson

MODELS = ("portrayal", "source_type")


def read_labeled(files: list[str | Path]) -> list[dict]:
    rows = []
    for file in files:
        with open(file, "rb") as stream:
            for number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                try:
                    rows.append(orjson.loads(line))
                except orjson.JSONDecodeError as error:
                    raise ValueError(f"{file}:{number}: invalid JSON: {error}") from None
    return rows


def train_models(data: list[str], corpora: str | None, output: str, model: str = "portrayal", tier: str = "fast",
                 seed: int = 0, evidence: str | None = None) -> dict:
    """Trains one model from its recorded recipe's inputs; see the model cards in classifiers/ for the commands."""
    output_dir = Path(output)
    if model == "portrayal":
        from corpus_audit.classify.training import train_classifiers

        return train_classifiers([Path(d) for d in data], Path(corpora) if corpora else None, output_dir, tier=tier,
                                 seed=seed, evidence_labels=Path(evidence) if evidence else None)
    if model == "source_type":
        from corpus_audit.classify.source_type_training import train_source_type_model

        if corpora is None:
            raise ValueError("the source-type model needs --corpora (the shared data folder)")
        output_dir.mkdir(parents=True, exist_ok=True)
        return train_source_type_model(output_dir / "source_type.bin", Path(corpora), [Path(d) for d in data], seed)
    raise ValueError(f"--model must be one of {', '.join(MODELS)}")


def evaluate_models(data: list[str], tier: str = "fast", model_dir: str | None = None,
                    save_error_rates: str | None = None) -> dict:
    """Per-tag metrics of the portrayal model and source-type accuracy, on labeled JSONL (labeling.md).

    save_error_rates: a file to save the model's error counts on the gated rows in; `audit --error-rates`
    uses them to correct prevalence (classify/error_rates.py says on which data to count them).
    """
    from corpus_audit.classify.evaluation import evaluate
    from corpus_audit.classify.portrayal import load_classifier
    from corpus_audit.classify.source_type import SourceTypeResolver
    from corpus_audit.classify.source_type_training import evaluate_source_types

    rows = read_labeled(data)
    if not rows or not all("ai_mention" in row and "text" in row for row in rows):
        raise ValueError(f"{', '.join(data)}: eval needs labeled rows (text and ai_mention ... as in labeling.md)")
    classifier = load_classifier(tier=tier, path=model_dir)
    result = {"portrayal": evaluate(classifier, rows)}
    if save_error_rates:
        from corpus_audit.classify import error_rates

        rates = error_rates.measure_error_rates(classifier, rows, source=", ".join(Path(d).name for d in data))
        error_rates.save_error_rates(rates, save_error_rates)
        result["error_rates"] = rates
    typed = [row for row in rows if row.get("source_type")]
    if typed:
        model_path = Path(model_dir) / "source_type.bin" if model_dir else None
        resolver = SourceTypeResolver(model_path=model_path if model_path and model_path.is_file() else None)
        result["source_type"] = {"with_urls": evaluate_source_types(resolver, typed, use_urls=True),
                                 "text_only": evaluate_source_types(resolver, typed, use_urls=False)}
    return result
