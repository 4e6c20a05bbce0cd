"""audit.md: the report as Markdown tables."""
from __future__ import annotations

from corpus_audit.aggregate.counts import ALL


def md(text: str) -> str:
    """Corpus-derived text (domains, file names, error details) as inert Markdown."""
    return "".join("\\" + c if c in "\\`*_{}[]<>|#" else c for c in str(text)).replace("\n", " ")


def percent(rate: float | None, digits: int = 1) -> str:
    return "–" if rate is None else f"{100 * rate:.{digits}f}%"


def rate_with_interval(block: dict) -> str:
    if block["rate"] is None:
        return "–"
    lo, hi = block["ci95"]
    return f"{block['count']:,} ({percent(block['rate'])}, {percent(lo)}–{percent(hi)})"


def sources_in_order(report: dict) -> list[str]:
    return [s for s in report["by_source"] if s != ALL] + [ALL]


_SOURCE_TEXT_SCOPES = {"all": "every document", "undecided": "where metadata is not decisive",
                       "off": "off, metadata only"}


def estimate_note(report: dict) -> str:
    """What "estimated" means, when some documents' source types were estimated from a sample; else ""."""
    if not (report.get("source_sample") or {}).get("skipped"):
        return ""
    return ("Estimated: documents the text model skipped, counted in the proportions of the sample it read; "
            "the intervals include that sample's error.")


def source_text_scope(report: dict) -> str:
    """Where the source-type text model ran (--source-text), in words."""
    sample = report.get("source_sample")
    if report.get("source_text") == "sample" and sample:
        return (f"documents that mention AI, and a {sample['rate']:.1%} sample of the others whose metadata is not "
                f"decisive ({sample['read']:,} read, {sample['skipped']:,} skipped and estimated)")
    return _SOURCE_TEXT_SCOPES.get(report.get("source_text") or "all", str(report.get("source_text")))


def render_markdown(report: dict) -> str:
    corpus, model, tags = report["corpus"], report["model"], report["tags"]
    lines = [
        "# corpus-audit report",
        "",
        f"Paths: {md(', '.join(corpus['paths']))}  ",
        f"Model: {model['name'] or 'none (AI-mention gate only)'} {model['version'] or ''} (tier {model['tier']}); "
        f"source type: {report.get('source_type_model') or 'not recorded'} (text model: {source_text_scope(report)})  ",
        f"Tool: {report['tool']['name']} {report['tool']['version']}",
        "",
        "## Corpus",
        "",
        "| | |",
        "|---|---:|",
        f"| shards | {corpus['shards']:,} |",
        f"| documents read | {corpus['documents']:,} |",
        f"| characters | {corpus['chars']:,} |",
        f"| assessed (English) | {report['by_source'][ALL]['assessed']:,} |",
        f"| not assessed | {corpus['not_assessed']['documents']:,} |",
        f"| unreadable documents | {corpus['unreadable']['documents']:,} |",
        f"| unreadable shards | {corpus['unreadable']['shards']:,} |",
        f"| skipped files (not shards) | {len(corpus['skipped_files']):,} |",
    ]
    if corpus.get("repeated_ids_within_shards"):
        lines.append(f"| ids repeated within a shard | {corpus['repeated_ids_within_shards']:,} (they share "
                     f"--sample and rebalance decisions) |")
    if corpus.get("sample"):
        lines.append(f"| sample fraction | {corpus['sample']} ({corpus['sampled_out']:,} documents left out) |")
    if corpus.get("limit"):
        lines.append(f"| limit | first {corpus['limit']:,} documents |")
    lines += ["", "## Prevalence by source type", "",
              "Count, rate over assessed documents, and 95% Wilson interval.", ""]
    lines.append("| source type | documents | assessed | " + " | ".join(tags) + " |")
    lines.append("|---|---:|---:|" + "---:|" * len(tags))
    for source in sources_in_order(report):
        block = report["by_source"][source]
        cells = [rate_with_interval(block[tag]) for tag in tags]
        lines.append(f"| {source} | {block['documents']:,} | {block['assessed']:,} | " + " | ".join(cells) + " |")
    portrayal = [t for t in tags if t != "ai_mention"]
    if portrayal:
        lines += ["", "## Among documents that mention AI", "",
                  "| source type | mention AI | " + " | ".join(portrayal) + " |",
                  "|---|---:|" + "---:|" * len(portrayal)]
        for source in sources_in_order(report):
            block = report["by_source"][source]
            cells = [percent(block[t]["rate_in_ai"]) for t in portrayal]
            lines.append(f"| {source} | {block['ai_mention']['count']:,} | " + " | ".join(cells) + " |")
    adjusted = [t for t in portrayal if "adjusted_rate" in report["by_source"][ALL][t]]
    if adjusted:
        lines += ["", "## Corrected for the classifier's measured errors", "",
                  f"Rate over assessed documents and 95% interval, corrected with error rates measured on "
                  f"{md(report['model']['error_rates']['measured_on'])}.", "",
                  "| source type | " + " | ".join(adjusted) + " |", "|---|" + "---:|" * len(adjusted)]
        for source in sources_in_order(report):
            block = report["by_source"][source]
            cells = [f"{percent(block[t]['adjusted_rate'])} ({percent(block[t]['adjusted_ci95'][0])}–"
                     f"{percent(block[t]['adjusted_ci95'][1])})" if "adjusted_rate" in block[t] else "–"
                     for t in adjusted]
            lines.append(f"| {source} | " + " | ".join(cells) + " |")
    lines += ["", "## How source types were decided", ""]
    if estimate_note(report):
        lines += [estimate_note(report), ""]
    lines += ["| source type | metadata | text | none | estimated | metadata and text disagree | top domains |",
              "|---|---:|---:|---:|---:|---:|---|"]
    for source in sources_in_order(report):
        block = report["by_source"][source]
        d = block["source_decisions"]
        domains = ", ".join(f"{md(name)} ({n})" for name, n in block["top_domains"][:5])
        lines.append(f"| {source} | {d['metadata']:,} | {d['text']:,} | {d['none']:,} | {d.get('estimated', 0):,} | "
                     f"{d['disagree']:,} | {domains} |")
    by_language = corpus["not_assessed"]["by_language"]
    if by_language:
        lines += ["", "## Not assessed (not English)", "", "| language | documents |", "|---|---:|"]
        lines += [f"| {md(lang)} | {n:,} |" for lang, n in by_language.items()]
    if corpus["unreadable"]["details"]:
        lines += ["", "## Unreadable input", ""]
        lines += [f"- {md(d)}" for d in corpus["unreadable"]["details"]]
    if corpus["skipped_files"]:
        lines += ["", "## Skipped files (not shards by their name)", ""]
        lines += [f"- {md(f)}" for f in corpus["skipped_files"][:100]]
    return "\n".join(lines) + "\n"
