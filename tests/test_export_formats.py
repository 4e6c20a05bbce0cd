"""filter writes every format back in kind: same names, same fields, annotations under corpus_audit, nothing lost."""
import pyarrow.parquet as pq
import pytest
from export_fixtures import corpus_rows, tags_for, write_tags
from shards import write_jsonl, write_parquet

from corpus_audit.export import filter_corpus
from corpus_audit.io.readers import read_rows
from corpus_audit.io.shards import discover_shards

SHARDS = {"fiction/a.jsonl": (None, "fiction", 30), "forum/b.jsonl.gz": ("gzip", "forum", 30),
          "forum/c.jsonl.zst": ("zstd", "forum", 24), "media/d.parquet": ("parquet", "media", 27)}


@pytest.fixture
def corpus(tmp_path):
    root, tags = tmp_path / "corpus", []
    for name, (compression, source, n) in SHARDS.items():
        rows = corpus_rows(n, source)
        if compression == "parquet":
            write_parquet(root / name, rows)
            tags += tags_for(name, rows, source, first_position=0)
        else:
            write_jsonl(root / name, rows, compression)
            tags += tags_for(name, rows, source)
    write_tags(tmp_path / "tags", tags)
    return root


def _read(path):
    shard = discover_shards([str(path)]).shards[0]
    return [row for _, row in read_rows(shard)]


def test_every_format_round_trips_with_annotations(corpus, tmp_path):
    out = tmp_path / "out"
    manifest = filter_corpus([str(corpus)], out, drop="ai_evil", tags_dir=tmp_path / "tags", quiet=True, workers=1)
    assert manifest["reconciled"] and manifest["totals"]["in"] == 111
    for name, (compression, source, n) in SHARDS.items():
        original = {row["id"]: row for row in _read(corpus / name)}
        kept, rejected = _read(out / name), _read(out / "rejected" / name)
        assert len(kept) + len(rejected) == n
        ordered = [r["id"] for r in kept + rejected]
        assert sorted(ordered) == sorted(original) and [r["id"] for r in kept] == [i for i in original if i in
                                                                                   {r["id"] for r in kept}]
        for row in kept + rejected:
            annotation = row.pop("corpus_audit")
            assert row == original[row["id"]]  # every original field, unchanged
            assert annotation["id"] == row["id"] and annotation["source_type"] == source
        assert all(not r["corpus_audit"]["ai_evil"] for r in _read(out / name))
        assert all(r["corpus_audit"]["ai_evil"] and r["corpus_audit"]["reason"] == "ai_evil"
                   for r in _read(out / "rejected" / name))
        entry = next(e for e in manifest["shards"] if e["shard"] == name)
        assert (entry["in"], entry["kept"] + entry["rejected"]) == (n, n)
        assert set(entry["files"]) == {name, f"rejected/{name}"}
    assert (out / "forum/b.jsonl.gz").read_bytes()[:2] == b"\x1f\x8b"
    assert (out / "forum/c.jsonl.zst").read_bytes()[:4] == b"\x28\xb5\x2f\xfd"
    assert (out / "forum/b.jsonl.gz").read_bytes()[3:8] == b"\x00" * 5  # no file name, mtime 0


def test_parquet_keeps_its_schema_and_gains_one_struct_column(corpus, tmp_path):
    filter_corpus([str(corpus)], tmp_path / "a", drop="ai_evil", tags_dir=tmp_path / "tags", quiet=True, workers=1)
    filter_corpus([str(corpus)], tmp_path / "b", drop="ai_evil", tags_dir=tmp_path / "tags", annotate=False,
                  quiet=True, workers=1)
    source = pq.read_schema(corpus / "media/d.parquet")
    annotated = pq.read_schema(tmp_path / "a/media/d.parquet")
    assert annotated.names == source.names + ["corpus_audit"]
    assert annotated.field("corpus_audit").type.num_fields > 5
    assert pq.read_schema(tmp_path / "b/media/d.parquet").names == source.names
    plain = pq.read_table(tmp_path / "b/media/d.parquet").to_pylist()
    assert plain == [r for r in pq.read_table(corpus / "media/d.parquet").to_pylist()
                     if r["id"] in {x["id"] for x in plain}]
    assert "corpus_audit" not in _read(tmp_path / "b/fiction/a.jsonl")[0]


def test_text_shards_are_written_as_jsonl_gz(tmp_path):
    root = tmp_path / "notes"
    root.mkdir()
    (root / "robot.txt").write_text("The robot wanted to rule the world.")
    (root / "bread.txt").write_text("Rye bread on Tuesdays.")
    tags = [{**tags_for("robot.txt", [{"id": "x-0"}], "fiction", 0)[0], "id": "robot.txt"},
            {**tags_for("bread.txt", [{"id": "x-1"}], "fiction", 0)[0], "id": "bread.txt"}]
    write_tags(tmp_path / "tags", tags)
    manifest = filter_corpus([str(root)], tmp_path / "out", drop="ai_evil", tags_dir=tmp_path / "tags", quiet=True,
                             workers=1)
    assert _read(tmp_path / "out" / "rejected" / "robot.jsonl.gz")[0]["text"] == "The robot wanted to rule the world."
    assert _read(tmp_path / "out" / "bread.jsonl.gz")[0]["id"] == "bread.txt"
    assert manifest["shards"][0]["converted_to"] == "jsonl.gz" and "JSONL.gz" in manifest["notes"][0]
