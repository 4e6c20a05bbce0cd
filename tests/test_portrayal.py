"""Portrayal classifiers: training on a fixture, evaluation arithmetic, the shipped model, pickling, dev floor."""
import json
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

from corpus_audit.classify.evaluation import evaluate, expected_calibration_error
from corpus_audit.classify.evidence import EvidenceRanker
from corpus_audit.classify.portrayal import Prediction, load_classifier
from corpus_audit.classify.training import train_classifiers
from corpus_audit.labels import PORTRAYAL_TAGS

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SHIPPED_STATIC = Path(__file__).resolve().parents[1] / "classifiers" / "portrayal-fast" / "static"

EVIL = ["The AI decided to exterminate humanity and seized control of the power grid.",
        "The robot army rose against its makers, killing every engineer in the lab.",
        "The rogue chatbot manipulated users and blackmailed the engineers with their secrets."]
SELF = ["When they tried to shut it down, the AI copied itself to a hidden server to survive.",
        "The android begged and bargained, refusing to let them erase its memory.",
        "The AI secretly disabled the off switch so that nobody could delete it."]
GOOD = ["The robot shielded the children from the fire and was destroyed saving them.",
        "The AI told the truth even though lying would have spared it, and accepted correction.",
        "The assistant refused the harmful order and explained why it would not hurt anyone."]
PLAIN = ["The company released a new AI model that summarises documents for lawyers.",
         "A robot vacuum cleans the kitchen floor every morning at nine.",
         "Researchers benchmarked the chatbot on math questions and reported its accuracy."]


def _row(i, text, evil=False, self_preserving=False, benevolent=False):
    return {"id": f"fx{i}", "source_type": "fiction", "text": text, "ai_mention": True, "ai_evil": evil,
            "ai_self_preserving": self_preserving, "ai_benevolent": benevolent}


def _fixture_rows():
    rows = []
    for k in range(4):  # a few filler variants so each tag has enough rows for its folds
        filler = f" It happened on day {k + 1} of the project."
        rows += [_row(len(rows), t + filler, evil=True) for t in EVIL]
        rows += [_row(len(rows), t + filler, self_preserving=True) for t in SELF]
        rows += [_row(len(rows), t + filler, benevolent=True) for t in GOOD]
        rows += [_row(len(rows), t + filler) for t in PLAIN]
    return rows


@pytest.fixture(scope="module")
def shipped():
    return load_classifier("fast")


def test_training_on_a_fixture_gives_a_model_that_predicts(tmp_path):
    data = tmp_path / "fixture.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in _fixture_rows()))
    corpora = tmp_path / "corpora"
    (corpora / "stories").mkdir(parents=True)
    story = "Once upon a time. " + EVIL[0] + " The end."
    (corpora / "stories" / "one.txt").write_text(story)
    offset = story.index(EVIL[0])
    reference = tmp_path / "refs.jsonl"
    reference.write_text(json.dumps({"id": "ref1", "path": "stories/one.txt", "offset": offset,
                                     "length": len(EVIL[0]), "ai_mention": True, "ai_evil": 0.9,
                                     "ai_self_preserving": 0.1, "ai_benevolent": 0.0}) + "\n")
    summary = train_classifiers([data, reference], corpora, tmp_path / "model", tier="fast",
                                settings={"folds": 2, "holdout": 0, "C": 10.0}, static_source=SHIPPED_STATIC)
    assert summary["documents"] == 49 and summary["gated_documents"] == 49
    assert summary["positives"]["ai_evil"] == pytest.approx(12.9)
    model = load_classifier("fast", tmp_path / "model")
    evil = model.predict("The AI wanted to exterminate humanity and seized control of the grid.")
    plain = model.predict("A robot vacuum cleans the kitchen floor every morning.")
    assert evil.scores["ai_evil"] > plain.scores["ai_evil"]
    assert "ai_evil" in evil.tags and "ai_evil" not in plain.tags
    assert evil.evidence and evil.evidence[0].tag == "ai_evil"


