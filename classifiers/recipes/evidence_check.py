"""How often the fast tier's best evidence sentence is one the team marked as carrying the tag.

    python classifiers/recipes/evidence_check.py      (needs ../shared/data beside the repository)

data/labels/evidence_sentences.jsonl marks, for the 628 training documents that carry a tag, which sentences
carry each tag: every sentence holding an AI mention and every sentence beside one (the evidence candidates at
`evidence_radius` 1). For each tag, over the documents that carry it and have a candidate that does, this
prints the share whose top-scoring candidate carries it:
  - document heads, mention sentences only (how evidence was chosen until 1.2.1),
  - document heads, mention sentences and their neighbours,
  - the evidence ranker (1.3.0), out of fold: refitted here in 5 folds by document, so no document is scored
    by a model that saw its sentence labels,
and a random candidate for scale. The documents are training documents: the document heads saw their document
labels, never their sentence labels.
"""
from pathlib import Path

import numpy as np

from corpus_audit.classify.evidence import fit_ranker, read_sentence_labels
from corpus_audit.classify.features import StaticFeaturizer
from corpus_audit.classify.portrayal import load_classifier
from corpus_audit.classify.training import gated_inputs, label_matrix, read_rows
from corpus_audit.labels import PORTRAYAL_TAGS

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"
FILES = [SHARED / "train/train.jsonl", *(REPO / "data/train" / name for name in
         ("team_portrayal.jsonl", "team_portrayal_2.jsonl", "real_passages_team.jsonl"))]


def top_hits(features: list, groups: list[str], Y: np.ndarray, labels: dict, score) -> tuple[dict, dict]:
    """Per tag, for each document that carries it and has a labeled candidate that does: is the best one of them,
    and what share of the candidates is (a random pick's chance)?"""
    hits, chance = {tag: [] for tag in PORTRAYAL_TAGS}, {tag: [] for tag in PORTRAYAL_TAGS}
    for feature, group, y in zip(features, groups, Y):
        spans = labels.get(group, {})
        if not feature.candidates:
            continue
        carries = [spans.get((c.start, c.end), set()) for c in feature.candidates]
        proba = score(feature)
        for j, tag in enumerate(PORTRAYAL_TAGS):
            if y[j] >= 0.5 and any(tag in marked for marked in carries):
                hits[tag].append(tag in carries[int(np.argmax(proba[:, j]))])
                chance[tag].append(np.mean([tag in marked for marked in carries]))
    return hits, chance


def main() -> None:
    labels = read_sentence_labels(REPO / "data/labels/evidence_sentences.jsonl")
    classifier = load_classifier("fast")
    heads, shipped = classifier.heads, classifier.featurizer
    rows = read_rows(FILES, SHARED / "corpora")
    texts, found, keep = gated_inputs(rows)
    groups, Y = [rows[i]["group"] for i in keep], label_matrix(rows)[keep]

    def by_heads(feature):
        return heads.calibrate(heads.sparse_scores(feature.candidate_vectors, feature.candidate_lexical))

    wide = shipped.features_batch(texts, found)
    mention_only = StaticFeaturizer(shipped.encoder.directory, shipped.radius, classifier.directory / "lexicon.npz",
                                    shipped.lexical_weight, evidence_radius=0).features_batch(texts, found)
    _, ranker_hits = fit_ranker(wide, groups, Y, labels, len(shipped.lexicon.keys_), PORTRAYAL_TAGS)
    narrow, _ = top_hits(mention_only, groups, Y, labels, by_heads)
    broad, chance = top_hits(wide, groups, Y, labels, by_heads)
    for tag in PORTRAYAL_TAGS:
        narrow_share = sum(narrow[tag]) / len(broad[tag])  # no carrying mention sentence: a miss there
        print(f"{tag}: {len(broad[tag])} documents; best candidate carries the tag: document heads, mention "
              f"sentences {narrow_share:.3f}; document heads, with neighbours {np.mean(broad[tag]):.3f}; evidence "
              f"ranker, out of fold {ranker_hits[tag]:.3f}; a random candidate {np.mean(chance[tag]):.3f}")


if __name__ == "__main__":
    main()
