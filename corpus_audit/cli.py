"""The corpus-audit command: parse arguments, call the library, map outcomes to exit codes.

Exit codes: 0 done; 1 done but some input could not be read; 2 bad arguments or unusable input.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

# datatrove logs through loguru at INFO; the terminal is for the progress bar and the summary.
os.environ.setdefault("LOGURU_LEVEL", "WARNING")

from corpus_audit.cascade import SOURCE_SAMPLE_RATE, SOURCE_TEXT_MODES  # noqa: E402 (after the log level, like every import here)

EXIT_OK, EXIT_UNREADABLE, EXIT_BAD_INPUT = 0, 1, 2


def _reading_options(parser: argparse.ArgumentParser, audit: bool = False) -> None:
    """audit: the audit's options (an export types every document by its text; an audit may sample)."""
    group = parser.add_argument_group("reading")
    group.add_argument("--text-key", default="text", help="field holding the text (dotted for nested: meta.text)")
    group.add_argument("--id-key", default="id", help="field holding the document id (default: id; missing ids "
                       "become <shard>:<line or row>)")
    group.add_argument("--url-key", default="url", help="field holding the url (default: url)")
    group.add_argument("--source-key", default="source",
                       help="metadata field naming the source type or data set (default: source)")
    group.add_argument("--format", default="auto", choices=["auto", "jsonl", "parquet", "warc", "text"])
    group.add_argument("--workers", type=int, default=None, help="parallel tasks (default: number of cores)")
    group.add_argument("--executor", default="local", choices=["local", "ray", "slurm"])
    group.add_argument("--executor-option", action="append", default=[], metavar="KEY=VALUE",
                       help="passed to datatrove's Ray or Slurm executor, e.g. partition=cpu time=04:00:00")
    group.add_argument("--tier", default="fast", choices=["fast", "accurate"])
    group.add_argument("--limit", type=int, default=None, help="read only the first N documents")
    group.add_argument("--sample", type=float, default=None,
                       help="audit a hash-based random FRACTION of documents (repeatable, unbiased)")
    group.add_argument("--seed", type=int, default=0, help="seed of every hash-based draw (--sample, rebalance)")
    group.add_argument("--source-map", default=None, help="YAML: field value or domain -> source type")
    if audit:
        group.add_argument("--source-text", default="sample", choices=SOURCE_TEXT_MODES,
                           help="where the source-type text model runs. sample (default): the documents that "
                                "mention AI and a random share (--source-sample) of the others whose metadata is not "
                                "decisive; the report counts the rest in that share's proportions, its intervals "
                                "widened for it. all: every document (also flags where it disagrees with decisive "
                                "metadata). undecided: where metadata is not decisive. off: metadata only")
        group.add_argument("--source-sample", type=float, default=SOURCE_SAMPLE_RATE, metavar="SHARE",
                           help=f"with --source-text sample: the share of the other documents whose source type "
                                f"is read from their text (default {SOURCE_SAMPLE_RATE})")
    else:
        group.add_argument("--source-text", default="all", choices=[m for m in SOURCE_TEXT_MODES if m != "sample"],
                           help="where the source-type text model runs: every document (default; also flags where "
                                "it disagrees with decisive metadata), only where metadata is not decisive (faster on "
                                "corpora with data-set names or listed hosts), or nowhere (metadata only)")
    group.add_argument("--quiet", action="store_true", help="no progress bars")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="corpus-audit", description=__doc__.splitlines()[0])
    from corpus_audit import __version__

    parser.add_argument("--version", action="version", version=f"corpus-audit {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    audit = commands.add_parser("audit", help="tag every document and report prevalence per source type")
    audit.add_argument("paths", nargs="*", help="files, folders, globs or URLs (default: the bundled sample corpus)")
    audit.add_argument("-o", "--output", default="reports", help="report folder (default: reports/)")
    audit.add_argument("--gate-only", action="store_true", help="stop after the AI-mention gate")
    audit.add_argument("--error-rates", default=None, metavar="FILE",
                       help="the model's error counts on a labeled sample of this corpus (eval --save-error-rates): "
                            "adds rates corrected for them (adjusted_rate)")
    _reading_options(audit, audit=True)

    report = commands.add_parser("report", help="rebuild the report from saved tags without classifying again")
    report.add_argument("tags_dirs", nargs="+", help="tags folders written by audit (OUT/tags)")
    report.add_argument("-o", "--output", default="reports")

    classify = commands.add_parser("classify", help="tags, scores and evidence of one text (argument or stdin), as JSON")
    classify.add_argument("text", nargs="?", help="the text (default: read stdin)")
    classify.add_argument("--tier", default="fast", choices=["fast", "accurate"])
    classify.add_argument("--url", default=None, help="the text's url, for its source type")

    train = commands.add_parser("train", help="train the classifiers from labeled JSONL and corpus references")
    train.add_argument("--data", nargs="+", required=True, help="labeled JSONL files (labeling.md) or reference files")
    train.add_argument("--corpora", default=None, help="folder that reference files' paths are resolved against")
    train.add_argument("-o", "--output", default="classifiers", help="where the model files go")
    train.add_argument("--model", default="portrayal", choices=["portrayal", "source_type"],
                       help="which model to train (each has its own data; see the model cards)")
    train.add_argument("--tier", default="fast", choices=["fast", "accurate"])
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--evidence", default=None, metavar="FILE",
                       help="sentence labels (data/labels/evidence_sentences.jsonl): also fit the evidence ranker")

    evaluate = commands.add_parser("eval", help="per-tag precision, recall, F1 and source-type accuracy, as JSON")
    evaluate.add_argument("--data", nargs="+", required=True, help="labeled JSONL files (labeling.md)")
    evaluate.add_argument("--tier", default="fast", choices=["fast", "accurate"])
    evaluate.add_argument("--model-dir", default=None, help="models to evaluate (default: the shipped ones)")
    evaluate.add_argument("--save-error-rates", default=None, metavar="FILE",
                          help="save the model's error counts on this data to FILE, for audit --error-rates "
                               "(count them on a labeled sample of the corpus you audit)")

    from corpus_audit.export.commands import add_export_commands

    add_export_commands(commands, _reading_options)
    return parser


