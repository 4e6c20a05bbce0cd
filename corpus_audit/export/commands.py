"""The `filter` and `rebalance` subcommands of corpus-audit.

cli.py calls add_export_commands(subparsers, _reading_options); each subcommand sets `handler`,
which takes the parsed arguments and returns the exit code (0 done, 1 done but some input was
unreadable, 2 the export could not finish).
"""
from __future__ import annotations

import argparse
import sys

PLAN_HELP = """\
plan file (YAML):
  upsample_mode: duplicate          # or weight
  thresholds: {ai_evil: 0.7}        # optional
  rules:
    - {keep: ai_evil, source: fiction, fraction: 0.5}
    - {repeat: ai_benevolent, factor: 1.5}
    - {target: ai_evil, source: fiction, within: ai_mention, at_most: 0.02}   # needs --from-audit

Rules multiply a document's expected number of copies; the realized number is the
whole part plus one with probability the fractional part, drawn from a hash of the id.
Tags: ai_mention, ai_evil, ai_self_preserving, ai_benevolent, ai_other, no_ai, all.
"""


def add_export_commands(subparsers, reading_options) -> None:
    filter_ = subparsers.add_parser(
        "filter", help="write the documents without the tags, in the input's format; the others to DIR/rejected/")
    _common(filter_)
    filter_.add_argument("--drop", required=True, action="append", metavar="TAG[,TAG]",
                         help="drop documents carrying any of these tags")
    filter_.add_argument("--source", action="append", default=[], metavar="TYPE[,TYPE]",
                         help="drop only in these source types (default: all)")
    filter_.add_argument("--unit", default="document", choices=["document", "paragraph"],
                         help="paragraph: remove only the flagged paragraphs of a document, keep the rest")
    reading_options(filter_)
    filter_.set_defaults(handler=_run_filter)

    rebalance = subparsers.add_parser(
        "rebalance", help="keep, drop or repeat documents per tag and source type, deterministically",
        epilog=PLAN_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(rebalance)
    rebalance.add_argument("--keep", action="append", default=[], metavar="TAG[@SOURCE]=FRACTION",
                           help="keep this fraction of the documents with TAG (in SOURCE)")
    rebalance.add_argument("--repeat", action="append", default=[], metavar="TAG[@SOURCE]=FACTOR",
                           help="write FACTOR copies on average (1.5: half of them twice)")
    rebalance.add_argument("--plan", default=None, metavar="FILE", help="YAML plan (see below)")
    rebalance.add_argument("--from-audit", default=None, metavar="AUDIT_JSON",
                           help="audit.json whose counts turn the plan's target shares into fractions")
    rebalance.add_argument("--upsample-mode", default=None, choices=["duplicate", "weight"],
                           help="duplicate (default): write copies <id>#r1...; weight: write a sample_weight field")
    rebalance.add_argument("--dry-run", action="store_true", help="print and save the before/after table only")
    reading_options(rebalance)
    rebalance.set_defaults(handler=_run_rebalance)


def _common(parser) -> None:
    parser.add_argument("paths", nargs="+", help="files, folders, globs or URLs of the corpus")
    parser.add_argument("-o", "--output", required=True, help="output folder (new or empty, or this command's own)")
    parser.add_argument("--threshold", action="append", default=[], metavar="TAG=P",
                        help="a tag counts when its score is at least P (default: the model's decision)")
    parser.add_argument("--tags", default=None, metavar="DIR",
                        help="reuse an audit's saved tags (its OUT/tags) instead of classifying again")
    parser.add_argument("--no-annotate", action="store_true", help="leave the corpus_audit annotations out")
    parser.add_argument("--gate-only", action="store_true",
                        help="classify with the AI-mention gate only (rules on ai_mention and no_ai)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace an earlier export in the output folder made with other settings")


def _options(args):
    from corpus_audit.cli import _executor_options
    from corpus_audit.io.records import FieldKeys
    from corpus_audit.pipeline import AuditOptions

    return AuditOptions(
        fmt=args.format, keys=FieldKeys(args.text_key, args.id_key, args.url_key, args.source_key),
        workers=args.workers, executor=args.executor, executor_options=_executor_options(args.executor_option),
        tier=args.tier, classify=not args.gate_only, limit=args.limit, sample=args.sample, seed=args.seed,
        source_map=args.source_map, source_text=args.source_text, quiet=args.quiet,
    )


def _run_filter(args) -> int:
    from corpus_audit.export.api import filter_corpus

    return _finish(args, "filter", lambda: filter_corpus(
        args.paths, args.output, drop=args.drop, thresholds=args.threshold, sources=args.source, unit=args.unit,
        annotate=not args.no_annotate, tags_dir=args.tags, overwrite=args.overwrite, options=_options(args)))


def _run_rebalance(args) -> int:
    from corpus_audit.export.api import rebalance_corpus

    return _finish(args, "rebalance", lambda: rebalance_corpus(
        args.paths, args.output, keep=args.keep, repeat=args.repeat, plan=args.plan, from_audit=args.from_audit,
        upsample_mode=args.upsample_mode, thresholds=args.threshold, dry_run=args.dry_run,
        annotate=not args.no_annotate, tags_dir=args.tags, overwrite=args.overwrite, options=_options(args)))


def _finish(args, command: str, export) -> int:
    from corpus_audit.export.run import ExportIncomplete, render_table

    try:
        manifest = export()
    except ExportIncomplete as error:
        print(f"corpus-audit {command}: error: {error}", file=sys.stderr)
        return 2
    print(render_table(manifest, command), end="")
    totals = manifest["totals"]
    if manifest["tags_dir"]:
        print(f"Tags reused for {totals['tags_reused']:,} documents, {totals['classified']:,} classified.")
    print(f"Manifest: {args.output}/manifest.json")
    return 1 if totals["unreadable"] or totals["shards_unreadable"] else 0
