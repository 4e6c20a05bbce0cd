"""Recipe of the shipped source-type text model (classifiers/source_type.bin).

    python -m corpus_audit.classify.source_type_training classifiers/source_type.bin \
        --corpora ../shared/data --team data/train/team_source_type.jsonl data/train/team_portrayal.jsonl \
        data/train/c4_source_types.jsonl

`corpora_dir` is the shared data folder (its corpora/ and train/); texts are
read there at training time and never copied into the repository. Every set
is cut into windows of MAX_CHARS characters (what the model reads of a document).
See classifiers/SOURCE_TYPE.md for the data, counts and metrics.
"""
import argparse
import ast
import csv
import html
import json
import random
import re
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from corpus_audit.classify.source_rules import MetadataRules, domain_of
from corpus_audit.classify.source_text import LABEL_PREFIX, MAX_CHARS, model_card_path, text_features
from corpus_audit.labels import SOURCE_TYPES

MODEL_VERSION = "source-type-ft-5"
WINDOW_CHARS = MAX_CHARS  # the model reads the first MAX_CHARS of a document: train on pieces that size
LABELED_WINDOWS = 2  # a labeled page also gives its second window
# how many examples each set may give, and how often the in-domain labeled sets repeat
CAPS = {"gutenberg_per_book": 60, "ag_news": 600, "bbc": 900, "20newsgroups": 800,
        "stackexchange_posts": 500, "stackexchange_comments": 150, "reddit": 500, "c4": 1000}
REPEAT_LABELED = 4
REPEAT_TEAM = 5
REPEAT_REFERENCED = 1  # corpus pages the team labeled count like the corpora's other pages
# Not quantized: product-quantized rows take twice as long to add up (28 instead of 14 µs per page),
# and every document of an audit pays that; 8 dimensions keep the file at 4.3 MB (SOURCE_TYPE.md).
FASTTEXT_PARAMS = dict(epoch=25, lr=0.2, wordNgrams=2, dim=8, minCount=5, bucket=100000, loss="softmax", thread=1)
C4_PATH = "web/c4/c4_sample.jsonl"
_GUTENBERG_BODY = re.compile(r"\*\*\* ?START OF [^\n]*\n(.*?)\n[^\n]*\*\*\* ?END OF", re.S)
_HTML_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|pre|li|blockquote|h\d)>|<br\s*/?>", re.I)


