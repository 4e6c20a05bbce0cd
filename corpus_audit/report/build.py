"""From merged counts and the reading accounts to the audit report (the structure of audit.json)."""
from __future__ import annotations

from collections import Counter

from corpus_audit.aggregate.adjust import adjusted_prevalence
from corpus_audit.aggregate.counts import ALL, Counts, SourceCounts
from corpus_audit.aggregate.estimate import ESTIMATED, estimated_by_source
from corpus_audit.aggregate.intervals import wilson_interval
from corpus_audit.labels import AI_MENTION

TOP_DOMAINS = 10
MAX_UNREADABLE_DETAILS = 200


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _tag_block(counts: SourceCounts, tag: str, errors: dict | None, bounds: tuple[int, int] | None = None) -> dict:
    """bounds: the range of this type's assessed documents when part of them is estimated from a sample; the
    intervals then cover both ends (the low end of the fewest documents' interval, the high of the most's)."""
    count = counts.tag_documents.get(tag, 0)
    in_ai = counts.tag_documents.get(AI_MENTION, 0)
    low_n, high_n = bounds or (counts.assessed, counts.assessed)
    interval = wilson_interval(count, counts.assessed)
    if bounds and interval:
        interval = (wilson_interval(count, high_n)[0], wilson_interval(count, max(low_n, count, 1))[1])
    block = {
        "count": count,
        "rate": _ratio(count, counts.assessed),
        "ci95": interval,
        "rate_chars": _ratio(counts.tag_chars.get(tag, 0), counts.assessed_chars),
        "rate_in_ai": _ratio(count, in_ai),
        "ci95_in_ai": wilson_interval(count, in_ai),
    }
    adjusted = adjusted_prevalence(count, in_ai, errors) if errors else None
    if adjusted is not None:
        # Corrected among gated documents, then scaled to all assessed ones like `rate`.
        (theta, (low, high)), scale = adjusted, in_ai / counts.assessed
        block.update(adjusted_rate=theta * scale,
                     adjusted_ci95=[low * in_ai / high_n, min(1.0, high * in_ai / max(low_n, 1))],
                     adjusted_rate_in_ai=theta, adjusted_ci95_in_ai=[low, high])
    return block


def source_block(counts: SourceCounts, tags: tuple[str, ...], error_rates: dict | None = None,
                 bounds: tuple[int, int] | None = None) -> dict:
    decisions = ("metadata", "text", "none", ESTIMATED, "disagree")
    block = {
        "documents": counts.documents,
        "chars": counts.chars,
        "assessed": counts.assessed,
        "source_decisions": {key: counts.decisions.get(key, 0) for key in decisions},
        "top_domains": [[domain, n] for domain, n in counts.top_domains(TOP_DOMAINS)],
    }
    if bounds:
        block["assessed_range"] = list(bounds)
    for tag in tags:
        block[tag] = _tag_block(counts, tag, (error_rates or {}).get(tag), bounds)
    return block


def summarize_accounts(accounts: list[dict]) -> dict:
    """Adds up the per-task reading accounts into the report's unreadable / sampled-out figures."""
    shards_failed, documents, sampled_out, repeated, details = 0, 0, 0, 0, []
    for account in accounts:
        for name, shard in sorted(account["shards"].items()):
            shards_failed += shard["whole_shard_failed"]
            documents += shard["unreadable"]
            sampled_out += shard["sampled_out"]
            repeated += shard.get("repeated_ids", 0)
            details.extend(shard["details"])
    return {
        "unreadable": {"shards": shards_failed, "documents": documents, "details": details[:MAX_UNREADABLE_DETAILS],
                       "details_truncated": shards_failed + documents > min(len(details), MAX_UNREADABLE_DETAILS)},
        "sampled_out": sampled_out,
        "repeated_ids": repeated,
        "shards_read": sum(len(a["shards"]) for a in accounts),
    }


def _sample_block(counts: Counts, options: dict) -> dict | None:
    """How much of the sampled stratum the text model read (`--source-text sample`); None otherwise."""
    if options.get("source_text") != "sample" and not (counts.sampled or counts.skipped.documents):
        return None
    read = sum(c.documents for c in counts.sampled.values())
    return {"rate": options.get("source_sample"), "read": read, "skipped": counts.skipped.documents}


def build_report(counts: Counts, accounts: list[dict], run: dict) -> dict:
    """run: what the run was asked to do (paths, shard count, skipped files, options, model)."""
    total = counts.total()
    read = summarize_accounts(accounts)
    errors = run["model"].get("error_rates")
    estimated, bounds = estimated_by_source(counts)
    by_source = {source: source_block(c, counts.tags, errors, bounds.get(source)) for source, c in sorted(estimated.items())}
    total.decisions = sum((c.decisions for c in estimated.values()), Counter())  # "estimated" as the types show it
    by_source[ALL] = source_block(total, counts.tags, errors)
    return {
        "corpus": {
            "paths": run["paths"],
            "shards": run["shards"],
            "shards_read": read["shards_read"],
            "documents": total.documents,
            "chars": total.chars,
            "skipped_files": run["skipped_files"],
            "unreadable": read["unreadable"],
            "not_assessed": {
                "documents": total.documents - total.assessed,
                "by_language": dict(total.not_assessed_languages.most_common()),
            },
            "repeated_ids_within_shards": read["repeated_ids"],
            "sample": run["options"].get("sample"),
            "sampled_out": read["sampled_out"],
            "limit": run["options"].get("limit"),
        },
        "model": run["model"],
        "source_type_model": run.get("source_type_model"),
        "source_text": run["options"].get("source_text", "all"),
        "source_sample": _sample_block(counts, run["options"]),
        "tags": list(counts.tags),
        "by_source": by_source,
        "tool": run["tool"],
    }
