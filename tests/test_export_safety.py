"""filter and rebalance: exact accounting, determinism across workers, resume, and the refusals that protect data."""
import json

import pytest
from export_fixtures import corpus_rows, output_files, run_cli, tags_for, write_tags
from shards import write_jsonl, write_parquet

from corpus_audit.export import filter_corpus, rebalance_corpus
from corpus_audit.io.shards import InputError

TAGGED = {"quiet": True}


@pytest.fixture
def corpus(tmp_path):
    root, tags = tmp_path / "corpus", []
    for k, source in enumerate(("fiction", "forum", "media")):
        for part in range(2):
            name = f"{source}/part-{part}.jsonl" + (".gz" if k == 1 else "")
            rows = corpus_rows(40, source, start=part * 40)
            write_jsonl(root / name, rows, "gzip" if k == 1 else None)
            tags += tags_for(name, rows, source)
    rows = corpus_rows(30, "media", start=100)
    write_parquet(root / "media" / "table.parquet", rows)
    tags += tags_for("media/table.parquet", rows, "media", first_position=0)
    write_tags(tmp_path / "tags", tags)
    return root


def test_counts_reconcile_exactly_with_unreadable_lines(corpus, tmp_path, capsys):
    write_jsonl(corpus / "fiction" / "broken.jsonl", [corpus_rows(1, "fiction", 500)[0], "{nope", {"id": "no-text"}])
    code = run_cli(["filter", str(corpus), "-o", str(tmp_path / "out"), "--drop", "ai_evil,ai_self_preserving",
                    "--source", "fiction,forum", "--tags", str(tmp_path / "tags"), "--quiet"])
    assert code == 1  # done, but two lines could not be read
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    totals = manifest["totals"]
    assert totals["in"] == 273 and totals["unreadable"] == 2
    assert totals["in"] == totals["kept"] + totals["rejected"] + totals["unreadable"] and manifest["reconciled"]
    assert totals["classified"] == 1 and totals["tags_reused"] == 270  # the new document had no saved tags
    broken = next(e for e in manifest["shards"] if e["shard"] == "fiction/broken.jsonl")
    assert broken["unreadable_details"][0].startswith("fiction/broken.jsonl:2: invalid JSON")
    media = [e for e in manifest["shards"] if e["shard"].startswith("media/")]
    assert all(e["rejected"] == 0 for e in media)  # --source fiction,forum leaves media alone
    for entry in manifest["shards"]:
        for name, digest in entry["files"].items():
            assert len(digest) == 64 and (tmp_path / "out" / name).is_file()
    written = {p for p in output_files(tmp_path / "out")}
    assert written == {f for e in manifest["shards"] for f in e["files"]} | {"manifest.json"}
    assert "Tags reused for 270 documents" in capsys.readouterr().out


def test_output_is_byte_identical_for_one_and_two_workers(corpus, tmp_path):
    for workers in (1, 2):
        rebalance_corpus([str(corpus)], tmp_path / f"w{workers}", keep=["ai_evil=0.3"], repeat=["ai_benevolent=1.7"],
                         tags_dir=tmp_path / "tags", seed=3, workers=workers, **TAGGED)
    one, two = output_files(tmp_path / "w1"), output_files(tmp_path / "w2")
    assert one == two and len(one) == 9  # 7 shards, manifest, rebalance.md
    again = rebalance_corpus([str(corpus)], tmp_path / "w1", keep=["ai_evil=0.3"], repeat=["ai_benevolent=1.7"],
                             tags_dir=tmp_path / "tags", seed=3, workers=1, **TAGGED)
    assert output_files(tmp_path / "w1") == one and again["totals"]["written"] > 0
    other_seed = rebalance_corpus([str(corpus)], tmp_path / "s4", keep=["ai_evil=0.3"], tags_dir=tmp_path / "tags",
                                  seed=4, workers=1, **TAGGED)
    assert output_files(tmp_path / "s4")["fiction/part-0.jsonl"] != one["fiction/part-0.jsonl"]
    assert other_seed["reconciled"]


