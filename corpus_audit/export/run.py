"""Run filter or rebalance: check everything first, then export shard by shard, then account for every document.

DIR holds the output shards under the inputs' relative names, `rejected/`
(filter), `manifest.json`, `rebalance.md` (rebalance) and `_state/` (the run's
record, per-shard entries, datatrove's logs). Rerunning the same command into
the same DIR resumes; other settings (plan, seed, model, inputs...) refuse
unless `overwrite`, which empties DIR first. A folder that holds anything else
is never written into.
"""
from __future__ import annotations

import hashlib
import posixpath
import shutil
import sys
from dataclasses import asdict
from pathlib import Path

import orjson

from corpus_audit import __version__
from corpus_audit.cascade import CascadeConfig, load_portrayal_classifier
from corpus_audit.export.rules import FilterPlan, RebalancePlan
from corpus_audit.export.shard import REJECTED, ExportSettings
from corpus_audit.export.step import ExportShards, entry_path
from corpus_audit.export.table import BeforeAfter
from corpus_audit.export.writers import output_name
from corpus_audit.io.atomic import read_json, remove_stale_temporaries, write_json, write_text
from corpus_audit.io.shards import RUN_MARKER, InputError
from corpus_audit.labels import AI_MENTION, ALL_TAGS
from corpus_audit.pipeline import MAX_TASKS, AuditOptions, discover_input, execute_pipeline, model_info
from corpus_audit.progress import ProgressWatcher

STATE = "_state"
MANIFEST = "manifest.json"
TABLE = "rebalance.md"
_RESERVED = {REJECTED, STATE, MANIFEST, TABLE}
_TOTALS = ("in", "kept", "rejected", "unreadable", "copies", "written", "sampled_out", "tags_reused", "classified",
           "documents_trimmed", "paragraphs_removed", "chars_removed")


class ExportIncomplete(RuntimeError):
    """Some tasks failed; their shards have no entry. Running the same command again resumes."""


def run_export(command: str, paths: list[str], output_dir: str | Path, plan: FilterPlan | RebalancePlan,
               options: AuditOptions, annotate: bool = True, tags_dir: str | Path | None = None,
               overwrite: bool = False, dry_run: bool = False, extra_settings: dict | None = None) -> dict:
    paths = [str(p) for p in paths]
    if not paths:
        raise InputError("give the corpus to export: one or more files, folders, globs or URLs")
    if options.source_text == "sample":
        raise InputError("--source-text sample is for audits: an export decides each document by its own source type")
    discovery = discover_input(paths, options)
    output_dir = Path(output_dir)
    _check_output_dir(output_dir, paths, discovery.shards)

    model, with_portrayal = _model(options, tags_dir, discovery.shards)
    _check_tags(plan, with_portrayal, tags_dir, options)
    settings = ExportSettings(
        output_dir=output_dir.resolve(), plan=plan, keys=options.keys, seed=options.seed, annotate=annotate,
        dry_run=dry_run, sample=options.sample, limit=options.limit,
        cascade=CascadeConfig(options.tier, with_portrayal, options.source_map, options.keys.url, options.keys.source,
                              options.source_text),
        tags_dir=str(Path(tags_dir).resolve()) if tags_dir else None, with_portrayal=with_portrayal,
    )
    extra = dict(extra_settings or {})
    if tags_dir is not None and with_portrayal:
        extra.update(_installed_model_if_other(model, options))
    run = _describe(command, paths, discovery, plan, options, settings, model, extra)
    state = _prepare(output_dir, run, overwrite, dry_run)

    tasks = 1 if options.limit is not None else min(len(discovery.shards), MAX_TASKS)
    _forget_missing_outputs(output_dir, state, len(discovery.shards), tasks)
    step = ExportShards(discovery.shards, settings, state / "shards", progress_dir=state / "progress")
    with ProgressWatcher(state / "progress", total_shards=len(discovery.shards), disable=options.quiet):
        try:
            execute_pipeline([step], tasks, options, state)
        except (InputError, KeyboardInterrupt):
            raise
        except Exception as error:  # noqa: BLE001 - one line for the user; the task logs keep the traceback
            raise ExportIncomplete(f"{type(error).__name__}: {error}; finished shards are kept, run the same "
                                   f"command again to resume (logs: {state / 'datatrove' / 'logs'})") from error
    manifest = _manifest(run, state, discovery, settings)
    write_json(output_dir / MANIFEST, manifest)
    if command == "rebalance":
        write_text(output_dir / TABLE, render_table(manifest, command))
    return manifest


# -- checks before any work ------------------------------------------------------------------------------------

def _is_local(path: str) -> bool:
    return "://" not in path or path.startswith("file://")


