"""audit.html: one self-contained page (no scripts, no network) with bar charts and example evidence.

Everything that comes from the corpus (ids, domains, evidence, file names) is
untrusted and goes through html.escape.
"""
from __future__ import annotations

from html import escape

from corpus_audit.report.markdown import estimate_note, percent, source_text_scope, sources_in_order

_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1d1d1f;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.25rem .6rem;border-bottom:1px solid #eee;text-align:right}
td:first-child,th:first-child{text-align:left}.bar{position:relative;height:14px;background:#f0f0f3;width:220px}
.bar i{position:absolute;top:0;left:0;bottom:0;background:#5b6ee1}.bar b{position:absolute;top:5px;height:4px;background:#111}
.muted{color:#666;font-size:.9em}blockquote{margin:.3rem 0 1rem;padding:.4rem .8rem;background:#f7f7f9;border-left:3px solid #5b6ee1}
"""


def _bar(block: dict, scale: float) -> str:
    if block["rate"] is None or scale <= 0:
        return "–"
    lo, hi = block["ci95"]
    width = 100 * block["rate"] / scale
    interval = f'<b style="left:{100 * lo / scale:.2f}%;width:{100 * (hi - lo) / scale:.2f}%"></b>'
    label = f"{percent(block['rate'], 2)} [{percent(lo, 2)}–{percent(hi, 2)}]"
    return f'<div class="bar" title="{escape(label)}"><i style="width:{width:.2f}%"></i>{interval}</div>' \
           f'<span class="muted">{block["count"]:,} · {escape(label)}</span>'


def _adjusted(block: dict) -> str:
    if "adjusted_rate" not in block:
        return ""
    low, high = block["adjusted_ci95"]
    return f"<td>{percent(block['adjusted_rate'], 2)} [{percent(low, 2)}–{percent(high, 2)}]</td>"


def _tag_table(report: dict, tag: str) -> str:
    sources = sources_in_order(report)
    scale = max((report["by_source"][s][tag]["ci95"] or (0, 0))[1] for s in sources) or 1.0
    adjusted = "adjusted_rate" in report["by_source"]["all"][tag]
    rows = "".join(
        f"<tr><td>{escape(s)}</td><td>{report['by_source'][s]['assessed']:,}</td>"
        f"<td style='text-align:left'>{_bar(report['by_source'][s][tag], scale)}</td>"
        f"{_adjusted(report['by_source'][s][tag])}</tr>"
        for s in sources
    )
    head = "<th>corrected for errors</th>" if adjusted else ""
    return (f"<h3>{escape(tag)}</h3><table><tr><th>source type</th><th>assessed</th>"
            f"<th>rate, 95% interval (bar scale 0–{percent(scale, 1)})</th>{head}</tr>{rows}</table>")


def _decisions(report: dict) -> str:
    rows = []
    for source in sources_in_order(report):
        block = report["by_source"][source]
        d = block["source_decisions"]
        domains = ", ".join(f"{escape(name)} ({n:,})" for name, n in block["top_domains"][:5])
        rows.append(f"<tr><td>{escape(source)}</td><td>{d['metadata']:,}</td><td>{d['text']:,}</td>"
                    f"<td>{d['none']:,}</td><td>{d.get('estimated', 0):,}</td><td>{d['disagree']:,}</td>"
                    f"<td style='text-align:left'>{domains}</td></tr>")
    note = f"<p class='muted'>{escape(estimate_note(report))}</p>" if estimate_note(report) else ""
    return ("<h2>How source types were decided</h2>" + note + "<table><tr><th>source type</th><th>metadata</th>"
            "<th>text</th><th>none</th><th>estimated</th><th>disagree</th><th>top domains</th></tr>"
            + "".join(rows) + "</table>")


def _examples(examples: dict[str, list[dict]]) -> str:
    parts = []
    for tag, items in examples.items():
        if not items:
            continue
        parts.append(f"<h3>{escape(tag)}</h3>")
        for item in items:
            parts.append(
                f"<p class='muted'>{escape(item['id'])} · {escape(item['source_type'])} · "
                f"{escape(item['domain'] or '')} · score {item['score']:.2f}</p>"
                f"<blockquote>{escape(item['evidence'])}</blockquote>"
            )
    return "".join(parts)


def render_html(report: dict, examples: dict[str, list[dict]]) -> str:
    corpus, model = report["corpus"], report["model"]
    summary = [
        ("documents read", f"{corpus['documents']:,}"), ("characters", f"{corpus['chars']:,}"),
        ("shards", f"{corpus['shards']:,}"), ("not assessed (not English)", f"{corpus['not_assessed']['documents']:,}"),
        ("unreadable documents", f"{corpus['unreadable']['documents']:,}"),
        ("unreadable shards", f"{corpus['unreadable']['shards']:,}"),
        ("skipped files", f"{len(corpus['skipped_files']):,}"),
    ]
    if corpus.get("sample"):
        summary.append(("sample fraction", f"{corpus['sample']} ({corpus['sampled_out']:,} documents left out)"))
    if corpus.get("limit"):
        summary.append(("limit", f"first {corpus['limit']:,} documents"))
    summary += [(f"not assessed: {escape(lang)}", f"{n:,}") for lang, n in corpus["not_assessed"]["by_language"].items()]
    details = "".join(f"<li><code>{escape(d)}</code></li>" for d in corpus["unreadable"]["details"])
    body = [
        "<h1>corpus-audit report</h1>",
        f"<p class='muted'>{escape(', '.join(corpus['paths']))}<br>model: {escape(str(model['name'] or 'gate only'))} "
        f"{escape(str(model['version'] or ''))} · tier {escape(model['tier'])} · "
        f"source type {escape(str(report.get('source_type_model') or 'not recorded'))} "
        f"(text model: {escape(source_text_scope(report))}) · "
        f"{escape(report['tool']['name'])} {escape(report['tool']['version'])}</p>",
        "<h2>Corpus</h2><table>" + "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in summary) + "</table>",
        "<h2>Prevalence by source type</h2><p class='muted'>Rate over assessed documents; the black line is the 95% Wilson interval.</p>",
        *[_tag_table(report, tag) for tag in report["tags"]],
    ]
    if model.get("error_rates"):
        body.append(f"<p class='muted'>Corrected rates use the classifier's error rates measured on "
                    f"{escape(str(model['error_rates'].get('measured_on')))}; 0% means the observed rate is within "
                    f"what its false positives alone would produce.</p>")
    body.append(_decisions(report))
    if examples:
        body += ["<h2>Example evidence</h2>", _examples(examples)]
    if details:
        body += ["<h2>Unreadable input</h2><ul>", details, "</ul>"]
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>corpus-audit report</title><style>{_STYLE}</style></head><body>{''.join(body)}</body></html>\n"
    )