def test_a_killed_run_resumes_and_other_settings_refuse(corpus, tmp_path):
    out = tmp_path / "out"
    run = dict(drop="ai_evil", tags_dir=tmp_path / "tags", workers=2, **TAGGED)
    full = filter_corpus([str(corpus)], out, **run)
    files = output_files(out)
    # Simulate a run killed while task 2 exported its shard: no entry, no completion mark, no final files.
    entry = json.loads((out / "_state" / "shards" / "000002.json").read_text())
    (out / "_state" / "shards" / "000002.json").unlink()
    (out / "_state" / "datatrove" / "completions" / "00002").unlink()
    for name in entry["files"]:
        (out / name).unlink()
    (out / "manifest.json").unlink()
    untouched = (out / "fiction" / "part-0.jsonl").stat().st_mtime_ns
    resumed = filter_corpus([str(corpus)], out, **run)
    assert resumed == full and output_files(out) == files
    assert (out / "fiction" / "part-0.jsonl").stat().st_mtime_ns == untouched  # finished shards were not redone
    with pytest.raises(InputError, match="other settings \\(seed differ"):
        filter_corpus([str(corpus)], out, seed=9, **run)
    with pytest.raises(InputError, match="plan differ"):
        filter_corpus([str(corpus)], out, **{**run, "drop": "ai_benevolent"})
    replaced = filter_corpus([str(corpus)], out, overwrite=True, **{**run, "drop": "ai_benevolent"})
    assert replaced["plan"]["drop"] == ["ai_benevolent"] and replaced["reconciled"]


def test_refusals_come_before_any_work(corpus, tmp_path, capsys):
    tags = ["--tags", str(tmp_path / "tags"), "--quiet"]
    cases = [
        (["filter", str(corpus), "-o", str(corpus / "clean"), "--drop", "ai_evil", *tags], "input folder"),
        (["filter", str(corpus / "fiction"), "-o", str(corpus), "--drop", "ai_evil", *tags], "input folder"),
        (["filter", str(corpus), "-o", str(tmp_path / "o"), "--drop", "ai_wicked", *tags], "unknown tag 'ai_wicked'"),
        (["filter", str(corpus), "-o", str(tmp_path / "o"), "--drop", "ai_evil", "--threshold", "ai_evil=2", *tags],
         "probability"),
        (["filter", str(corpus), "-o", str(tmp_path / "o"), "--drop", "ai_evil", "--gate-only", "--quiet"],
         "ai_evil: cannot be decided: --gate-only"),
        (["rebalance", str(corpus), "-o", str(tmp_path / "o"), *tags], "needs rules"),
        (["filter", str(corpus), "-o", str(tmp_path / "o"), "--drop", "ai_evil", "--tags", str(corpus)],
         "not a tags folder"),
    ]
    for argv, message in cases:
        assert run_cli(argv) == 2, argv
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, (argv, err)
    assert not (tmp_path / "o").exists() and not (corpus / "clean").exists()
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "notes.txt").write_text("mine")
    assert run_cli(["filter", str(corpus), "-o", str(tmp_path / "foreign"), "--drop", "ai_evil", *tags]) == 2
    assert "not written by filter or rebalance" in capsys.readouterr().err
    write_tags(tmp_path / "gate-tags", tags_for("fiction/part-0.jsonl", corpus_rows(40, "fiction"), "fiction"),
               portrayal=False)
    with pytest.raises(InputError, match="ai_evil: cannot be decided: the saved tags"):
        filter_corpus([str(corpus)], tmp_path / "o", drop="ai_evil", tags_dir=tmp_path / "gate-tags")


