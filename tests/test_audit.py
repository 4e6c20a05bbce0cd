"""The audit end to end: every format, counts independent of worker count, exit codes, resume, rebuild."""
import functools
import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from shards import rows, write_jsonl, write_parquet

from corpus_audit.cli import main
from corpus_audit.io.shards import InputError
from corpus_audit.io.tags import iter_tag_rows
from corpus_audit.pipeline import audit, report_from_tags_dir

GATE_ONLY = {"classify": False, "quiet": True}


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    write_jsonl(root / "fiction" / "a.jsonl", rows(40, source="fiction"))
    write_jsonl(root / "forum" / "b.jsonl.gz", rows(30, ai_every=3, source="forum"), "gzip")
    write_jsonl(root / "forum" / "c.jsonl.zst", rows(20, source="forum"), "zstd")
    write_parquet(root / "media" / "d.parquet", rows(25, ai_every=4, source="media"))
    (root / "manifest.json").write_text("{}")
    return root


def _tag_rows(out: Path) -> list[dict]:
    return sorted(iter_tag_rows(out / "tags"), key=lambda r: r["id"] + r["shard"])


def test_audit_counts_every_document_and_does_not_depend_on_workers(corpus, tmp_path):
    one = audit([str(corpus)], tmp_path / "one", workers=1, **GATE_ONLY)
    two = audit([str(corpus)], tmp_path / "two", workers=2, **GATE_ONLY)
    assert one["by_source"] == two["by_source"]
    assert _tag_rows(tmp_path / "one") == _tag_rows(tmp_path / "two")
    assert one["corpus"]["documents"] == 115 and one["corpus"]["shards"] == 4
    assert one["corpus"]["skipped_files"][0].endswith("manifest.json")
    ai = one["by_source"]["all"]["ai_mention"]
    assert ai["count"] == 8 + 10 + 4 + 7  # every 5th, 3rd, 5th and 4th document mentions AI
    assert one["by_source"]["forum"]["documents"] == 50
    assert set(one["by_source"]) == {"fiction", "forum", "media", "all"}
    assert "ai_evil" not in one["by_source"]["all"]  # no portrayal model asked for: absent, not faked


def test_tags_have_the_interface_columns(corpus, tmp_path):
    audit([str(corpus)], tmp_path / "out", **GATE_ONLY)
    files = sorted((tmp_path / "out" / "tags").glob("*.parquet"))
    columns = set(pq.read_schema(files[0]).names)
    assert {"id", "shard", "source_type", "source_type_from", "domain", "language", "assessed", "chars",
            "ai_mention", "score_ai_mention"} <= columns
    rows_ = _tag_rows(tmp_path / "out")
    assert len(rows_) == 115
    assert {r["shard"] for r in rows_} == {"fiction/a.jsonl", "forum/b.jsonl.gz", "forum/c.jsonl.zst", "media/d.parquet"}


def test_report_rebuilt_from_tags_equals_the_audit(corpus, tmp_path):
    report = audit([str(corpus)], tmp_path / "out", **GATE_ONLY)
    rebuilt = report_from_tags_dir(tmp_path / "out" / "tags", tmp_path / "rebuilt")
    assert rebuilt == report
    for name in ("audit.json", "audit.md", "audit.html"):
        assert (tmp_path / "rebuilt" / name).stat().st_size > 0


def test_source_text_modes(tmp_path):
    """all: the text model reads every document; undecided: not those a data-set name decides; off: none."""
    story = {"id": "s", "text": "Once upon a time the old robot walked home through the snow, alone. " * 8}
    write_jsonl(tmp_path / "c" / "a.jsonl", [{**story, "id": "named", "source": "arxiv"}, story])
    decided = {}
    for mode in ("all", "undecided", "off"):
        assert audit([str(tmp_path / "c")], tmp_path / mode, source_text=mode, **GATE_ONLY)["source_text"] == mode
        decided[mode] = [(r["id"], r["source_type"], r["source_type_from"], r["source_disagree"])
                         for r in _tag_rows(tmp_path / mode)]
    assert decided["all"] == [("named", "academic", "metadata", True), ("s", "fiction", "text", False)]
    assert decided["undecided"] == [("named", "academic", "metadata", False), ("s", "fiction", "text", False)]
    assert decided["off"] == [("named", "academic", "metadata", False), ("s", "unknown", "none", False)]
    with pytest.raises(InputError, match="--source-text must be one of all, sample, undecided, off"):
        audit([str(tmp_path / "c")], tmp_path / "bad", source_text="some", **GATE_ONLY)


