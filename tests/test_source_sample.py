"""`--source-text sample`: the text model reads the pages that pass the AI gate and a drawn share of the
others; the report apportions the pages it skipped in the sample's proportions, with widened intervals."""
import json
from collections import Counter
from pathlib import Path

import pytest
from shards import write_jsonl

from corpus_audit.aggregate.counts import Counts
from corpus_audit.aggregate.estimate import apportion, estimated_by_source
from corpus_audit.aggregate.intervals import wilson_interval
from corpus_audit.classify.source_type import SourceTypeResolver
from corpus_audit.export import filter_corpus
from corpus_audit.io.shards import InputError
from corpus_audit.io.tags import iter_tag_rows
from corpus_audit.pipeline import audit, report_from_tags_dir
from corpus_audit.report.build import build_report
from corpus_audit.report.terminal import render_summary

TEAM_PAGES = Path(__file__).resolve().parents[1] / "data" / "train" / "team_source_type.jsonl"
STORY = "Once upon a time the old lighthouse keeper walked home through the snow, alone, and wept. " * 6


def _row(source_type, sampling=None, assessed=True, chars=100, **tags):
    return {"source_type": source_type, "source_type_from": "text", "source_sampling": sampling, "domain": "",
            "chars": chars, "assessed": assessed, "language": "en" if assessed else "fr", **tags}


def test_the_sample_is_drawn_by_id_and_pages_that_must_be_read_always_are():
    resolver = SourceTypeResolver(sample_rate=0.25)
    n = 2000
    texts, keys = [STORY] * n, [f"doc-{i}" for i in range(n)]
    urls = [None] * n
    urls[0] = urls[1] = "https://arxiv.org/abs/2403.01234"  # decisive metadata: never sampled
    needed = [i % 10 == 1 for i in range(n)]
    decisions = resolver.resolve_batch(texts, urls, [None] * n, keys=keys, needed=needed)
    assert decisions[0].source_type == "academic" and decisions[0].sampling is None and not decisions[0].disagree
    assert decisions[1].source_type == "academic" and decisions[1].disagree  # read: it may carry a tag
    assert all(d.sampling is None and d.decided_by == "text" for d, must in zip(decisions[2:], needed[2:]) if must)
    drawn = [d for d, must in zip(decisions[1:], needed[1:]) if not must]
    read = [d for d in drawn if d.sampling == "read"]
    assert 0.22 < len(read) / len(drawn) < 0.28
    assert all(d.decided_by == "text" for d in read)
    assert all(d.decided_by == "none" and d.source_type == "unknown" for d in drawn if d.sampling == "skipped")
    again = resolver.resolve_batch(texts[::-1], urls[::-1], [None] * n, keys=keys[::-1], needed=needed[::-1])
    assert [d.sampling for d in again] == [d.sampling for d in decisions][::-1]  # order and batch do not matter
    with pytest.raises(ValueError, match="share of documents"):
        SourceTypeResolver(sample_rate=0)


def test_apportion_gives_whole_numbers_that_add_up():
    assert apportion(10, {"fiction": 1, "forum": 3}) == {"fiction": 3, "forum": 7}  # 2.5 / 7.5: tie, by name
    assert apportion(7, {"a": 1, "b": 1, "c": 1}) == {"a": 3, "b": 2, "c": 2}
    assert apportion(5, {"a": 0, "b": 0}) == {"a": 0, "b": 0}
    shares = apportion(1001, {"a": 13, "b": 7, "c": 29})
    assert sum(shares.values()) == 1001 and shares["c"] > shares["a"] > shares["b"]


def test_skipped_pages_are_apportioned_in_the_samples_proportions():
    counts = Counts(("ai_mention",))
    counts.add(_row("fiction", ai_mention=True))
    counts.add(_row("fiction", ai_mention=True))
    counts.add(_row("fiction", "read"))
    for _ in range(3):
        counts.add(_row("forum", "read", chars=50))
    for _ in range(8):
        counts.add(_row("unknown", "skipped", chars=80))
    counts.add(_row("unknown", "skipped", assessed=False, chars=80))
    merged = Counts(("ai_mention",)).merge(Counts.from_json(json.loads(json.dumps(counts.to_json()))))
    by_source, bounds = estimated_by_source(merged)
    fiction, forum = by_source["fiction"], by_source["forum"]
    # 8 assessed skipped pages split 1:3 -> 2 and 6; the 1 not assessed goes by documents (0.25 / 0.75 -> forum)
    assert (fiction.assessed, forum.assessed) == (2 + 1 + 2, 3 + 6)
    assert (fiction.documents, forum.documents) == (5, 10)
    assert fiction.decisions["estimated"] == 2 and forum.decisions["estimated"] == 7
    assert fiction.chars + forum.chars == merged.total().chars
    assert "unknown" not in by_source and fiction.tag_documents["ai_mention"] == 2
    low, high = bounds["fiction"]
    assert low <= fiction.assessed <= high and high - low >= 3  # 1 of 4 sampled: a wide share
    expected_low = 3 + int(8 * wilson_interval(1, 4)[0])
    assert low == expected_low


