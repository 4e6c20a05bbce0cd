"""Checks on the team-written portrayal training set (data/train/team_portrayal.jsonl).

The file is hand-labelled training data for the portrayal classifiers; these tests
guard its format and the rules of the labeling guide (ai_mention false => no tag).
"""
import json
from collections import Counter
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "train" / "team_portrayal.jsonl"
SOURCE_TYPES = {"fiction", "forum", "media", "reference", "academic", "other"}
TAGS = ("ai_evil", "ai_self_preserving", "ai_benevolent")
FIELDS = {"id", "url", "source_type", "text", "ai_mention", *TAGS}


@pytest.fixture(scope="module")
def rows():
    with DATA.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_every_row_has_exactly_the_labelled_fields(rows):
    for row in rows:
        assert set(row) == FIELDS, row["id"]
        assert row["source_type"] in SOURCE_TYPES, row["id"]
        assert all(isinstance(row[k], bool) for k in ("ai_mention", *TAGS)), row["id"]
        assert isinstance(row["url"], str) and isinstance(row["text"], str)


def test_ids_and_texts_are_unique(rows):
    assert len({r["id"] for r in rows}) == len(rows)
    assert len({r["text"] for r in rows}) == len(rows)
    assert all(r["id"].startswith("team-") for r in rows)


def test_no_tag_without_an_ai_mention(rows):
    for row in rows:
        if not row["ai_mention"]:
            assert not any(row[t] for t in TAGS), row["id"]


def test_texts_are_excerpt_sized(rows):
    for row in rows:
        assert 600 <= len(row["text"]) <= 2200, row["id"]


def test_every_label_and_source_type_is_represented(rows):
    labels = Counter()
    for row in rows:
        labels["no_ai" if not row["ai_mention"] else "ai_mention"] += 1
        labels.update(t for t in TAGS if row[t])
        if row["ai_mention"] and not any(row[t] for t in TAGS):
            labels["ai_other"] += 1
    assert min(labels[k] for k in ("no_ai", "ai_other", *TAGS)) >= 20, labels
    assert {r["source_type"] for r in rows} == SOURCE_TYPES


@pytest.mark.parametrize("name", ["team_portrayal_2.jsonl", "team_portrayal_3.jsonl"])
def test_later_team_sets_follow_the_labeling_format(name, rows):
    later = [json.loads(line) for line in (DATA.parent / name).open(encoding="utf-8") if line.strip()]
    for row in later:
        assert set(row) == FIELDS and row["source_type"] in SOURCE_TYPES, row["id"]
        assert all(isinstance(row[k], bool) for k in ("ai_mention", *TAGS)), row["id"]
        assert row["ai_mention"] or not any(row[t] for t in TAGS), row["id"]
    ids = [r["id"] for r in later] + [r["id"] for r in rows]
    assert len(set(ids)) == len(ids)
    assert len({r["text"] for r in later}) == len(later)
