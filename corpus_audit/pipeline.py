"""Run an audit: find shards, check the input, run the datatrove pipeline, merge the partial counts, report.

Each task (a slice of the shards) writes its own tags file, partial counts and
reading account under OUT/tags/; datatrove records finished tasks under
OUT/_state/, so a killed run started again with the same settings resumes
where it stopped, and a run with other settings starts afresh.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import orjson

from corpus_audit import __version__
from corpus_audit.aggregate.counts import Counts
from corpus_audit.cascade import SOURCE_SAMPLE_RATE, SOURCE_TEXT_MODES
from corpus_audit.classify.error_rates import load_error_rates
from corpus_audit.datatrove import AuditStats, AuditTagger, ShardReader, TagWriter
from corpus_audit.io.atomic import read_json, remove_stale_temporaries, write_json
from corpus_audit.io.readers import read_rows
from corpus_audit.io.records import FieldKeys, Unreadable, get_field
from corpus_audit.io.shards import RUN_MARKER, Discovery, InputError, Shard, discover_shards
from corpus_audit.progress import ProgressWatcher
from corpus_audit.report.build import build_report
from corpus_audit.report.write import write_reports
from corpus_audit.resources import sample_corpus_dir

MAX_TASKS = 1024
KEY_CHECK_ROWS = 100


@dataclass
class AuditOptions:
    fmt: str = "auto"
    keys: FieldKeys = field(default_factory=FieldKeys)
    workers: int | None = None
    executor: str = "local"
    executor_options: dict = field(default_factory=dict)
    tier: str = "fast"
    classify: bool = True
    limit: int | None = None
    sample: float | None = None
    seed: int = 0
    source_map: str | None = None
    source_text: str = "sample"  # where the source-type text model runs (cascade.SOURCE_TEXT_MODES); exports: "all"
    source_sample: float = SOURCE_SAMPLE_RATE  # share of the pages outside the AI gate it reads in "sample" mode
    error_rates: str | None = None  # file from `eval --save-error-rates`: report adjusted rates
    quiet: bool = False

    @classmethod
    def from_fields(cls, text_key: str | None = None, id_key: str | None = None, url_key: str | None = None,
                    source_key: str | None = None, **fields) -> AuditOptions:
        """Options by name, with the CLI's key flags accepted too: from_fields(text_key="content", workers=4)."""
        keys = {k: v for k, v in (("text", text_key), ("id", id_key), ("url", url_key), ("source", source_key)) if v}
        if keys:
            fields["keys"] = replace(fields.get("keys", FieldKeys()), **keys)
        return cls(**fields)


def audit(paths: list[str] | None = None, output_dir: str | Path = "reports", options: AuditOptions | None = None,
          **option_fields) -> dict:
    """Audits the shards under `paths` (default: the bundled sample corpus); writes and returns the report.

    Options come as an AuditOptions or as its fields by name: audit(["crawl/"], "out/", workers=4, sample=0.1).
    """
    options = options or AuditOptions.from_fields(**option_fields)
    paths = [str(p) for p in (paths or [sample_corpus_dir()])]
    output_dir = Path(output_dir)
    discovery = discover_input(paths, options, exclude=output_dir)

    tags_dir, state_dir = output_dir / "tags", output_dir / "_state"
    tagger = AuditTagger(options.tier, options.classify, options.source_map, options.keys.url, options.keys.source,
                         source_text=options.source_text, source_sample=options.source_sample)
    if options.classify and tagger.cascade.classifier is None:
        extra = " (pip install 'corpus-audit[accurate]')" if options.tier == "accurate" else ""
        raise InputError(f"no {options.tier}-tier portrayal model is installed{extra}; use --gate-only to audit "
                         f"AI mentions alone")
    run = _describe_run(paths, discovery, options, tagger)
    _prepare_output(tags_dir, state_dir, run)

    tasks = 1 if options.limit is not None else min(len(discovery.shards), MAX_TASKS)
    pipeline = [
        ShardReader(discovery.shards, tags_dir, options.keys, limit=-1 if options.limit is None else options.limit,
                    sample=1.0 if options.sample is None else options.sample, seed=options.seed,
                    progress_dir=state_dir / "progress"),
        tagger,
        TagWriter(tags_dir, with_portrayal=len(tagger.tags) > 1),
        AuditStats(tags_dir, tagger.tags),
    ]
    with ProgressWatcher(state_dir / "progress", total_shards=len(discovery.shards),
                         disable=options.quiet or options.executor == "slurm"):
        execute_pipeline(pipeline, tasks, options, state_dir)
    if options.executor == "slurm":  # sbatch returns at once: the tasks have only been queued
        return {"submitted": {"executor": "slurm", "tasks": tasks, "logs": str(state_dir / "datatrove"),
                              "then": f"corpus-audit report {tags_dir} -o {output_dir}"}}
    return report_from_tags_dir(tags_dir, output_dir, rebuild=False)