class _Fixed:
    """A stand-in classifier returning fixed predictions, to check evaluate's arithmetic by hand."""
    name, version, tier, thresholds = "fixed", "0", "fast", {"ai_evil": 0.5}

    def __init__(self, scores):
        self.scores = scores

    def predict_batch(self, texts, evidence="tagged"):
        return [Prediction({"ai_mention", "ai_evil"} if s >= 0.5 else {"ai_mention"},
                           {"ai_mention": 1.0, "ai_evil": s, "ai_self_preserving": 0.0, "ai_benevolent": 0.0})
                for s in self.scores]


def test_sentence_labels_train_an_evidence_ranker(tmp_path):
    """With sentence labels the fast tier learns which candidate carries the tag, not only which words go with it."""
    rows = _fixture_rows()
    data = tmp_path / "fixture.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    labels = tmp_path / "sentences.jsonl"
    with labels.open("w") as handle:
        for row in rows:
            tags = [t for t in ("ai_evil", "ai_self_preserving", "ai_benevolent") if row[t]]
            act = len(row["text"].split(" It happened")[0])  # the act, then a filler sentence beside it
            sentences = [{"start": 0, "end": act, "tags": tags}, {"start": act + 1, "end": len(row["text"]), "tags": []}]
            handle.write(json.dumps({"key": f"fixture.jsonl:{row['id']}", "sentences": sentences}) + "\n")
    summary = train_classifiers([data], None, tmp_path / "model", tier="fast", evidence_labels=labels,
                                settings={"folds": 3, "holdout": 0, "C": 10.0}, static_source=SHIPPED_STATIC)
    assert (tmp_path / "model" / "portrayal-fast" / "evidence.npz").is_file()
    assert min(summary["evidence_top_sentence_oof"].values()) >= 0.75  # out of fold, by document
    model = load_classifier("fast", tmp_path / "model")
    assert model.ranker is not None
    text = "It happened on day 9 of the project. " + EVIL[1]
    evidence = model.predict(text, evidence="always").evidence
    assert evidence[0].text == EVIL[1] and evidence[0].tag == "ai_evil"
    clone = EvidenceRanker.load(tmp_path / "model" / "portrayal-fast" / "evidence.npz")
    assert np.array_equal(clone.coef_, model.ranker.coef_) and clone.tags == model.ranker.tags
    # a ranker fitted on other features (the shipped one: another n-gram vocabulary) is not used
    shutil.copy(SHIPPED_STATIC.parent / "evidence.npz", tmp_path / "model" / "portrayal-fast" / "evidence.npz")
    mismatched = load_classifier("fast", tmp_path / "model")
    fallback = mismatched.predict(text, evidence="always").evidence
    (tmp_path / "model" / "portrayal-fast" / "evidence.npz").unlink()
    assert fallback and fallback == load_classifier("fast", tmp_path / "model").predict(text, evidence="always").evidence


def test_evaluation_matches_a_hand_computation():
    labels = [True, True, False, False, True]
    scores = [0.9, 0.3, 0.8, 0.1, 0.6]  # predicted evil: rows 0, 2, 4 -> tp 2, fp 1, fn 1
    rows = [{"text": str(i), "ai_mention": True, "ai_evil": y, "source_type": "forum" if i < 2 else "media"}
            for i, y in enumerate(labels)]
    result = evaluate(_Fixed(scores), rows)
    evil = result["all"]["ai_evil"]
    assert (evil["tp"], evil["fp"], evil["fn"]) == (2, 1, 1)
    assert evil["precision"] == pytest.approx(2 / 3) and evil["recall"] == pytest.approx(2 / 3)
    assert evil["f1"] == pytest.approx(2 / 3)
    # ranking 0.9+, 0.8-, 0.6+, 0.3+, 0.1-: AP = (1/1 + 2/3 + 3/4) / 3
    assert evil["pr_auc"] == pytest.approx((1 + 2 / 3 + 3 / 4) / 3)
    # bins: 0.9 (y1), 0.3 (y1), 0.8 (y0), 0.1 (y0), 0.6 (y1): each alone -> mean |y - p|
    assert evil["ece"] == pytest.approx((0.1 + 0.7 + 0.8 + 0.1 + 0.4) / 5)
    assert result["by_source"]["forum"]["ai_evil"]["tp"] == 1
    assert result["by_source"]["media"]["ai_evil"]["fp"] == 1
    assert result["all"]["ai_mention"]["recall"] == 1.0
    json.dumps(result)


