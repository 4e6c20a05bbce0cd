"""Write audit.json, audit.md and audit.html, each atomically."""
from __future__ import annotations

from pathlib import Path

from corpus_audit.io.atomic import write_json, write_text
from corpus_audit.report.examples import top_examples
from corpus_audit.report.html import render_html
from corpus_audit.report.markdown import render_markdown


def write_reports(report: dict, output_dir: Path, tags_dirs: list[Path]) -> None:
    write_json(output_dir / "audit.json", report)
    write_text(output_dir / "audit.md", render_markdown(report))
    examples = top_examples(tags_dirs, [t for t in report["tags"] if t != "ai_mention"])
    write_text(output_dir / "audit.html", render_html(report, examples))
