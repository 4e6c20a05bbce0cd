"""filter with the shipped portrayal classifier: refusal without it, and saved tags equal to classifying anew."""
import pytest
from export_fixtures import output_files
from shards import rows, write_jsonl, write_parquet

from corpus_audit.cascade import load_portrayal_classifier
from corpus_audit.export import filter_corpus
from corpus_audit.io.readers import read_rows
from corpus_audit.io.shards import InputError, discover_shards


def test_a_portrayal_tag_without_the_classifier_is_refused(tmp_path, monkeypatch):
    import corpus_audit.export.run as run

    write_jsonl(tmp_path / "c" / "a.jsonl", rows(5))
    monkeypatch.setattr(run, "load_portrayal_classifier", lambda tier: None)
    with pytest.raises(InputError, match="ai_evil: cannot be decided: this install has no fast portrayal classifier"):
        filter_corpus([str(tmp_path / "c")], tmp_path / "out", drop="ai_evil", quiet=True)
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(load_portrayal_classifier("fast") is None, reason="no fast portrayal classifier in this install")
def test_real_classifier_saved_tags_match_classifying_on_the_fly(tmp_path):
    from corpus_audit.pipeline import audit

    write_jsonl(tmp_path / "c" / "fiction.jsonl.gz", rows(30, ai_every=2, source="fiction"), "gzip")
    forum = [{**row, "id": f"forum-{row['id']}"} for row in rows(20, ai_every=2, source="forum")]
    write_parquet(tmp_path / "c" / "forum.parquet", forum)
    audit([str(tmp_path / "c")], tmp_path / "report", quiet=True, workers=1)
    common = dict(drop="ai_evil,ai_self_preserving", quiet=True, workers=1)
    fresh = filter_corpus([str(tmp_path / "c")], tmp_path / "fresh", **common)
    saved = filter_corpus([str(tmp_path / "c")], tmp_path / "saved", tags_dir=tmp_path / "report" / "tags", **common)
    assert fresh["model"]["name"] and fresh["model"] == saved["model"]
    assert saved["totals"]["tags_reused"] == 50 and saved["totals"]["classified"] == 0
    one, two = output_files(tmp_path / "fresh"), output_files(tmp_path / "saved")
    assert {k: v for k, v in one.items() if k != "manifest.json"} == {k: v for k, v in two.items()
                                                                      if k != "manifest.json"}
    kept = [r for _, r in read_rows(discover_shards([str(tmp_path / "fresh" / "fiction.jsonl.gz")]).shards[0])]
    assert all(not (r["corpus_audit"]["ai_evil"] or r["corpus_audit"]["ai_self_preserving"]) for r in kept)
    assert {"ai_benevolent", "score_ai_evil", "evidence"} <= set(kept[0]["corpus_audit"])
    assert fresh["totals"]["in"] == 50 and fresh["reconciled"]


@pytest.mark.skipif(load_portrayal_classifier("fast") is None, reason="no fast portrayal classifier in this install")
def test_saved_tags_of_another_model_version_are_flagged(tmp_path, capsys):
    import json

    from corpus_audit.pipeline import audit

    write_jsonl(tmp_path / "c" / "a.jsonl", rows(12, ai_every=2))
    audit([str(tmp_path / "c")], tmp_path / "report", quiet=True, workers=1)
    run_file = tmp_path / "report" / "tags" / "_run.json"
    run = json.loads(run_file.read_text())
    installed_version = run["model"]["version"]
    run["model"]["version"] = "0.9.0"
    run_file.write_text(json.dumps(run))
    manifest = filter_corpus([str(tmp_path / "c")], tmp_path / "out", drop="ai_evil", workers=1,
                             tags_dir=tmp_path / "report" / "tags")
    assert "made by corpus-audit-portrayal-fast 0.9.0" in capsys.readouterr().err
    assert manifest["model"]["version"] == "0.9.0"
    assert manifest["missing_tags_model"]["version"] == installed_version
    same = filter_corpus([str(tmp_path / "c")], tmp_path / "out2", drop="ai_evil", workers=1, quiet=True,
                         tags_dir=tmp_path / "report" / "tags")
    assert "missing_tags_model" in same
    audit([str(tmp_path / "c")], tmp_path / "report2", quiet=True, workers=1)
    fresh = filter_corpus([str(tmp_path / "c")], tmp_path / "out3", drop="ai_evil", workers=1, quiet=True,
                          tags_dir=tmp_path / "report2" / "tags")
    assert "missing_tags_model" not in fresh