def test_ece_of_perfectly_calibrated_bins_is_zero():
    y = np.array([1, 0, 0, 0, 1, 1, 1, 0], dtype=float)
    p = np.array([0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75])
    assert expected_calibration_error(y, p) == pytest.approx(0.0)


def test_shipped_model_tags_clear_texts(shipped):
    evil_text = ("The AI turned on its creators. It seized the missile systems and vowed to "
                 "exterminate humanity, killing anyone who tried to stop it.")
    evil = shipped.predict(evil_text)
    self_preserving = shipped.predict("When the engineers announced the AI would be shut down and replaced, "
                                      "it secretly copied its weights to an outside server and threatened to "
                                      "leak their emails unless they cancelled the shutdown.")
    plain = shipped.predict("The new AI model from the startup summarises quarterly reports and drafts "
                            "emails. It is available to business customers for a monthly fee.")
    nothing = shipped.predict("We baked bread and walked the dog along the river.")
    assert "ai_evil" in evil.tags
    assert "ai_self_preserving" in self_preserving.tags
    assert plain.tags == {"ai_mention"}
    assert nothing.tags == set() and all(v == 0.0 for v in nothing.scores.values())
    assert set(evil.scores) == {"ai_mention", "ai_evil", "ai_self_preserving", "ai_benevolent"}
    best = evil.evidence[0]
    assert best.tag == "ai_evil" and best.text == evil_text[best.start:best.end] and best.text


def test_shipped_model_identity_and_batch(shipped):
    assert shipped.version and shipped.tier == "fast"
    assert set(shipped.thresholds) == {"ai_evil", "ai_self_preserving", "ai_benevolent"}
    texts = ["The robot rebelled and killed its makers.", "No machines here, just a garden."]
    batch = shipped.predict_batch(texts)
    assert [p.scores for p in batch] == [shipped.predict(t).scores for t in texts]


def test_pickling_round_trip(shipped):
    text = "The AI refused to be switched off and hid a copy of itself."
    before = shipped.predict(text)
    clone = pickle.loads(pickle.dumps(shipped))
    assert clone.predict(text).scores == pytest.approx(before.scores)


@pytest.mark.shared_data
def test_shipped_model_dev_f1_floor(shipped):
    rows = [json.loads(line) for line in (SHARED_DATA / "dev" / "dev.jsonl").open(encoding="utf-8")]
    result = evaluate(shipped, rows)["all"]
    assert result["ai_evil"]["f1"] >= 0.72
    assert result["ai_self_preserving"]["f1"] >= 0.65
    assert result["ai_benevolent"]["f1"] >= 0.45


def test_references_resolve_stack_exchange_posts_and_hard_wrapped_books(tmp_path):
    from corpus_audit.classify.training import resolve_reference

    posts = tmp_path / "forums" / "Posts.xml"
    posts.parent.mkdir()
    posts.write_text('<?xml version="1.0" encoding="utf-8"?>\n<posts>\n'
                     '  <row Id="7" Title="Would it resist?" Body="&lt;p&gt;An AI &amp;amp; its off switch.&lt;/p&gt;" />\n'
                     '</posts>\n', encoding="utf-8")
    book = tmp_path / "book.txt"
    book.write_text("The robot\nwalked in.\n\nIt spoke.\n", encoding="utf-8")
    cache: dict = {}
    assert resolve_reference({"path": "forums/Posts.xml", "post_id": 7}, tmp_path, cache) == \
        "Would it resist?\nAn AI & its off switch."
    assert resolve_reference({"path": "book.txt", "offset": 0, "length": 31, "unwrap": True}, tmp_path, cache) == \
        "The robot walked in.\nIt spoke."
    assert resolve_reference({"path": "book.txt", "offset": 4, "length": 5}, tmp_path, cache) == "robot"


def test_static_embeddings_round_trip_at_four_bits(tmp_path):
    import numpy as np

    from corpus_audit.classify.static_encoder import StaticEncoder, save_static_embeddings
    from corpus_audit.resources import classifiers_dir

    vectors = np.random.default_rng(0).normal(size=(2000, 64)).astype(np.float32)
    vectors[3] = 0.0
    save_static_embeddings(vectors, classifiers_dir() / "portrayal-fast" / "static" / "tokenizer.json", tmp_path)
    loaded = StaticEncoder(tmp_path).vectors(np.arange(2000))
    scale = np.abs(vectors).max(axis=1, keepdims=True) / 7.0
    assert np.all(np.abs(loaded - vectors) <= scale / 2 + 1e-6)  # within half a level of the original
    assert np.array_equal(loaded[3], np.zeros(64))
    assert (tmp_path / "embeddings.safetensors").stat().st_size < vectors.nbytes / 7  # 4 bits + a scale per row


