"""Text from the corpus is untrusted: it reaches the HTML and Markdown reports only escaped."""
from corpus_audit.aggregate.counts import Counts
from corpus_audit.report.build import build_report
from corpus_audit.report.html import render_html
from corpus_audit.report.markdown import render_markdown

HOSTILE = '<script>alert("x")</script>|*bold*'


def _report():
    counts = Counts()
    counts.add({"source_type": "forum", "source_type_from": "metadata", "source_disagree": False, "domain": HOSTILE,
                "language": "en", "assessed": True, "chars": 10, "ai_mention": True, "ai_evil": True,
                "ai_self_preserving": False, "ai_benevolent": False})
    accounts = [{"shards": {"s.jsonl": {"documents": 1, "sampled_out": 0, "unreadable": 1, "whole_shard_failed": False,
                                        "details": [f"s.jsonl:2: invalid JSON near {HOSTILE}"]}}}]
    run = {"paths": ["corpus/"], "shards": 1, "skipped_files": [HOSTILE], "options": {},
           "model": {"name": "m", "version": "1", "tier": "fast", "thresholds": {}},
           "tool": {"name": "corpus-audit", "version": "0"}}
    return build_report(counts, accounts, run)


def test_html_escapes_everything_from_the_corpus():
    examples = {"ai_evil": [{"id": HOSTILE, "source_type": "forum", "domain": HOSTILE, "score": 0.9,
                             "evidence": HOSTILE}]}
    page = render_html(_report(), examples)
    assert "<script>" not in page
    assert page.count("&lt;script&gt;") >= 3
    assert "Content-Security-Policy" in page and "<script" not in page.lower().replace("&lt;script", "")


def test_markdown_keeps_hostile_text_inert():
    text = render_markdown(_report())
    assert "<script>" not in text and r"\<script\>" in text
    decisions_row = [line for line in text.splitlines() if line.startswith("| forum |")][-1]
    assert decisions_row.count("|") - decisions_row.count(r"\|") == 8  # escaped pipes add no columns