# --- text helpers ------------------------------------------------------------------------
def unwrap(text: str) -> str:
    """Join hard-wrapped lines into one line per paragraph (quoted '>' lines stay apart)."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.replace("\r", "")):
        lines, current = [], []
        for line in block.split("\n"):
            if line.lstrip().startswith(">"):
                if current:
                    lines.append(" ".join(current))
                    current = []
                lines.append(line.strip())
            elif line.strip():
                current.append(line.strip())
        if current:
            lines.append(" ".join(current))
        if lines:
            paragraphs.append("\n".join(lines))
    return "\n".join(paragraphs)


def windows(text: str, size: int = WINDOW_CHARS) -> list[str]:
    """Consecutive runs of whole paragraphs of about `size` characters."""
    out, current, length = [], [], 0
    for paragraph in text.split("\n"):
        if length >= size and current:
            out.append("\n".join(current))
            current, length = [], 0
        current.append(paragraph)
        length += len(paragraph) + 1
    if current and (length > size // 4 or not out):
        out.append("\n".join(current))
    return [w[: size + 500] for w in out]


def html_to_text(body: str) -> str:
    return html.unescape(_HTML_TAG.sub("", _BLOCK_END.sub("\n", body))).strip()


# --- readers, one per set: each yields (source_type, text) -----------------------------
def read_gutenberg(corpora: Path, rng: random.Random):
    for path in sorted((corpora / "corpora/fiction/gutenberg").rglob("*.txt")):
        if "licenses" in path.parts:
            continue
        raw = path.read_text(encoding="utf-8", errors="replace")
        match = _GUTENBERG_BODY.search(raw)
        body = unwrap(match.group(1) if match else raw)
        chunks = windows(body)[2:-2]  # skip front matter and back matter
        for chunk in rng.sample(chunks, min(len(chunks), CAPS["gutenberg_per_book"])):
            yield "fiction", chunk


def read_ag_news(corpora: Path, rng: random.Random):
    with open(corpora / "corpora/news/ag_news/test.csv", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    for _, title, description in rng.sample(rows, min(len(rows), CAPS["ag_news"])):
        yield "media", f"{title}\n{description.replace(chr(92), ' ')}"


def read_bbc(corpora: Path, rng: random.Random):
    paths = sorted((corpora / "corpora/news/bbc/bbc").glob("*/*.txt"))
    for path in rng.sample(paths, min(len(paths), CAPS["bbc"])):
        text = path.read_text(encoding="utf-8", errors="replace")
        yield "media", windows(re.sub(r"\n\s*\n", "\n", text))[0]


def read_20newsgroups(corpora: Path, rng: random.Random):
    paths = sorted((corpora / "corpora/forums/20newsgroups").rglob("*"))
    paths = [p for p in paths if p.is_file()]
    for path in rng.sample(paths, min(len(paths), CAPS["20newsgroups"])):
        raw = path.read_text(encoding="latin-1")
        body = raw.split("\n\n", 1)[1] if "\n\n" in raw else raw  # drop the mail headers
        text = unwrap(body)
        if len(text) > 80:
            yield "forum", windows(text)[0]


def stackexchange_posts(path: Path) -> dict[str, str]:
    """Post id -> title and body as plain text, in file order, from a Stack Exchange `Posts.xml` dump."""
    posts = {}
    for _, element in ET.iterparse(path):
        if element.tag == "row":
            body = html_to_text(element.get("Body", ""))
            title = element.get("Title")
            posts[element.get("Id")] = f"{title}\n{body}" if title else body
            element.clear()
    return posts


def read_stackexchange(corpora: Path, rng: random.Random):
    folder = corpora / "corpora/forums/stackexchange_ai"
    posts = [text for text in stackexchange_posts(folder / "Posts.xml").values() if len(text) > 80]
    for text in rng.sample(posts, min(len(posts), CAPS["stackexchange_posts"])):
        yield "forum", windows(text)[0]
    threads: dict[str, list[str]] = {}
    for _, row in ET.iterparse(folder / "Comments.xml"):
        if row.tag == "row":
            threads.setdefault(row.get("PostId", ""), []).append(row.get("Text", ""))
            row.clear()
    joined = ["\n".join(comments) for comments in threads.values() if len(comments) >= 3]
    for text in rng.sample(joined, min(len(joined), CAPS["stackexchange_comments"])):
        yield "forum", windows(text)[0]


def _reddit_bytes(literal: str) -> str:
    try:
        return ast.literal_eval(literal).decode("utf-8", errors="replace").strip()
    except (ValueError, SyntaxError):
        return literal.strip()


def read_reddit(corpora: Path, rng: random.Random):
    chunks = []
    for path in sorted((corpora / "corpora/forums/reddit_ishandandekar/data").rglob("*.txt")):
        parts = []
        for line in path.read_text(encoding="utf-8", errors="replace").split("\n"):
            marker, _, rest = line.partition(" ")
            if marker == "##":
                parts.append(rest.strip())
            elif marker in ("####", "######"):
                parts.append(_reddit_bytes(rest))
        chunks.extend(windows("\n".join(p for p in parts if p)))
    for chunk in rng.sample(chunks, min(len(chunks), CAPS["reddit"])):
        yield "forum", chunk


def read_c4(corpora: Path, rng: random.Random, labeled: frozenset = frozenset()):
    """C4 is mixed web: pages without a label of their own (`labeled`: line numbers that a reference file
    labels) get the built-in URL rules' type (weak ones too), or `other`."""
    rules = MetadataRules()
    with open(corpora / "corpora" / C4_PATH, encoding="utf-8") as handle:
        rows = [json.loads(line) for number, line in enumerate(handle) if number not in labeled]
    for row in rng.sample(rows, min(len(rows), CAPS["c4"])):
        url = row.get("url", "")
        hint = rules.hint(url, domain_of(url), None)
        yield (hint.source_type if hint else "other"), windows(row["text"])[0]


def read_labeled(path: Path, repeat: int, corpora: Path | None = None):
    """(source_type, window, times) of labeled JSONL: labeling.md format, the team's id/url/source_type/text
    files, or labels of pages in the corpora folder given by reference (`path` under corpora/ with `line` and
    `field`, as in training.py), which count `REPEAT_REFERENCED` times instead of `repeat`."""
    from corpus_audit.classify.training import resolve_reference

    cache: dict = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            times = repeat
            if "text" not in row and "path" in row and corpora is not None:
                row["text"] = resolve_reference(row, corpora / "corpora", cache)
                times = REPEAT_REFERENCED
            if row.get("source_type") in SOURCE_TYPES and row.get("text"):
                for window in windows(row["text"])[:LABELED_WINDOWS]:
                    yield row["source_type"], window, times