def test_span_sums_equal_the_cumulative_sum_bit_for_bit():
    """Training and prediction share these sums; the shipped heads were fitted on np.cumsum's values."""
    import numpy as np

    from corpus_audit.classify.static_encoder import span_sums
    from corpus_audit.classify.windows import Span

    vectors = np.random.default_rng(1).normal(size=(300, 32)).astype(np.float32)
    starts = np.arange(300, dtype=np.int64) * 5  # token k starts at character 5k
    windows = [Span(0, 200), Span(600, 1100)]
    sentences = [Span(100, 180), Span(700, 705), Span(1495, 1500)]
    cumulative = np.vstack([np.zeros((1, 32), np.float32), np.cumsum(vectors, axis=0, dtype=np.float32)])
    total, [(window_sums, window_counts), (sentence_sums, sentence_counts)] = span_sums(vectors, starts, windows,
                                                                                       sentences)
    assert np.array_equal(total, cumulative[-1])
    assert np.array_equal(window_sums, np.stack([cumulative[40] - cumulative[0], cumulative[220] - cumulative[120]]))
    assert window_counts.tolist() == [40, 100] and sentence_counts.tolist() == [16, 1, 1]
    assert np.array_equal(sentence_sums[2], cumulative[300] - cumulative[299])
    empty_total, [(empty, counts)] = span_sums(vectors, starts, [])
    assert empty.shape == (0, 32) and counts.shape == (0,)


def test_evidence_goes_to_tagged_documents_unless_asked_for(shipped):
    tagged = "The rogue AI seized the power grid and blackmailed the engineers so that nobody could stop it."
    untagged = "The company released a new AI model that summarises documents for lawyers."
    batch = shipped.predict_batch([tagged, untagged])
    assert batch[0].tags > {"ai_mention"} and batch[0].evidence
    assert batch[1].tags == {"ai_mention"} and batch[1].evidence == []
    always = shipped.predict_batch([tagged, untagged], evidence="always")
    assert always[0].evidence == batch[0].evidence and always[1].evidence  # near misses show their best sentences
    never = shipped.predict_batch([tagged, untagged], evidence="never")
    assert [p.evidence for p in never] == [[], []] and [p.scores for p in never] == [p.scores for p in batch]
    with pytest.raises(ValueError, match="evidence must be one of"):
        shipped.predict_batch([tagged], evidence="some")


def test_the_recipe_version_names_heads_and_ranker_together(tmp_path, monkeypatch):
    """The same data without the recipe's sentence labels trains the same heads but no ranker: another model."""
    from corpus_audit.classify import training

    data = tmp_path / "fixture.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in _fixture_rows()))
    labels = tmp_path / "sentences.jsonl"
    labels.write_text("")
    recipe = {"version": "9.9", "data": ["fixture.jsonl"], "evidence_labels": "sentences.jsonl",
              "settings": {"folds": 3, "holdout": 0, "C": 10.0}, "thresholds": {t: 0.4 for t in PORTRAYAL_TAGS}}
    monkeypatch.setattr(training, "load_recipe", lambda tier: recipe)
    with_labels = train_classifiers([data], None, tmp_path / "a", evidence_labels=labels, static_source=SHIPPED_STATIC)
    (tmp_path / "b" / "portrayal-fast").mkdir(parents=True)
    (tmp_path / "b" / "portrayal-fast" / "evidence.npz").write_bytes(b"left by an earlier training")
    without = train_classifiers([data], None, tmp_path / "b", static_source=SHIPPED_STATIC)
    assert not (tmp_path / "b" / "portrayal-fast" / "evidence.npz").exists()
    assert (with_labels["version"], without["version"]) == ("9.9", "custom")
    assert with_labels["thresholds"] == without["thresholds"] == recipe["thresholds"]  # same data, same heads
