"""The Python API of filter and rebalance; both return the manifest they write to DIR/manifest.json.

    from corpus_audit.export import filter_corpus, rebalance_corpus
    filter_corpus(["crawl/"], "clean/", drop=["ai_evil", "ai_self_preserving"], thresholds={"ai_evil": 0.7})
    rebalance_corpus(["crawl/"], "balanced/", keep=["ai_evil@fiction=0.5"], repeat=["ai_benevolent=2"], seed=1)
    rebalance_corpus(["crawl/"], "balanced/", plan="plan.yaml", from_audit="reports/audit.json")

Reading options (fmt, keys, workers, tier, limit, sample, seed, source_map, quiet, ...) are AuditOptions
fields, given as an AuditOptions or by name.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from corpus_audit.export.plan import load_plan
from corpus_audit.export.rules import FilterPlan, RebalancePlan, parse_rule, parse_thresholds
from corpus_audit.export.run import run_export
from corpus_audit.io.atomic import read_json
from corpus_audit.io.shards import InputError
from corpus_audit.pipeline import AuditOptions


def _names(value) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else list(value or ())
    return tuple(part.strip() for item in items for part in item.split(",") if part.strip())


def filter_corpus(paths: list[str], output_dir: str | Path, drop, thresholds=None, sources=None,
                  unit: str = "document", annotate: bool = True, tags_dir: str | Path | None = None,
                  overwrite: bool = False, options: AuditOptions | None = None, **option_fields) -> dict:
    """Writes the documents carrying none of the `drop` tags to output_dir; the others to output_dir/rejected/.

    drop: tags (list or comma-separated); thresholds: {tag: P} or ["tag=P"]; sources: restrict the drop to
    these source types; unit="paragraph" removes only the flagged blocks of a document.
    """
    options = options or AuditOptions(**{"source_text": "all", **option_fields})
    plan = FilterPlan(_names(drop), parse_thresholds(thresholds), _names(sources) or None, unit)
    return run_export("filter", paths, output_dir, plan, options, annotate=annotate, tags_dir=tags_dir,
                      overwrite=overwrite)


def rebalance_corpus(paths: list[str], output_dir: str | Path, keep=(), repeat=(), plan: str | Path | None = None,
                     from_audit: str | Path | None = None, upsample_mode: str | None = None, thresholds=None,
                     dry_run: bool = False, annotate: bool = True, tags_dir: str | Path | None = None,
                     overwrite: bool = False, options: AuditOptions | None = None, **option_fields) -> dict:
    """Keeps, drops or repeats documents by tag and source type, deterministically (see export/plan.py).

    keep / repeat: rules "TAG[@SOURCE]=NUMBER"; plan: a YAML plan file (its rules come first);
    from_audit: an audit.json whose counts turn the plan's target shares into fractions.
    """
    options = options or AuditOptions(**{"source_text": "all", **option_fields})
    audit = None
    if from_audit is not None:
        if not Path(from_audit).is_file():
            raise InputError(f"--from-audit {from_audit}: no such file")
        audit = read_json(from_audit)
        if not isinstance(audit, dict) or "by_source" not in audit:
            raise InputError(f"--from-audit {from_audit}: not an audit.json of corpus-audit (no by_source)")
    loaded = load_plan(plan, audit) if plan else {"rules": [], "thresholds": {}, "upsample_mode": None}
    rules = [*loaded["rules"], *(parse_rule(r, "keep") for r in keep), *(parse_rule(r, "repeat") for r in repeat)]
    plan_thresholds = {**loaded["thresholds"], **parse_thresholds(thresholds)}
    mode = upsample_mode or loaded["upsample_mode"] or "duplicate"
    rebalance = RebalancePlan(tuple(rules), plan_thresholds, mode)
    extra = {}
    if from_audit is not None:
        extra["from_audit"] = str(from_audit)
        extra["from_audit_sha256"] = hashlib.sha256(Path(from_audit).read_bytes()).hexdigest()
    return run_export("rebalance", paths, output_dir, rebalance, options, annotate=annotate, tags_dir=tags_dir,
                      overwrite=overwrite, dry_run=dry_run, extra_settings=extra)