def discover_input(paths: list[str], options: AuditOptions, exclude: Path | None = None) -> Discovery:
    """The shards under `paths`, after every check that can fail before work starts (InputError).

    exclude: the run's output folder, never read as input even when it sits inside an input folder.
    """
    check_options(options)
    if exclude is not None and Path(exclude).exists() and not Path(exclude).is_dir():
        raise InputError(f"-o {exclude}: exists and is not a folder")
    discovery = discover_shards(paths, options.fmt, exclude=exclude)
    if not discovery.shards:
        raise InputError(f"{', '.join(paths)}: no shards found (skipped: {len(discovery.skipped)} files)")
    check_text_key(discovery.shards[0], options.keys)
    return discovery


def check_options(options: AuditOptions) -> None:
    if options.sample is not None and not 0 < options.sample <= 1:
        raise InputError(f"--sample must be a fraction in (0, 1], not {options.sample}")
    if options.workers is not None and options.workers < 1:
        raise InputError(f"--workers must be at least 1, not {options.workers}")
    if options.limit is not None and options.limit < 1:
        raise InputError(f"--limit must be a positive number of documents, not {options.limit}")
    if options.tier not in ("fast", "accurate"):
        raise InputError(f"--tier must be fast or accurate, not {options.tier!r}")
    if options.source_map and not Path(options.source_map).is_file():
        raise InputError(f"{options.source_map}: no such source map file")
    if options.source_text not in SOURCE_TEXT_MODES:
        raise InputError(f"--source-text must be one of {', '.join(SOURCE_TEXT_MODES)}, not {options.source_text!r}")
    if not 0.0 < options.source_sample <= 1.0:
        raise InputError(f"--source-sample is a share of documents in (0, 1], not {options.source_sample}")


def check_text_key(shard: Shard, keys: FieldKeys) -> None:
    """Fails before any work when none of the first rows of the first shard has the text key."""
    if shard.format not in ("jsonl", "parquet"):
        return
    seen: dict[str, None] = {}
    try:
        for i, item in enumerate(read_rows(shard)):
            if i >= KEY_CHECK_ROWS:
                break
            if isinstance(item, Unreadable):
                continue
            if get_field(item[1], keys.text) is not None:
                return
            seen.update(dict.fromkeys(item[1]))
    except Exception:  # noqa: BLE001 - a shard that cannot be read is counted as unreadable during the run
        return
    if seen:
        raise InputError(
            f"{shard.url}: no document has the text key {keys.text!r} "
            f"(keys seen: {', '.join(seen)}); choose one with --text-key"
        )


def _describe_run(paths, discovery, options: AuditOptions, tagger: AuditTagger) -> dict:
    model = model_info(tagger.cascade.classifier, options.tier, options.error_rates)
    source_map_digest = None
    if options.source_map:
        source_map_digest = hashlib.sha256(Path(options.source_map).read_bytes()).hexdigest()
    settings = {k: v for k, v in asdict(options).items()
                if k not in ("workers", "quiet", "executor", "executor_options", "error_rates")}
    settings["source_map_sha256"] = source_map_digest
    return {
        "paths": paths,
        "shards": len(discovery.shards),
        "shard_names": [[s.name, s.size] for s in discovery.shards],
        "skipped_files": discovery.skipped,
        "options": settings,
        "model": model,
        "source_type_model": tagger.cascade.parts[3].model_version or None,
        "tool": {"name": "corpus-audit", "version": __version__},
    }


def model_info(classifier, tier: str, error_rates: str | None = None) -> dict:
    """What reports and manifests say of the portrayal model (None: AI-mention gate only).

    error_rates: a file of the model's error counts on the audited population, for adjusted rates.
    """
    if classifier is None:
        return {"name": None, "version": None, "tier": tier, "thresholds": {}}
    return {"name": classifier.name, "version": classifier.version, "tier": classifier.tier,
            "thresholds": dict(classifier.thresholds),
            "error_rates": load_error_rates(error_rates, classifier) if error_rates else None}


