"""Speed of the AI-mention gate's prefilter engines (Python re, RE2, Hyperscan) on the same texts.

Texts: the C4 web sample (mostly documents without any AI mention, like a real crawl) repeated
to a few MB, and the labeled dev set (mostly AI documents). For each engine it prints the
prefilter's yes/no answer ("any"), its list of the patterns present ("ids", what the gate
uses) and the whole gate ("find": ids + exact spans + rules), as MB/s, docs/s and microseconds
per document, with the ratio to the first row of the stage, measured in the same run. The
"re-naive" row is the plain big alternation with its leading word boundaries (the baseline);
"re" is the gate's own fallback, which drops them. It also checks that every engine gives the
same mentions. With --baseline-lexicon (e.g. the lexicon before an edit, from `git show`), a
last row times the whole gate with that lexicon on the default engine, so a lexicon change is
measured against the lexicon it replaces in the same run.

    python benchmarks/gate_engines.py [--data ../shared/data] [--mb 2] [--baseline-lexicon OLD.yaml]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import re

from corpus_audit.gate import AIMentionGate
from corpus_audit.gate.engines import ENGINES, TermPattern
from corpus_audit.gate.lexicon import load_lexicon

from timing import seconds_per_item

REPO = Path(__file__).resolve().parents[1]


def read_texts(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line)["text"] for line in lines if line.strip()]


def repeat_to(texts: list[str], megabytes: float) -> list[str]:
    out, size = [], 0
    while size < megabytes * 1e6:
        for text in texts:
            out.append(text)
            size += len(text.encode("utf-8"))
    return out


def naive_alternation():
    """Python re, one big alternation of every term pattern as written (leading \\b kept)."""
    patterns = [TermPattern(p, e.case_sensitive) for e in load_lexicon().entries for p in e.patterns]
    regex = re.compile("|".join(p.for_text() for p in patterns), re.ASCII)
    return lambda text: regex.search(text) is not None


def bench(name: str, texts: list[str], baseline_lexicon: Path | None = None) -> None:
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"\n== {name}: {len(texts)} docs, {megabytes:.1f} MB")
    print(f"{'engine':10s} {'stage':9s} {'MB/s':>8s} {'docs/s':>9s} {'us/doc':>8s} {'x re':>6s}")
    gates = {}
    for engine in ENGINES:
        try:
            gates[engine] = AIMentionGate(engine=engine)
            gates[engine].compiled
        except Exception as error:  # e.g. hyperscan on a CPU without SSSE3
            print(f"{engine:10s} unavailable: {error}")
            gates.pop(engine, None)
    runs = [("re-naive", "any", naive_alternation(), 1)]
    for stage in ("any", "ids", "find"):
        for engine in ["re"] + [e for e in gates if e != "re"]:
            prefilter = gates[engine].compiled.prefilter
            function = {"any": prefilter.any_match, "ids": prefilter.matching,
                        "find": gates[engine].find}[stage]
            runs.append((engine, stage, function, 3))
    if baseline_lexicon is not None:
        runs.append(("old-lex", "find", AIMentionGate(baseline_lexicon).find, 3))
    baseline = {}
    for engine, stage, function, rounds in runs:
        seconds = seconds_per_item(function, texts, rounds) * len(texts)
        baseline.setdefault(stage, seconds)
        print(f"{engine:10s} {stage:9s} {megabytes / seconds:8.1f} {len(texts) / seconds:9.0f} "
              f"{1e6 * seconds / len(texts):8.1f} {baseline[stage] / seconds:6.2f}", flush=True)
    reference = [gates["re"].find(t) for t in texts]
    for engine, gate in gates.items():
        assert [gate.find(t) for t in texts] == reference, f"{engine} differs from re"
    passed = sum(bool(m) for m in reference)
    print(f"all engines agree; {passed}/{len(texts)} docs have a mention")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--mb", type=float, default=2.0, help="size of the repeated C4 text")
    parser.add_argument("--baseline-lexicon", type=Path, help="also time the gate with this lexicon")
    args = parser.parse_args()
    web = repeat_to(read_texts(args.data / "corpora/web/c4/c4_sample.jsonl"), args.mb)
    bench("C4 web sample (repeated)", web, args.baseline_lexicon)
    bench("dev set (AI-heavy)", read_texts(args.data / "dev/dev.jsonl"), args.baseline_lexicon)


if __name__ == "__main__":
    main()