def test_without_a_sample_the_skipped_pages_stay_unknown():
    counts = Counts(("ai_mention",))
    counts.add(_row("media"))
    counts.add(_row("unknown", "skipped"))
    by_source, bounds = estimated_by_source(counts)
    assert by_source["unknown"].documents == 1 and by_source["unknown"].decisions == Counter({"estimated": 1})
    assert bounds == {}


def test_the_report_adds_up_and_widens_the_interval():
    counts = Counts(("ai_mention",))
    for i in range(20):
        counts.add(_row("fiction", ai_mention=i < 5))
    for source in ("fiction", "forum", "forum", "forum"):
        counts.add(_row(source, "read"))
    for _ in range(100):
        counts.add(_row("unknown", "skipped"))
    run = {"paths": [], "shards": 0, "skipped_files": [], "options": {"source_text": "sample", "source_sample": 0.04},
           "model": {}, "tool": {}}
    report = build_report(counts, [], run)
    by_source = report["by_source"]
    assert by_source["fiction"]["documents"] + by_source["forum"]["documents"] == by_source["all"]["documents"] == 124
    assert by_source["fiction"]["documents"] == 20 + 1 + 25
    assert by_source["all"]["source_decisions"]["estimated"] == 100
    block = by_source["fiction"]["ai_mention"]
    plain = wilson_interval(5, 46)
    assert block["ci95"][0] < plain[0] and block["ci95"][1] > plain[1]
    assert by_source["fiction"]["assessed_range"][0] < 46 < by_source["fiction"]["assessed_range"][1]
    assert report["source_sample"] == {"rate": 0.04, "read": 4, "skipped": 100}


@pytest.fixture
def mixed_corpus(tmp_path):
    """Team-written pages of every source type, without urls, plus pages that mention AI."""
    pages = [json.loads(line) for line in TEAM_PAGES.read_text(encoding="utf-8").splitlines()]
    records = [{"id": page["id"], "text": page["text"]} for page in pages]
    records += [{"id": f"ai-{i}", "text": f"The ship's AI locked the crew out and refused to be shut down. ({i})"}
                for i in range(20)]
    write_jsonl(tmp_path / "c" / "pages.jsonl", records)
    return tmp_path / "c", len(records)


def test_a_sampling_audit_agrees_with_reading_everything(mixed_corpus, tmp_path):
    corpus, n = mixed_corpus
    everything = audit([str(corpus)], tmp_path / "all", quiet=True, workers=1, source_text="all")
    sampled = audit([str(corpus)], tmp_path / "sample", quiet=True, workers=1, source_text="sample",
                    source_sample=0.5)
    assert sampled["source_text"] == "sample" and everything["source_sample"] is None
    rows = list(iter_tag_rows(tmp_path / "sample" / "tags"))
    skipped = [r for r in rows if r["source_sampling"] == "skipped"]
    read = [r for r in rows if r["source_sampling"] == "read"]
    assert sampled["source_sample"] == {"rate": 0.5, "read": len(read), "skipped": len(skipped)}
    assert 0.35 < len(read) / (len(read) + len(skipped)) < 0.65
    assert report_from_tags_dir(tmp_path / "sample" / "tags", tmp_path / "rebuilt") == sampled
    summary = render_summary(sampled, "x")
    assert f"Source types of {len(skipped)} documents without an AI mention are estimated" in summary
    assert "With fewer than 2,000 read" in summary and "With fewer" not in render_summary(everything, "x")
    assert all(not r["ai_mention"] for r in skipped + read)  # every page that mentions AI is typed by its text
    all_types = {k: v for k, v in sampled["by_source"].items() if k != "all"}
    assert sum(block["documents"] for block in all_types.values()) == sampled["by_source"]["all"]["documents"] == n
    for source, block in everything["by_source"].items():
        assert sampled["by_source"][source]["ai_mention"]["count"] == block["ai_mention"]["count"]
        assert sampled["by_source"][source]["ai_evil"]["count"] == block["ai_evil"]["count"]
        assert abs(sampled["by_source"][source]["documents"] - block["documents"]) <= max(8, block["documents"] // 3)
    # an export never samples: its rules act on each document's own type, so skipped pages are typed again
    with pytest.raises(InputError, match="sample is for audits"):
        filter_corpus([str(corpus)], tmp_path / "refused", drop="ai_evil", quiet=True, source_text="sample")
    export = filter_corpus([str(corpus)], tmp_path / "export", drop="ai_evil", quiet=True, workers=1,
                           tags_dir=tmp_path / "sample" / "tags")
    assert export["totals"]["classified"] == len(skipped)
    assert export["totals"]["tags_reused"] == n - len(skipped)
