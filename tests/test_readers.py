"""Every shard format streams its documents, and every row it cannot read is accounted for by file and line."""
import gzip

import pytest
from shards import html_page, rows, write_jsonl, write_parquet, write_warc

from corpus_audit.io.readers import read_documents
from corpus_audit.io.records import FieldKeys, Unreadable
from corpus_audit.io.shards import InputError, discover_shards


def _read(path, fmt="auto", keys=FieldKeys()):
    (shard,) = discover_shards([str(path)], fmt).shards
    return list(read_documents(shard, keys))


@pytest.mark.parametrize("name,compression", [("a.jsonl", None), ("a.jsonl.gz", "gzip"), ("a.jsonl.zst", "zstd")])
def test_jsonl_in_every_compression(tmp_path, name, compression):
    items = _read(write_jsonl(tmp_path / name, rows(7), compression))
    assert [d.id for d in items] == [f"doc-{i}" for i in range(7)]
    assert items[0].metadata["url"] == "https://example0.org/page/0"
    assert items[0].metadata["corpus_audit"] == {"shard": name, "position": 1}


def test_parquet_rows(tmp_path):
    items = _read(write_parquet(tmp_path / "p.parquet", rows(5)))
    assert [d.text for d in items] == [r["text"] for r in rows(5)]
    assert items[4].metadata["corpus_audit"]["position"] == 4


def test_parquet_row_without_text_is_unreadable(tmp_path):
    records = rows(3)
    records[1]["text"] = None
    items = _read(write_parquet(tmp_path / "p.parquet", records))
    assert isinstance(items[1], Unreadable) and items[1].position == 1
    assert [type(i).__name__ for i in items] == ["Document", "Unreadable", "Document"]


def test_bad_jsonl_lines_are_named_by_line_and_the_rest_is_read(tmp_path):
    good = rows(3)
    path = write_jsonl(tmp_path / "bad.jsonl", [good[0], "{not json", good[1], '["a list"]', {"id": "x"}, good[2]])
    items = _read(path)
    problems = [i for i in items if isinstance(i, Unreadable)]
    assert [p.position for p in problems] == [2, 4, 5]
    assert "invalid JSON" in problems[0].reason and "not an object" in problems[1].reason
    assert "no field 'text'" in problems[2].reason
    assert problems[0].describe().startswith("bad.jsonl:2: ")
    assert [d.id for d in items if not isinstance(d, Unreadable)] == ["doc-0", "doc-1", "doc-2"]


def test_truncated_gzip_keeps_what_was_read_and_marks_the_shard(tmp_path):
    data = gzip.compress(b"".join(b'{"text": "line %d"}\n' % i for i in range(2000)), mtime=0)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    items = _read(path)
    assert isinstance(items[-1], Unreadable) and items[-1].position is None
    assert 0 < len(items) - 1 < 2000


def test_missing_ids_get_stable_ids_from_shard_and_line(tmp_path):
    write_jsonl(tmp_path / "sub" / "x.jsonl", [{"text": "one"}, {"text": "two"}])
    (shard,) = discover_shards([str(tmp_path)]).shards
    assert [d.id for d in read_documents(shard)] == ["sub/x.jsonl:1", "sub/x.jsonl:2"]


def test_nested_keys(tmp_path):
    path = write_jsonl(tmp_path / "n.jsonl", [{"content": {"body": "hello"}, "meta": {"link": "https://a.org/x"}}])
    (doc,) = _read(path, keys=FieldKeys(text="content.body"))
    assert doc.text == "hello" and doc.metadata["meta"]["link"] == "https://a.org/x"


def test_warc_response_records_become_documents(tmp_path):
    pages = [("https://news.example.com/a", html_page("Robots", ["A robot uprising is a tired trope in films. " * 5])),
             ("https://blog.example.com/b", html_page("Bread", ["Sourdough needs a lively starter and time. " * 5]))]
    items = _read(write_warc(tmp_path / "c.warc.gz", pages))
    assert len(items) == 2  # request records are not documents
    assert items[0].metadata["url"] == "https://news.example.com/a"
    assert "robot uprising" in items[0].text and "<p>" not in items[0].text


def test_text_folder_one_document_per_file(tmp_path):
    (tmp_path / "a.txt").write_text("first story")
    (tmp_path / "b" / "c.txt").parent.mkdir()
    (tmp_path / "b" / "c.txt").write_text("second story")
    found = discover_shards([str(tmp_path)])
    docs = [d for s in found.shards for d in read_documents(s)]
    assert sorted((d.id, d.text) for d in docs) == [("a.txt", "first story"), ("b/c.txt", "second story")]


def test_discovery_skips_and_lists_non_shards_in_folders(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", rows(1))
    (tmp_path / "manifest.json").write_text("{}")
    (tmp_path / "README.md").write_text("hi")
    found = discover_shards([str(tmp_path)])
    assert [s.name for s in found.shards] == ["a.jsonl"]
    assert sorted(p.rsplit("/", 1)[1] for p in found.skipped) == ["README.md", "manifest.json"]


def test_discovery_follows_symlinked_folders_once(tmp_path):
    write_jsonl(tmp_path / "elsewhere" / "b.jsonl", rows(2))
    write_jsonl(tmp_path / "corpus" / "a.jsonl", rows(1))
    (tmp_path / "corpus" / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "elsewhere" / "back").symlink_to(tmp_path / "corpus", target_is_directory=True)  # a loop
    (tmp_path / "corpus" / "c.jsonl").symlink_to(tmp_path / "elsewhere" / "b.jsonl")
    found = discover_shards([str(tmp_path / "corpus")])
    assert [s.name for s in found.shards] == ["a.jsonl", "c.jsonl", "linked/b.jsonl"]
    assert found.skipped == []
    assert sum(1 for shard in found.shards for _ in read_documents(shard)) == 1 + 2 + 2


def test_globs_and_errors(tmp_path):
    write_jsonl(tmp_path / "d" / "a.jsonl", rows(1))
    write_jsonl(tmp_path / "d" / "b.jsonl.gz", rows(1), "gzip")
    assert [s.name for s in discover_shards([str(tmp_path / "d" / "*.jsonl*")]).shards] == ["a.jsonl", "b.jsonl.gz"]
    with pytest.raises(InputError, match="no such file"):
        discover_shards([str(tmp_path / "missing")])
    (tmp_path / "notes.md").write_text("x")
    with pytest.raises(InputError, match="notes.md: unknown format"):
        discover_shards([str(tmp_path / "notes.md")])
    assert discover_shards([str(tmp_path / "notes.md")], "text").shards[0].format == "text"


def test_a_pretty_printed_json_file_is_one_clear_problem(tmp_path):
    path = tmp_path / "pretty.json"
    path.write_text('[\n  {"text": "one"},\n  {"text": "two"}\n]\n')
    (problem,) = _read(path)
    assert problem.position is None and "not JSON Lines" in problem.reason