def _check_output_dir(output_dir: Path, paths: list[str], shards) -> None:
    out = output_dir.resolve()
    for raw in paths:
        if not _is_local(raw):
            continue
        root = Path(raw.removeprefix("file://"))
        while any(c in root.name for c in "*?[") or (not root.exists() and root != root.parent):
            root = root.parent
        root = root.resolve()
        folder = root if root.is_dir() else root.parent
        if out == folder or folder in out.parents or (root.is_dir() and out in root.parents):
            raise InputError(f"-o {output_dir}: refusing to write into the input folder {folder} "
                             "(choose a folder outside the corpus)")
    seen: dict[str, str] = {}
    for shard in shards:
        name = output_name(shard)
        parts = name.split("/")
        target = (out / name).resolve()
        if posixpath.isabs(name) or ".." in parts or out not in target.parents:
            raise InputError(f"{shard.url}: its output name {name!r} would leave {output_dir}")
        if parts[0] in _RESERVED:
            raise InputError(f"{shard.url}: its output name {name!r} collides with {parts[0]} of the export "
                             "(give the folder above it, or a path below it)")
        if name in seen:
            raise InputError(f"{shard.url} and {seen[name]} would both be written as {name}")
        seen[name] = shard.url


def _model(options: AuditOptions, tags_dir, shards) -> tuple[dict, bool]:
    """The model whose tags decide (the saved tags' own, or the installed one) and whether it has portrayal tags."""
    if tags_dir is not None:
        return _saved_tags_model(Path(tags_dir), shards)
    classifier = load_portrayal_classifier(options.tier) if options.classify else None
    return model_info(classifier, options.tier), classifier is not None


def _installed_model_if_other(saved: dict, options: AuditOptions) -> dict:
    """Documents missing from saved tags are classified by the installed model: say so when it is not the
    one that made the tags (on the terminal unless quiet, and in the manifest as `missing_tags_model`)."""
    installed = model_info(load_portrayal_classifier(options.tier), options.tier)
    keys = ("name", "version", "tier")
    if all(installed.get(k) == saved.get(k) for k in keys):
        return {}
    if not options.quiet:
        print(f"corpus-audit: warning: the saved tags were made by {saved.get('name')} {saved.get('version')}; "
              f"documents missing from them are classified by the installed {installed.get('name')} "
              f"{installed.get('version')}", file=sys.stderr)
    return {"missing_tags_model": {k: installed.get(k) for k in keys}}


def _saved_tags_model(tags_dir: Path, shards) -> tuple[dict, bool]:
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    from corpus_audit.io.tags import tag_files

    run_file = tags_dir / RUN_MARKER
    if not run_file.is_file():
        raise InputError(f"--tags {tags_dir}: not a tags folder of corpus-audit audit (no _run.json); "
                         "give the audit's OUT/tags folder")
    files = tag_files(tags_dir)
    if not files:
        raise InputError(f"--tags {tags_dir}: holds no tags files")
    saved = set(pc.unique(ds.dataset([str(f) for f in files], format="parquet").to_table(columns=["shard"])["shard"])
                .to_pylist())
    if not saved & {s.name for s in shards}:
        raise InputError(f"--tags {tags_dir}: none of its shard names ({', '.join(sorted(saved)[:3])}, ...) "
                         f"is a shard here ({shards[0].name}, ...); give the same input paths as the audit")
    model = read_json(run_file)["model"]
    return model, model.get("name") is not None


def _check_tags(plan, with_portrayal: bool, tags_dir, options: AuditOptions) -> None:
    """Refuse, before any work, rules on tags the model cannot produce: they would silently match nothing."""
    available = set(ALL_TAGS) if with_portrayal else {AI_MENTION}
    missing = sorted(plan.tags_needed - available)
    if missing:
        if tags_dir is not None:
            why = f"the saved tags in {tags_dir} have only {', '.join(sorted(available))} (the audit ran gate-only)"
        elif not options.classify:
            why = "--gate-only stops before the portrayal classifier"
        else:
            why = f"this install has no {options.tier} portrayal classifier (only {AI_MENTION} can be decided)"
        raise InputError(f"{', '.join(missing)}: cannot be decided: {why}")
    if isinstance(plan, FilterPlan) and plan.unit == "paragraph" and tags_dir is not None and with_portrayal:
        if load_portrayal_classifier(options.tier) is None:
            raise InputError("--unit paragraph classifies paragraphs, and this install has no portrayal classifier")


# -- the run's record, resume and refusal ---------------------------------------------------------------------

def _describe(command, paths, discovery, plan, options: AuditOptions, settings: ExportSettings, model: dict,
              extra: dict) -> dict:
    def digest(path):
        return hashlib.sha256(Path(path).read_bytes()).hexdigest() if path else None

    reading = {k: v for k, v in asdict(options).items()
               if k not in ("workers", "quiet", "executor", "executor_options", "classify", "source_map", "seed")}
    tags_run = Path(settings.tags_dir) / RUN_MARKER if settings.tags_dir else None
    return {
        "command": command,
        "paths": paths,
        "shard_names": [[s.name, s.size] for s in discovery.shards],
        "plan": plan.describe(),
        "seed": options.seed,
        "annotate": settings.annotate,
        "reading": reading,
        "source_map_sha256": digest(options.source_map),
        "tags_dir": settings.tags_dir,
        "tags_run_sha256": digest(tags_run),
        "model": model,
        "tool": {"name": "corpus-audit", "version": __version__},
        **extra,
    }


