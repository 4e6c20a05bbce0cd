"""Cut a document into blocks of whole paragraphs, so `filter --unit paragraph` can remove only the flagged ones.

Paragraphs are separated by blank lines (a text without blank lines but with
line breaks is cut at line breaks). Short paragraphs are merged with the
following ones into blocks of at least MIN_BLOCK_CHARS, because the classifiers
need some context to judge a portrayal. Each block keeps its trailing
separator, so the kept blocks joined give the original text minus the removed ones.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MIN_BLOCK_CHARS = 400
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_LINE_BREAK = re.compile(r"\n\s*")


@dataclass(frozen=True)
class Block:
    text: str
    paragraphs: int


def paragraph_spans(text: str) -> list[str]:
    separator = _BLANK_LINE if _BLANK_LINE.search(text) else _LINE_BREAK
    pieces, start = [], 0
    for match in separator.finditer(text):
        pieces.append(text[start:match.end()])
        start = match.end()
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def split_blocks(text: str, min_chars: int = MIN_BLOCK_CHARS) -> list[Block]:
    blocks, current, count = [], "", 0
    for paragraph in paragraph_spans(text):
        current += paragraph
        count += bool(paragraph.strip())
        if len(current.strip()) >= min_chars:
            blocks.append(Block(current, count))
            current, count = "", 0
    if current:
        if blocks and len(current.strip()) < min_chars:
            last = blocks.pop()  # a short tail joins the block before it
            blocks.append(Block(last.text + current, last.paragraphs + count))
        else:
            blocks.append(Block(current, count))
    return blocks