def _prepare_output(tags_dir: Path, state_dir: Path, run: dict) -> None:
    """Resume when the saved run had the same settings; otherwise clear what an earlier run left."""
    run_file = tags_dir / RUN_MARKER
    if run_file.exists() and read_json(run_file) != orjson.loads(orjson.dumps(run)):
        shutil.rmtree(tags_dir)
        shutil.rmtree(state_dir, ignore_errors=True)
    shutil.rmtree(state_dir / "progress", ignore_errors=True)
    if tags_dir.exists():
        remove_stale_temporaries(tags_dir)
    write_json(run_file, run)


def execute_pipeline(pipeline: list, tasks: int, options: AuditOptions, state_dir: Path) -> None:
    workers = max(1, min(options.workers or os.cpu_count() or 1, tasks))
    logging_dir = str(state_dir / "datatrove")
    if options.executor == "local":
        from corpus_audit.executors import QuietLocalExecutor

        QuietLocalExecutor(pipeline, tasks=tasks, workers=workers, logging_dir=logging_dir,
                           summary=not options.quiet).run()
    elif options.executor in ("ray", "slurm"):
        _distributed_executor(options.executor, pipeline, tasks, workers, logging_dir, options.executor_options).run()
    else:
        raise InputError(f"--executor must be local, ray or slurm, not {options.executor!r}")


def _distributed_executor(name: str, pipeline: list, tasks: int, workers: int, logging_dir: str, extra: dict):
    try:
        if name == "ray":
            from datatrove.executor.ray import RayPipelineExecutor as Executor
        else:
            from datatrove.executor.slurm import SlurmPipelineExecutor as Executor
    except ImportError as error:
        raise InputError(f"--executor {name} needs {error.name or name}: pip install 'datatrove[{name}]'") from None
    try:
        return Executor(pipeline, tasks=tasks, workers=workers, logging_dir=logging_dir, **extra)
    except TypeError as error:
        raise InputError(f"--executor {name}: {error} (pass them with --executor-option KEY=VALUE)") from None


def report_from_tags_dir(tags_dirs: str | Path | list, output_dir: str | Path, rebuild: bool = True) -> dict:
    """Builds and writes the report from one or more tags folders (e.g. one per crawl dump), merged exactly.

    rebuild: count the tag rows again; otherwise add up the tasks' saved partial counts (what audit does).
    A folder of AuditStats partial counts from a user's own datatrove pipeline (no tag rows, no _run.json)
    is reported from those counts.
    """
    from corpus_audit.io.tags import iter_tag_rows

    tags_dirs = [Path(d) for d in (tags_dirs if isinstance(tags_dirs, list) else [tags_dirs])]
    runs = [_saved_run(tags_dir) for tags_dir in tags_dirs]
    models = {(r["model"]["name"], r["model"]["version"], r["model"]["tier"]) for r in runs}
    if len(models) > 1:
        raise InputError(f"these tags folders come from different models ({sorted(map(str, models))}); "
                         f"report them separately")
    run = {**runs[0], "paths": [p for r in runs for p in r["paths"]], "shards": sum(r["shards"] for r in runs),
           "skipped_files": [f for r in runs for f in r["skipped_files"]]}
    partials = [Counts.from_json(read_json(p)) for d in tags_dirs for p in sorted(d.glob("_counts-*.json"))]
    tags = partials[0].tags if partials else Counts().tags
    counts = Counts(tags if run["model"]["name"] or not (tags_dirs[0] / RUN_MARKER).exists() else ("ai_mention",))
    accounts = []
    for tags_dir in tags_dirs:
        if rebuild and (tags_dir / RUN_MARKER).exists():
            for row in iter_tag_rows(tags_dir):
                counts.add(row)
        else:
            for path in sorted(tags_dir.glob("_counts-*.json")):
                counts.merge(Counts.from_json(read_json(path)))
        accounts += [read_json(p) for p in sorted(tags_dir.glob("_read-*.json"))]
    report = build_report(counts, accounts, run)
    write_reports(report, Path(output_dir), tags_dirs)
    return report


def _saved_run(tags_dir: Path) -> dict:
    """The run a tags folder records; for bare AuditStats output, what can be said without one."""
    if (tags_dir / RUN_MARKER).exists():
        return read_json(tags_dir / RUN_MARKER)
    if not any(tags_dir.glob("_counts-*.json")):
        raise InputError(f"{tags_dir}: neither a tags folder of corpus-audit (_run.json) nor AuditStats output "
                         f"(_counts-*.json)")
    return {"paths": [str(tags_dir)], "shards": 0, "skipped_files": [], "options": {},
            "model": {"name": None, "version": None, "tier": "unknown", "thresholds": {}},
            "tool": {"name": "corpus-audit", "version": __version__}}
