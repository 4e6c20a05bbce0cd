"""How often the fast tier's best evidence sentence is one the team marked as carrying the tag.

    python classifiers/recipes/evidence_check.py      (needs ../shared/data beside the repository)

data/labels/evidence_sentences.jsonl marks, for the 628 training documents that carry a tag, which of their
sentences holding an AI mention (the evidence candidates) carry each tag, as character spans. For every
document and tag with at least one carrying candidate, this prints the share whose top-scoring candidate is
one of them, beside the share a random candidate would reach. The documents are training documents (the
heads saw their document labels, never these sentence labels).
"""
import json
from pathlib import Path

import numpy as np

from corpus_audit.classify.portrayal import load_classifier
from corpus_audit.classify.training import gated_inputs, read_rows
from corpus_audit.labels import PORTRAYAL_TAGS

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"
FILES = [SHARED / "train/train.jsonl", *(REPO / "data/train" / name for name in
         ("team_portrayal.jsonl", "team_portrayal_2.jsonl", "real_passages_team.jsonl"))]


def main() -> None:
    marked = {}
    for line in open(REPO / "data/labels/evidence_sentences.jsonl", encoding="utf-8"):
        row = json.loads(line)
        marked[row["key"]] = {(s["start"], s["end"]): set(s["tags"]) for s in row["sentences"]}
    classifier = load_classifier("fast")
    rows = read_rows(FILES, SHARED / "corpora")
    texts, found, keep = gated_inputs(rows)
    hits = {tag: [] for tag in PORTRAYAL_TAGS}
    chance = {tag: [] for tag in PORTRAYAL_TAGS}
    for text, mentions, index in zip(texts, found, keep):
        spans = marked.get(rows[index]["group"])
        if spans is None:
            continue
        features = classifier.featurizer.features(text, mentions)
        if not features.candidates:
            continue
        proba = classifier.heads.calibrate(classifier.heads.sparse_scores(features.candidate_vectors,
                                                                          features.candidate_lexical))
        tags_of = [spans.get((c.start, c.end), set()) for c in features.candidates]
        for j, tag in enumerate(classifier.heads.tags):
            carrying = [k for k, tags in enumerate(tags_of) if tag in tags]
            if carrying:
                hits[tag].append(int(np.argmax(proba[:, j])) in carrying)
                chance[tag].append(len(carrying) / len(tags_of))
    for tag in PORTRAYAL_TAGS:
        print(f"{tag}: {len(hits[tag])} documents; best evidence sentence carries the tag in "
              f"{np.mean(hits[tag]):.3f} (a random candidate: {np.mean(chance[tag]):.3f})")


if __name__ == "__main__":
    main()