def test_sample_is_repeatable_and_near_the_fraction(tmp_path):
    write_jsonl(tmp_path / "c" / "big.jsonl", rows(2000))
    first = audit([str(tmp_path / "c")], tmp_path / "s1", sample=0.25, **GATE_ONLY)
    again = audit([str(tmp_path / "c")], tmp_path / "s2", sample=0.25, workers=2, **GATE_ONLY)
    assert first["by_source"] == again["by_source"]
    n = first["corpus"]["documents"]
    assert 440 < n < 560 and n + first["corpus"]["sampled_out"] == 2000


def test_limit_reads_the_first_documents(corpus, tmp_path):
    report = audit([str(corpus)], tmp_path / "out", limit=45, **GATE_ONLY)
    assert report["corpus"]["documents"] == 45
    ids = {r["id"] for r in _tag_rows(tmp_path / "out")}
    assert {f"doc-{i}" for i in range(40)} <= ids  # all of the first shard, then the next


def test_a_killed_run_resumes_and_other_settings_start_afresh(corpus, tmp_path):
    out = tmp_path / "out"
    full = audit([str(corpus)], out, workers=2, **GATE_ONLY)
    # Simulate a run killed before task 2 finished: its completion mark and outputs are gone.
    (out / "_state" / "datatrove" / "completions" / "00002").unlink()
    for name in ("00002.parquet", "_counts-00002.json", "_read-00002.json"):
        (out / "tags" / name).unlink()
    (out / "tags" / ".00002.parquet.abc123.tmp").write_bytes(b"half a file")  # what the kill left behind
    untouched = (out / "tags" / "00000.parquet").stat().st_mtime_ns
    resumed = audit([str(corpus)], out, workers=2, **GATE_ONLY)
    assert resumed == full
    assert not list((out / "tags").glob(".*.tmp"))
    assert (out / "tags" / "00000.parquet").stat().st_mtime_ns == untouched  # finished tasks were not redone
    sampled = audit([str(corpus)], out, sample=0.5, **GATE_ONLY)
    assert sampled["corpus"]["documents"] < 115 and sampled["corpus"]["sampled_out"] > 0


def test_remote_shard_over_http(corpus, tmp_path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(corpus))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/forum/b.jsonl.gz"
        report = audit([url], tmp_path / "out", **GATE_ONLY)
    finally:
        server.shutdown()
    assert report["corpus"]["documents"] == 30
    assert report["by_source"]["forum"]["ai_mention"]["count"] == 10