def labeled_c4_lines(files) -> frozenset:
    """Line numbers of the C4 sample that the given files label by reference."""
    lines = set()
    for file in files:
        with open(file, encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                if row.get("path") == C4_PATH and "line" in row:
                    lines.add(int(row["line"]))
    return frozenset(lines)


CORPUS_READERS = {"gutenberg": read_gutenberg, "ag_news": read_ag_news, "bbc": read_bbc,
                  "20newsgroups": read_20newsgroups, "stackexchange_ai": read_stackexchange,
                  "reddit_ishandandekar": read_reddit, "c4": read_c4}


def training_examples(corpora_dir: Path, team_files, seed: int = 0) -> tuple[list[tuple[str, str]], dict]:
    """(source_type, text) pairs and their counts per set and per source type."""
    rng = random.Random(seed)
    examples, counts = [], {}
    team_files = [Path(f) for f in team_files if Path(f).is_file()]
    for name, reader in CORPUS_READERS.items():
        extra = {"labeled": labeled_c4_lines(team_files)} if reader is read_c4 else {}
        got = list(reader(corpora_dir, rng, **extra))
        counts[name] = dict(Counter(label for label, _ in got))
        examples.extend(got)
    train_file = corpora_dir / "train/train.jsonl"
    labeled = [(train_file, REPEAT_LABELED)] if train_file.is_file() else []
    for path, repeat in labeled + [(team_file, REPEAT_TEAM) for team_file in team_files]:
        got = list(read_labeled(path, repeat, corpora_dir))
        counts[path.name] = dict(Counter(label for label, _, _ in got))  # windows, before repetition
        examples.extend((label, window) for label, window, times in got for _ in range(times))
    rng.shuffle(examples)
    return examples, counts


def train_source_type_model(output_path, corpora_dir, team_files=(), seed: int = 0) -> dict:
    """Train and save the model (fastText .bin) and its card (.json); returns the card.

    corpora_dir: the shared data folder (holding corpora/ and train/), or its corpora/.
    team_files: team-written JSONL files (id, url, source_type, text); missing ones are skipped.
    """
    import fasttext

    corpora_dir, output_path = Path(corpora_dir), Path(output_path)
    if not (corpora_dir / "corpora").is_dir() and (corpora_dir.parent / "corpora") == corpora_dir:
        corpora_dir = corpora_dir.parent  # given ../shared/data/corpora rather than ../shared/data
    examples, counts = training_examples(corpora_dir, team_files, seed)
    with tempfile.TemporaryDirectory() as tmp:
        train_path = Path(tmp) / "train.txt"
        with open(train_path, "w", encoding="utf-8") as handle:
            for label, text in examples:
                line = text_features(text)
                if line:
                    handle.write(f"{LABEL_PREFIX}{label} {line}\n")
        params = dict(FASTTEXT_PARAMS)
        while True:
            try:
                model = fasttext.train_supervised(input=str(train_path), seed=seed, verbose=0, **params)
                break
            except RuntimeError as error:  # fastText diverges ("Encountered NaN") when lr is too high for the data
                if "NaN" not in str(error) or params["lr"] < 0.05:
                    raise
                params["lr"] = round(params["lr"] / 2, 4)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    model.save_model(str(output_path))
    card = {
        "version": MODEL_VERSION,
        "labels": list(SOURCE_TYPES),
        "seed": seed,
        "window_chars": WINDOW_CHARS,
        "fasttext": params,
        "examples": len(examples),
        "examples_by_type": dict(Counter(label for label, _ in examples)),
        "sets": counts,
        "size_bytes": output_path.stat().st_size,
    }
    model_card_path(output_path).write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return card


def evaluate_source_types(resolver, rows, use_urls: bool = True) -> dict:
    """Accuracy, macro-F1 and per-type F1 of a resolver on labeled rows."""
    gold, predicted = [], []
    for row in rows:
        decision = resolver.resolve(row["text"], row.get("url") if use_urls else None, None)
        gold.append(row["source_type"])
        predicted.append(decision.source_type)
    f1 = {}
    for label in SOURCE_TYPES:
        tp = sum(g == p == label for g, p in zip(gold, predicted))
        fp = sum(p == label != g for g, p in zip(gold, predicted))
        fn = sum(g == label != p for g, p in zip(gold, predicted))
        f1[label] = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    present = [label for label in SOURCE_TYPES if label in gold]
    return {
        "documents": len(gold),
        "accuracy": sum(g == p for g, p in zip(gold, predicted)) / max(len(gold), 1),
        "macro_f1": sum(f1[label] for label in present) / max(len(present), 1),
        "f1": f1,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--corpora", type=Path, required=True, help="the shared data folder (corpora/, train/)")
    parser.add_argument("--team", type=Path, nargs="*", default=[], help="team-written JSONL files")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    card = train_source_type_model(args.output, args.corpora, args.team, args.seed)
    print(json.dumps(card, indent=2))


if __name__ == "__main__":
    main()