def test_paragraph_unit_removes_only_flagged_paragraphs(tmp_path):
    from shards import AI_TEXT, PLAIN_TEXT

    novel = "\n\n".join([PLAIN_TEXT * 5, AI_TEXT * 3, PLAIN_TEXT * 5, PLAIN_TEXT * 4])
    rows = [{"id": "novel", "text": novel}, {"id": "plain", "text": PLAIN_TEXT}, {"id": "short-ai", "text": AI_TEXT}]
    write_jsonl(tmp_path / "c" / "books.jsonl", rows)
    manifest = filter_corpus([str(tmp_path / "c")], tmp_path / "out", drop="ai_mention", unit="paragraph",
                             classify=False, quiet=True, workers=1)
    from corpus_audit.io.readers import read_rows
    from corpus_audit.io.shards import discover_shards

    kept = [r for _, r in read_rows(discover_shards([str(tmp_path / "out" / "books.jsonl")]).shards[0])]
    rejected = [r for _, r in read_rows(discover_shards([str(tmp_path / "out/rejected/books.jsonl")]).shards[0])]
    assert [r["id"] for r in kept] == ["novel", "plain"]
    assert kept[0]["text"] == "\n\n".join([PLAIN_TEXT * 5, PLAIN_TEXT * 5, PLAIN_TEXT * 4])
    assert kept[0]["corpus_audit"]["paragraphs_removed"] == 1
    assert [(r["id"], r["corpus_audit"]["part"]) for r in rejected] == [("novel", "removed_paragraphs"),
                                                                        ("short-ai", None)]
    assert rejected[0]["text"] == AI_TEXT * 3 + "\n\n"
    totals = manifest["totals"]
    assert (totals["kept"], totals["rejected"], totals["documents_trimmed"]) == (2, 1, 1)
    assert totals["paragraphs_removed"] == 1 and totals["chars_removed"] == len(AI_TEXT * 3) + 2


def test_saved_tags_give_the_same_output_as_classifying_on_the_fly(tmp_path):
    from shards import rows

    from corpus_audit.pipeline import audit

    write_jsonl(tmp_path / "c" / "fiction" / "a.jsonl", rows(60, source="fiction"))
    write_parquet(tmp_path / "c" / "forum" / "b.parquet", rows(40, ai_every=3, source="forum"))
    audit([str(tmp_path / "c")], tmp_path / "report", classify=False, quiet=True, workers=1)
    common = dict(keep=["ai_mention=0.5"], repeat=["no_ai@forum=1.5"], classify=False, quiet=True, workers=1)
    fly = rebalance_corpus([str(tmp_path / "c")], tmp_path / "fly", **common)
    saved = rebalance_corpus([str(tmp_path / "c")], tmp_path / "saved", tags_dir=tmp_path / "report" / "tags", **common)
    assert saved["totals"]["tags_reused"] == 100 and fly["totals"]["classified"] == 100
    fly_files, saved_files = output_files(tmp_path / "fly"), output_files(tmp_path / "saved")
    assert {k: v for k, v in fly_files.items() if k != "manifest.json"} == \
           {k: v for k, v in saved_files.items() if k != "manifest.json"}


def test_an_output_name_that_collides_with_the_export_layout_is_refused(tmp_path):
    write_jsonl(tmp_path / "c" / "rejected" / "a.jsonl", corpus_rows(3, "forum"))
    with pytest.raises(InputError, match="collides with rejected"):
        filter_corpus([str(tmp_path / "c")], tmp_path / "out", drop="ai_mention", classify=False)


def test_sample_leaves_documents_out_and_says_how_many(corpus, tmp_path):
    manifest = filter_corpus([str(corpus)], tmp_path / "out", drop="ai_evil", tags_dir=tmp_path / "tags",
                             sample=0.5, workers=1, **TAGGED)
    totals = manifest["totals"]
    assert totals["in"] + totals["sampled_out"] == 270 and 90 < totals["sampled_out"] < 180
    assert totals["in"] == totals["kept"] + totals["rejected"] + totals["unreadable"]


def test_limit_exports_the_first_documents_only(corpus, tmp_path):
    manifest = filter_corpus([str(corpus)], tmp_path / "out", drop="ai_evil", tags_dir=tmp_path / "tags", limit=50,
                             **TAGGED)
    assert manifest["totals"]["in"] == 50 and [e["in"] for e in manifest["shards"]] == [40, 10]
    assert "--limit 50" in manifest["notes"][0]