def test_exit_codes(corpus, tmp_path, capsys):
    assert main(["audit", str(corpus), "-o", str(tmp_path / "ok"), "--gate-only", "--quiet"]) == 0
    write_jsonl(corpus / "broken.jsonl", [rows(1)[0], "{nope", {"id": "no-text"}])
    assert main(["audit", str(corpus), "-o", str(tmp_path / "bad"), "--gate-only", "--quiet"]) == 1
    report = json.loads((tmp_path / "bad" / "audit.json").read_text())
    assert report["corpus"]["unreadable"]["documents"] == 2
    assert report["corpus"]["unreadable"]["details"][0].startswith("broken.jsonl:2: invalid JSON")
    assert report["corpus"]["documents"] == 116
    capsys.readouterr()
    assert main(["audit", str(tmp_path / "missing"), "-o", str(tmp_path / "x"), "--quiet"]) == 2
    assert "missing: no such file or folder" in capsys.readouterr().err
    (tmp_path / "notes.xyz").write_text("hello")
    assert main(["audit", str(tmp_path / "notes.xyz"), "-o", str(tmp_path / "x"), "--quiet"]) == 2
    assert "notes.xyz: unknown format" in capsys.readouterr().err
    assert main(["audit", str(corpus / "fiction" / "a.jsonl"), "--text-key", "body", "-o", str(tmp_path / "x"),
                 "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "text key 'body'" in err and "keys seen: id, text, url, source" in err


def test_console_script_prints_one_line_and_no_traceback(tmp_path):
    result = subprocess.run([sys.executable, "-m", "corpus_audit.cli", "audit", str(tmp_path / "nope"), "--quiet"],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr


def test_a_changed_shard_is_audited_again_not_resumed(corpus, tmp_path):
    out = tmp_path / "out"
    audit([str(corpus)], out, **GATE_ONLY)
    write_jsonl(corpus / "fiction" / "a.jsonl", rows(45, source="fiction"))  # 5 documents appended
    assert audit([str(corpus)], out, **GATE_ONLY)["corpus"]["documents"] == 120


def test_output_inside_the_input_folder_is_never_read_back(corpus):
    out = corpus / "reports"
    first = audit([str(corpus)], out, **GATE_ONLY)
    again = audit([str(corpus)], corpus / "reports-2", **GATE_ONLY)
    assert again["corpus"]["documents"] == first["corpus"]["documents"] == 115
    assert again["corpus"]["unreadable"]["documents"] == 0


def test_reports_are_readable_by_others_like_any_new_file(corpus, tmp_path):
    import os

    audit([str(corpus)], tmp_path / "out", **GATE_ONLY)
    umask = os.umask(0)
    os.umask(umask)
    for name in ("audit.json", "audit.md", "audit.html", "tags/00000.parquet"):
        assert (tmp_path / "out" / name).stat().st_mode & 0o777 == 0o666 & ~umask


def test_report_merges_several_tags_folders(corpus, tmp_path):
    fiction = audit([str(corpus / "fiction")], tmp_path / "f", **GATE_ONLY)
    forum = audit([str(corpus / "forum")], tmp_path / "g", **GATE_ONLY)
    merged = report_from_tags_dir([tmp_path / "f" / "tags", tmp_path / "g" / "tags"], tmp_path / "both")
    assert merged["corpus"]["documents"] == fiction["corpus"]["documents"] + forum["corpus"]["documents"]
    assert merged["by_source"]["forum"] == forum["by_source"]["forum"]
    assert merged["by_source"]["all"]["ai_mention"]["count"] == 8 + 10 + 4


def test_bad_options_exit_2_with_one_line(corpus, tmp_path, capsys):
    assert main(["audit", str(corpus), "--workers", "0", "-o", str(tmp_path / "x"), "--quiet"]) == 2
    assert "--workers must be at least 1" in capsys.readouterr().err
    (tmp_path / "file").write_text("")
    assert main(["audit", str(corpus), "-o", str(tmp_path / "file"), "--gate-only", "--quiet"]) == 2
    assert "exists and is not a folder" in capsys.readouterr().err
    assert main(["audit", str(corpus), "--executor", "slurm", "-o", str(tmp_path / "y"), "--gate-only",
                 "--quiet"]) == 2
    assert "--executor slurm" in capsys.readouterr().err


def test_python_api_takes_the_cli_key_names(tmp_path):
    write_jsonl(tmp_path / "c" / "a.jsonl", [{"content": "A robot wrote this.", "link": "https://x.org/1"}])
    report = audit([str(tmp_path / "c")], tmp_path / "out", text_key="content", url_key="link", **GATE_ONLY)
    assert report["by_source"]["all"]["ai_mention"]["count"] == 1
    assert report["by_source"]["all"]["top_domains"] == [["x.org", 1]]


def test_repeated_ids_are_counted(tmp_path):
    records = rows(6)
    for record in records[3:]:
        record["id"] = "same"
    write_jsonl(tmp_path / "c" / "a.jsonl", records)
    report = audit([str(tmp_path / "c")], tmp_path / "out", **GATE_ONLY)
    assert report["corpus"]["repeated_ids_within_shards"] == 2
    assert "ids repeated within a shard | 2" in (tmp_path / "out" / "audit.md").read_text()


def test_quiet_audit_from_python_writes_nothing_on_the_terminal(corpus, tmp_path):
    """The library's quiet mode holds without the CLI's LOGURU_LEVEL: datatrove's stats block stays in the logs."""
    import os

    script = ("from corpus_audit.pipeline import audit\n"
              f"audit([{str(corpus)!r}], {str(tmp_path / 'out')!r}, workers=1, classify=False, quiet=True)\n")
    env = {k: v for k, v in os.environ.items() if k != "LOGURU_LEVEL"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and "Stats" not in result.stderr, result.stderr
    assert (tmp_path / "out" / "audit.json").is_file()


def test_report_names_the_source_type_model(corpus, tmp_path):
    from corpus_audit.classify.source_type import SourceTypeResolver

    report = audit([str(corpus)], tmp_path / "out", workers=1, **GATE_ONLY)
    version = SourceTypeResolver().model_version
    assert version and report["source_type_model"] == version
    assert f"source type: {version}" in (tmp_path / "out" / "audit.md").read_text()
    assert report_from_tags_dir([tmp_path / "out" / "tags"], tmp_path / "again")["source_type_model"] == version