def _prepare(output_dir: Path, run: dict, overwrite: bool, dry_run: bool) -> Path:
    """Returns the state folder of this run, after deciding to start, resume or refuse."""
    state = output_dir / STATE
    record = state / ("dry-run.json" if dry_run else "run.json")
    ours = (state / "run.json").exists() or (state / "dry-run.json").exists()
    if output_dir.exists() and any(output_dir.iterdir()) and not ours:
        raise InputError(f"-o {output_dir}: the folder is not empty and was not written by filter or rebalance; "
                         "choose a new or empty folder")
    run = orjson.loads(orjson.dumps(run))
    if overwrite and ours:
        for child in output_dir.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    elif dry_run and (state / "run.json").exists():
        raise InputError(f"-o {output_dir}: holds an export; a dry run would replace its manifest (use another -o)")
    elif record.exists() and read_json(record) != run and not dry_run:
        saved = read_json(record)
        changed = sorted(k for k in set(run) | set(saved) if run.get(k) != saved.get(k))
        raise InputError(f"-o {output_dir}: was written by a run with other settings ({', '.join(changed)} differ); "
                         "rerun with --overwrite to replace it, or choose another -o")
    run_state = state / "dry-run" if dry_run else state
    if dry_run and record.exists() and read_json(record) != run:
        shutil.rmtree(run_state, ignore_errors=True)  # a dry run with other settings simply starts afresh
    if not dry_run:
        shutil.rmtree(state / "dry-run", ignore_errors=True)
        (state / "dry-run.json").unlink(missing_ok=True)
    shutil.rmtree(run_state / "progress", ignore_errors=True)
    if output_dir.exists():
        remove_stale_temporaries(output_dir)
    write_json(record, run)
    return run_state


def _forget_missing_outputs(output_dir: Path, state: Path, shards: int, tasks: int) -> None:
    """A finished shard whose files were deleted since is done again (with its task)."""
    for index in range(shards):
        path = entry_path(state / "shards", index)
        if path.exists() and not all((output_dir / f).exists() for f in read_json(path)["files"]):
            path.unlink()
            (state / "datatrove" / "completions" / f"{index % tasks:05d}").unlink(missing_ok=True)


# -- the manifest ----------------------------------------------------------------------------------------------

def _manifest(run: dict, state: Path, discovery, settings: ExportSettings) -> dict:
    entries, missing = [], []
    table = BeforeAfter(settings.model_tags)
    limit_reached = False
    for index, shard in enumerate(discovery.shards):
        path = entry_path(state / "shards", index)
        if not path.exists():
            if settings.limit is not None:
                limit_reached = True  # --limit: the shards after the limit were not read
                continue
            missing.append(shard.name)
            continue
        entry = read_json(path)
        table.merge(entry.pop("table"))
        if entry["in"] != entry["kept"] + entry["rejected"] + entry["unreadable"]:
            raise RuntimeError(f"{shard.name}: counts do not reconcile ({entry}); this is a bug, please report it")
        entries.append(entry)
    if missing:
        raise ExportIncomplete(f"{len(missing)} shards were not exported ({', '.join(missing[:3])}...); see "
                               f"{state / 'datatrove' / 'logs'} and run the same command again to resume")
    totals = {key: sum(e.get(key, 0) for e in entries) for key in _TOTALS if any(key in e for e in entries)}
    totals["shards"] = len(entries)
    totals["shards_unreadable"] = sum(e["whole_shard_failed"] for e in entries)
    notes = []
    if any("converted_to" in e for e in entries):
        notes.append("WARC and plain-text shards cannot carry annotations: they were written as JSONL.gz "
                     "(text, id, url, date) under their name with .jsonl.gz as ending")
    if limit_reached:
        notes.append(f"--limit {settings.limit}: only the first shards were read")
    return {
        **{k: run[k] for k in ("command", "paths", "plan", "seed", "annotate", "reading", "tags_dir", "model", "tool")},
        "dry_run": settings.dry_run,
        "skipped_files": discovery.skipped,
        "totals": totals,
        "reconciled": totals["in"] == totals["kept"] + totals["rejected"] + totals["unreadable"],
        "shards": entries,
        "before_after": table.with_total(),
        "notes": notes,
        **{k: run[k] for k in run if k.startswith("from_audit") or k == "missing_tags_model"},
    }


def render_table(manifest: dict, command: str) -> str:
    tags = tuple(next(iter(manifest["before_after"]["before"].values()), {}).keys() - {"documents", "assessed"})
    ordered = tuple(t for t in ALL_TAGS if t in tags)
    sides = {side: {s: c for s, c in cells.items() if s != "all"} for side, cells in manifest["before_after"].items()}
    title = "Rebalance" if command == "rebalance" else "Filter"
    text = BeforeAfter(ordered, sides).to_markdown(f"{title}: prevalence per source type, before → after")
    totals = manifest["totals"]
    return text + (f"\n{totals['in']:,} documents in: {totals['kept']:,} kept, {totals['rejected']:,} "
                   f"{'dropped' if command == 'rebalance' else 'rejected'}, {totals['unreadable']:,} unreadable; "
                   f"{totals['written']:,} written" + (" (dry run: nothing written)" if manifest["dry_run"] else "")
                   + ".\n")
