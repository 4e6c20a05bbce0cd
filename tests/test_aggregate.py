"""Wilson intervals against a hand computation, and exact merging of partial counts."""
import math
import random

import pytest

from corpus_audit.aggregate.counts import Counts
from corpus_audit.aggregate.intervals import wilson_interval


def test_wilson_matches_hand_computation():
    # n = 100, k = 10, z = 1.96: centre = (0.1 + 1.96²/200) / (1 + 1.96²/100) = 0.11921...
    # half = 1.96 * sqrt(0.1*0.9/100 + 1.96²/40000) / (1 + 1.96²/100) = 0.06404...
    lo, hi = wilson_interval(10, 100, z=1.96)
    assert lo == pytest.approx(0.05523, abs=1e-5)
    assert hi == pytest.approx(0.17437, abs=1e-5)


def test_wilson_edges():
    assert wilson_interval(0, 0) is None
    lo, hi = wilson_interval(0, 50)
    assert lo == 0.0 and 0.06 < hi < 0.08  # the "rule of three"-like upper bound, not a zero-width interval
    lo, hi = wilson_interval(50, 50)
    assert hi == 1.0 and 0.92 < lo < 0.94


def test_wilson_covers_the_true_rate_about_95_percent_of_the_time():
    rng = random.Random(7)
    p, n, trials = 0.03, 400, 2000
    covered = 0
    for _ in range(trials):
        k = sum(rng.random() < p for _ in range(n))
        lo, hi = wilson_interval(k, n)
        covered += lo <= p <= hi
    assert 0.93 <= covered / trials <= 0.97


def _row(source, assessed=True, ai=False, evil=False, chars=100, domain="a.org", language="en"):
    return {"source_type": source, "source_type_from": "metadata", "source_disagree": False, "domain": domain,
            "language": language, "assessed": assessed, "chars": chars, "ai_mention": ai, "ai_evil": evil,
            "ai_self_preserving": False, "ai_benevolent": False}


def test_merging_partials_equals_counting_everything_at_once():
    rng = random.Random(1)
    rows = [_row(rng.choice(["fiction", "forum", "media"]), assessed=rng.random() > 0.1, ai=(a := rng.random() < 0.2),
                 evil=a and rng.random() < 0.5, chars=rng.randint(10, 5000), domain=f"d{rng.randint(0, 20)}.org",
                 language=rng.choice(["en", "fr"]))
            for _ in range(3000)]
    whole = Counts()
    for row in rows:
        whole.add(row)
    parts = [Counts() for _ in range(7)]
    for i, row in enumerate(rows):
        parts[i % 7].add(row)
    merged = Counts()
    for part in reversed(parts):
        merged.merge(Counts.from_json(part.to_json()))  # through JSON, as workers save them
    assert merged.to_json() == whole.to_json()
    total = merged.total()
    assert total.documents == 3000 and total.chars == sum(r["chars"] for r in rows)
    assert total.tag_documents["ai_evil"] == sum(r["ai_evil"] and r["assessed"] for r in rows)
    assert math.isclose(sum(total.not_assessed_languages.values()), 3000 - total.assessed)