def _executor_options(pairs: list[str]) -> dict:
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ValueError(f"--executor-option {pair!r}: expected KEY=VALUE")
        options[key] = int(value) if value.isdigit() else value
    return options


def _run_audit(args) -> int:
    from corpus_audit.io.records import FieldKeys
    from corpus_audit.pipeline import AuditOptions, audit
    from corpus_audit.report.terminal import render_summary

    options = AuditOptions(
        fmt=args.format,
        keys=FieldKeys(args.text_key, args.id_key, args.url_key, args.source_key),
        workers=args.workers, executor=args.executor, executor_options=_executor_options(args.executor_option),
        tier=args.tier, classify=not args.gate_only, limit=args.limit, sample=args.sample, seed=args.seed,
        source_map=args.source_map, source_text=args.source_text, source_sample=args.source_sample, quiet=args.quiet,
        error_rates=args.error_rates,
    )
    report = audit(args.paths, args.output, options)
    if "submitted" in report:
        job = report["submitted"]
        print(f"corpus-audit: {job['tasks']} tasks submitted to Slurm (logs: {job['logs']}); when they have "
              f"finished, build the report with: {job['then']}")
        return EXIT_OK
    print(render_summary(report, args.output))
    return _exit_code(report)


def _run_report(args) -> int:
    from corpus_audit.pipeline import report_from_tags_dir
    from corpus_audit.report.terminal import render_summary

    report = report_from_tags_dir(args.tags_dirs, args.output)
    print(render_summary(report, args.output, tags_dirs=args.tags_dirs))
    return _exit_code(report)


def _run_classify(args) -> int:
    from corpus_audit.classify.inspect import classify_text

    text = args.text if args.text is not None else sys.stdin.read()
    if not text.strip():
        raise ValueError("no text given (pass it as an argument or on stdin)")
    print(json.dumps(classify_text(text, tier=args.tier, url=args.url), indent=2, ensure_ascii=False))
    return EXIT_OK


def _run_train(args) -> int:
    from corpus_audit.classify.recipe import train_models

    summary = train_models(args.data, args.corpora, args.output, model=args.model, tier=args.tier, seed=args.seed,
                           evidence=args.evidence)
    print(json.dumps(summary, indent=2))
    return EXIT_OK


def _run_eval(args) -> int:
    from corpus_audit.classify.recipe import evaluate_models

    result = evaluate_models(args.data, tier=args.tier, model_dir=args.model_dir,
                             save_error_rates=args.save_error_rates)
    print(json.dumps(result, indent=2))
    return EXIT_OK


def _exit_code(report: dict) -> int:
    unreadable = report["corpus"]["unreadable"]
    return EXIT_UNREADABLE if unreadable["documents"] or unreadable["shards"] else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    from corpus_audit.io.shards import InputError

    args = build_parser().parse_args(argv)
    handlers = {"audit": _run_audit, "report": _run_report, "classify": _run_classify, "train": _run_train,
                "eval": _run_eval}
    try:
        return handlers[args.command](args) if args.command in handlers else args.handler(args)
    except BrokenPipeError:  # the reader of our output went away (| head): nothing left to say
        sys.stderr.close()
        return EXIT_OK
    except (InputError, ValueError, OSError) as error:
        print(f"corpus-audit {args.command}: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("corpus-audit: interrupted; run the same command again to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
