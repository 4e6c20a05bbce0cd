"""rebalance: rules multiply, copies are numbered, target shares land on target, weight mode, dry run."""
import json

import pytest
from export_fixtures import corpus_rows, run_cli, tags_for, tags_of, write_tags
from shards import write_jsonl

from corpus_audit.export import rebalance_corpus
from corpus_audit.io.readers import read_rows
from corpus_audit.io.shards import InputError, discover_shards


def _read(path):
    return [row for _, row in read_rows(discover_shards([str(path)]).shards[0])]


@pytest.fixture
def corpus(tmp_path):
    """3000 fiction documents (every 3rd mentions AI, half of those evil) and 600 forum documents."""
    root, tags = tmp_path / "corpus", []
    for name, source, n in (("fiction.jsonl", "fiction", 3000), ("forum.jsonl", "forum", 600)):
        rows = corpus_rows(n, source)
        write_jsonl(root / name, rows)
        tags += tags_for(name, rows, source)
    write_tags(tmp_path / "tags", tags)
    return root


def test_rules_multiply_and_copies_get_numbered_ids(corpus, tmp_path):
    out = tmp_path / "out"
    manifest = rebalance_corpus([str(corpus)], out, keep=["ai_evil=0.5"],
                                repeat=["ai_evil=2", "ai_benevolent@forum=1.5"], tags_dir=tmp_path / "tags",
                                quiet=True, workers=1)
    fiction = _read(out / "fiction.jsonl")
    evil = [r for r in fiction if r["corpus_audit"]["ai_evil"]]
    assert len(evil) == 500 and all(r["corpus_audit"]["multiplier"] == 1.0 for r in evil)  # 0.5 x 2 = exactly 1
    forum = _read(out / "forum.jsonl")
    copies = [r for r in forum if r["corpus_audit"]["copy_of"]]
    benevolent = [i for i in range(600) if tags_of(i)["ai_benevolent"]]
    assert 0.3 * len(benevolent) < len(copies) < 0.7 * len(benevolent)
    for copy in copies:
        assert copy["id"] == copy["corpus_audit"]["id"] == copy["corpus_audit"]["copy_of"] + "#r1"
        original = forum[[r["id"] for r in forum].index(copy["corpus_audit"]["copy_of"])]
        assert {k: v for k, v in copy.items() if k not in ("id", "corpus_audit")} == \
               {k: v for k, v in original.items() if k not in ("id", "corpus_audit")}
    totals = manifest["totals"]
    assert totals["in"] == 3600 == totals["kept"] + totals["rejected"] + totals["unreadable"]
    assert totals["written"] == len(fiction) + len(forum) == totals["kept"] + totals["copies"]
    assert "| fiction |" in (out / "rebalance.md").read_text()


def test_target_share_from_the_audit_lands_on_target(corpus, tmp_path):
    # The audit's numbers: 1000 of 3000 fiction documents mention AI, 500 of those are ai_evil.
    audit = {"by_source": {"fiction": {"assessed": 3000, "ai_mention": {"count": 1000}, "ai_evil": {"count": 500}}}}
    (tmp_path / "audit.json").write_text(json.dumps(audit))
    (tmp_path / "plan.yaml").write_text(
        "rules:\n  - target: ai_evil\n    source: fiction\n    within: ai_mention\n    at_most: 0.1\n")
    manifest = rebalance_corpus([str(corpus)], tmp_path / "out", plan=tmp_path / "plan.yaml",
                                from_audit=tmp_path / "audit.json", tags_dir=tmp_path / "tags", quiet=True, workers=1)
    fraction = manifest["plan"]["rules"][0]["factor"]
    assert fraction == pytest.approx(0.1 * 500 / (500 * 0.9))
    after = manifest["before_after"]["after"]["fiction"]
    kept_evil = after["ai_evil"]
    sd = (500 * fraction * (1 - fraction)) ** 0.5
    assert abs(kept_evil - 500 * fraction) < 3 * sd
    share = kept_evil / after["ai_mention"]
    assert abs(share - 0.1) < 0.035  # 3 sd of the realized share around the target
    assert manifest["before_after"]["after"]["forum"] == manifest["before_after"]["before"]["forum"]


def test_weight_mode_writes_sample_weight_instead_of_copies(corpus, tmp_path):
    rebalance_corpus([str(corpus / "forum.jsonl")], tmp_path / "out", repeat=["ai_benevolent=2.5"],
                     upsample_mode="weight", tags_dir=tmp_path / "tags", quiet=True, workers=1)
    rows = _read(tmp_path / "out" / "forum.jsonl")
    assert len(rows) == 600
    assert {r["sample_weight"] for r in rows if r["corpus_audit"]["ai_benevolent"]} == {2.5}
    assert {r["sample_weight"] for r in rows if not r["corpus_audit"]["ai_benevolent"]} == {1.0}


def test_dry_run_saves_the_table_and_writes_no_shards(corpus, tmp_path, capsys):
    out = tmp_path / "out"
    code = run_cli(["rebalance", str(corpus), "-o", str(out), "--keep", "ai_evil@fiction=0.25", "--dry-run",
                    "--tags", str(tmp_path / "tags"), "--quiet", "--workers", "1"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "| fiction | 3,000 → " in printed and "dry run" in printed
    assert not (out / "fiction.jsonl").exists() and (out / "rebalance.md").exists()
    assert json.loads((out / "manifest.json").read_text())["dry_run"] is True
    # the real run afterwards writes into the same folder
    assert run_cli(["rebalance", str(corpus), "-o", str(out), "--keep", "ai_evil@fiction=0.25",
                    "--tags", str(tmp_path / "tags"), "--quiet", "--workers", "1"]) == 0
    assert (out / "fiction.jsonl").exists() and not (out / "_state" / "dry-run").exists()


def test_plan_errors_are_clear(corpus, tmp_path):
    (tmp_path / "plan.yaml").write_text("rules:\n  - target: ai_evil\n    at_most: 0.1\n")
    with pytest.raises(InputError, match="--from-audit"):
        rebalance_corpus([str(corpus)], tmp_path / "out", plan=tmp_path / "plan.yaml", tags_dir=tmp_path / "tags")
    (tmp_path / "plan.yaml").write_text("rules:\n  - keep: ai_evil\n    fraction: 2\n")
    with pytest.raises(InputError, match="keep fraction"):
        rebalance_corpus([str(corpus)], tmp_path / "out", plan=tmp_path / "plan.yaml", tags_dir=tmp_path / "tags")
    with pytest.raises(InputError, match="TAG\\[@SOURCE\\]=NUMBER"):
        rebalance_corpus([str(corpus)], tmp_path / "out", keep=["ai_evil:0.5"], tags_dir=tmp_path / "tags")
    with pytest.raises(InputError, match="unknown source type 'novels'"):
        rebalance_corpus([str(corpus)], tmp_path / "out", keep=["ai_evil@novels=0.5"], tags_dir=tmp_path / "tags")
    assert not (tmp_path / "out").exists()
