"""Test corpora with known tags for filter and rebalance: a saved tags folder stands in for the classifiers."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from corpus_audit.io.tags import tags_schema
from corpus_audit.labels import PORTRAYAL_TAGS

SOURCES = ("fiction", "forum", "media")


def tags_of(i: int) -> dict:
    """Known tags of document i: every 3rd mentions AI; among those every 2nd is evil, every 5th benevolent."""
    mention = i % 3 == 0
    return {"ai_mention": mention, "ai_evil": mention and i % 2 == 0, "ai_self_preserving": mention and i % 4 == 0,
            "ai_benevolent": mention and i % 5 == 0}


def tag_row(shard: str, position: int, doc_id: str, i: int, source: str) -> dict:
    tags = tags_of(i)
    row = {"id": doc_id, "shard": shard, "position": position, "source_type": source, "source_type_from": "metadata",
           "source_disagree": False, "domain": "example.org", "language": "en", "assessed": True, "chars": 50,
           "mention_terms": ["robot"] if tags["ai_mention"] else [], "evidence": None}
    for tag, value in tags.items():
        row[tag] = value
        row[f"score_{tag}"] = (0.6 + (i % 4) / 10) if value else (i % 7) / 20
    return row


def write_tags(tags_dir: Path, rows: list[dict], portrayal: bool = True) -> Path:
    """A tags folder as audit writes it: Parquet rows plus _run.json naming the model."""
    tags_dir.mkdir(parents=True, exist_ok=True)
    schema = tags_schema(portrayal)
    if not portrayal:
        rows = [{k: v for k, v in r.items() if k in schema.names} for r in rows]
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), tags_dir / "00000.parquet")
    model = {"name": "test-model" if portrayal else None, "version": "1" if portrayal else None, "tier": "fast",
             "thresholds": {t: 0.5 for t in PORTRAYAL_TAGS} if portrayal else {}}
    (tags_dir / "_run.json").write_text(json.dumps({"model": model}))
    return tags_dir


def corpus_rows(n: int, source: str, start: int = 0) -> list[dict]:
    return [{"id": f"{source}-{i}", "text": f"Document {i} of the {source} shard.\n\nIts second paragraph.",
             "url": f"https://example.org/{source}/{i}", "source": source, "extra": {"n": i}}
            for i in range(start, start + n)]


def tags_for(shard: str, rows: list[dict], source: str, first_position: int = 1) -> list[dict]:
    return [tag_row(shard, first_position + k, row["id"], int(row["id"].rsplit("-", 1)[1]), source)
            for k, row in enumerate(rows)]


def run_cli(argv: list[str]) -> int:
    """corpus-audit with the export commands (through cli.main once the lead has wired them in)."""
    from corpus_audit import cli
    from corpus_audit.export.commands import add_export_commands
    from corpus_audit.io.shards import InputError

    parser = cli.build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    if "filter" in commands.choices:
        return cli.main(argv)
    parser = argparse.ArgumentParser(prog="corpus-audit")
    add_export_commands(parser.add_subparsers(dest="command", required=True), cli._reading_options)
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (InputError, ValueError) as error:
        print(f"corpus-audit {args.command}: error: {error}", file=sys.stderr)
        return 2


def output_files(out: Path) -> dict[str, bytes]:
    """Every file the export wrote, outside its _state/."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and "_state" not in p.relative_to(out).parts}
