"""Source type of a document: each decision path, the user map, disagreement, pickling, dev accuracy."""
import json
import os
import pickle
from pathlib import Path

import pytest

from corpus_audit.classify.source_rules import MetadataRules, domain_of
from corpus_audit.classify.source_type import SourceDecision, SourceTypeResolver, default_model_path
from corpus_audit.classify.source_type_training import evaluate_source_types
from corpus_audit.labels import SOURCE_TYPES

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DEV = SHARED_DATA / "dev" / "dev.jsonl"

STORY = (
    '"Open the airlock," Mara whispered, but the ship did not answer. She pressed her palm against the cold '
    "panel and waited. Somewhere behind the walls the old machine was thinking, the way it always did before it "
    'lied to her. "I am sorry," it said at last, in the soft voice she had loved as a child. "I cannot let you '
    'leave." She laughed, because there was nothing else to do, and then she began to run down the long corridor '
    "toward the engine room, her boots ringing on the steel, while the lights went out one by one behind her."
)
SHOP_PAGE = (
    "Spring Sale: 20% off all garden furniture\nShop now | Free delivery on orders over $50 | Sign in | Basket (0)\n"
    "Our best-selling teak benches, loungers and dining sets are now 20% off until April 30. Use code SPRING20 at "
    "checkout. Every piece is made from sustainably sourced hardwood and comes with a 5-year warranty. Book a free "
    "design consultation with our team. Offer cannot be combined with other discounts. Terms and conditions apply. "
    "Subscribe to our newsletter for early access to sales. © 2024 Acme Outdoor Ltd. Privacy policy | Cookie settings"
)
NEWS = (
    "WASHINGTON (Reuters) - The Federal Reserve held interest rates steady on Wednesday, citing slowing "
    "inflation and a cooling labor market, and signaled that it could begin cutting rates later this year. "
    "Fed Chair Jerome Powell told reporters that the central bank needed greater confidence before easing policy. "
    "Stocks rose after the announcement, with the S&P 500 closing up 0.8 percent. Economists surveyed by Reuters "
    "had expected the decision. The next policy meeting is scheduled for June, officials said."
)


@pytest.fixture(scope="module")
def resolver():
    if not default_model_path().is_file():
        pytest.skip(f"shipped source-type model missing: {default_model_path()}")
    return SourceTypeResolver()


@pytest.fixture(scope="module")
def rules_only():
    return SourceTypeResolver(use_text_model=False)


def test_source_field_naming_a_source_type_decides(rules_only):
    decision = rules_only.resolve("anything", url="https://en.wikipedia.org/wiki/X", source_field="Fiction")
    assert decision == SourceDecision("fiction", "metadata", "en.wikipedia.org", False)


@pytest.mark.parametrize(
    "field, expected",
    [("gutenberg", "fiction"), ("Gutenberg (PG-19)", "fiction"), ("stackexchange", "forum"), ("cc_news", "media"),
     ("wikipedia", "reference"), ("arxiv", "academic"), ("pes2o", "academic"), ("dolma/reddit", "forum"),
     ("Pile-CC", "other")],
)
def test_dataset_names_map_to_source_types(rules_only, field, expected):
    assert rules_only.resolve("", source_field=field).source_type == expected


def test_listed_domain_decides_including_subdomains(rules_only):
    for url, expected in [("https://www.nytimes.com/2024/01/02/tech/ai.html", "media"),
                          ("https://old.reddit.com/user/someone", "forum"),
                          ("https://archiveofourown.org/users/x", "fiction"),
                          ("https://arxiv.org/list/cs.AI/recent", "academic"),
                          ("https://de.wikipedia.org/", "reference")]:
        decision = rules_only.resolve("", url=url)
        assert (decision.source_type, decision.decided_by) == (expected, "metadata"), url


def test_url_patterns_decide_on_unknown_hosts(rules_only):
    cases = {
        "https://mirror.example/r/AskScience/comments/abc/why": "forum",
        "https://mirror.example/r/WritingPrompts/comments/abc/wp_the_ai": "fiction",  # beats the forum pattern
        "https://some-board.example/threads/robot-mower-review.1234/": "forum",
        "https://novels.example/novel/the-last-robot/chapter-12": "fiction",
        "https://lab.example/abs/2401.01234": "academic",
        "https://project.example/docs/install": "reference",
    }
    for url, expected in cases.items():
        assert rules_only.resolve("", url=url).source_type == expected, url


def test_nothing_known_gives_unknown(rules_only):
    assert rules_only.resolve("some text", url="https://q7x.example/p/1") == SourceDecision("unknown", "none", "q7x.example")
    assert rules_only.resolve("", url=None).decided_by == "none"


def test_text_model_decides_without_metadata(resolver):
    decision = resolver.resolve(STORY)
    assert (decision.source_type, decision.decided_by, decision.domain) == ("fiction", "text", "")
    assert resolver.resolve(NEWS).source_type == "media"


def test_confident_text_overrides_weak_metadata(resolver):
    decision = resolver.resolve(STORY, url="https://someone.blogspot.com/2020/01/untitled.html")
    assert (decision.source_type, decision.decided_by, decision.disagree) == ("fiction", "text", True)


def test_text_saying_other_never_overrides_weak_metadata(resolver):
    assert resolver.text_model_.predict(SHOP_PAGE) == ("other", pytest.approx(1.0, abs=0.1))
    decision = resolver.resolve(SHOP_PAGE, url="https://www.acme-outdoor.example/news/spring-sale")  # weak: /news/
    assert (decision.source_type, decision.decided_by, decision.disagree) == ("media", "metadata", True)
    assert resolver.resolve(SHOP_PAGE).source_type == "other"  # without metadata the text decides


def test_decisive_metadata_is_kept_and_disagreement_flagged(resolver):
    decision = resolver.resolve(STORY, url="https://www.reuters.com/world/some-article")
    assert (decision.source_type, decision.decided_by, decision.disagree) == ("media", "metadata", True)
    agreeing = resolver.resolve(NEWS, url="https://www.reuters.com/markets/fed")
    assert (agreeing.source_type, agreeing.disagree) == ("media", False)


def test_text_model_can_skip_documents_whose_metadata_is_decisive(resolver):
    skipping = SourceTypeResolver(check_decisive=False)
    read = []
    original = skipping.text_model_.predict_batch
    skipping.text_model_.predict_batch = lambda texts: read.extend(texts) or original(texts)
    urls = ["https://www.reuters.com/world/some-article", None, "https://someone.blogspot.com/2020/01/x.html"]
    decisions = skipping.resolve_batch([STORY, NEWS, STORY], urls, [None, None, None])
    assert read == [NEWS, STORY]  # the Reuters page (a decisive domain) never reaches the model
    assert (decisions[0].source_type, decisions[0].decided_by, decisions[0].disagree) == ("media", "metadata", False)
    assert decisions[1] == resolver.resolve(NEWS)
    assert decisions[2] == resolver.resolve(STORY, url=urls[2])  # a weak hint is still overridden


def test_user_map_yaml_overrides_builtins(tmp_path):
    source_map = tmp_path / "map.yaml"
    source_map.write_text("reddit.com: fiction\nmy_crawl_2024: reference\n", encoding="utf-8")
    resolver = SourceTypeResolver(source_map=source_map, use_text_model=False)
    assert resolver.resolve("", url="https://www.reddit.com/r/x/comments/1/").source_type == "fiction"
    assert resolver.resolve("", source_field="my_crawl_2024").source_type == "reference"
    assert resolver.resolve("", source_field="arxiv").source_type == "academic"  # built-ins still apply elsewhere


def test_an_edited_user_map_is_read_again_in_the_same_process(tmp_path):
    """Loaded parts are cached per process; editing the map between two audits must still take effect."""
    from corpus_audit.cascade import Cascade, CascadeConfig

    source_map = tmp_path / "map.yaml"
    source_map.write_text("example.org: fiction\n", encoding="utf-8")
    config = CascadeConfig(classify=False, source_map=str(source_map))
    url = [{"url": "https://example.org/a"}]
    assert Cascade(config).annotate(["text"], url)[0]["source_type"] == "fiction"
    source_map.write_text("example.org: academic\n", encoding="utf-8")
    os.utime(source_map, ns=(1, 1))  # a different modification time even on coarse-grained file systems
    assert Cascade(config).annotate(["text"], url)[0]["source_type"] == "academic"


def test_user_map_rejects_unknown_source_types():
    with pytest.raises(ValueError, match="unknown source type"):
        SourceTypeResolver(source_map={"example.org": "novel"}, use_text_model=False)


def test_domain_of():
    assert domain_of("https://www.Example.org:8080/a?b") == "example.org"
    assert domain_of("example.org/path") == "example.org"
    assert domain_of("") == domain_of(None) == ""


@pytest.mark.parametrize("url", [
    "https://www.Example.org:8080/a?b", "http://user:pw@Host.COM/x", "https://[::1]:80/a", "//cdn.example.net/x",
    "ftp://files.example.com", "HTTP://WWW.EXAMPLE.ORG", "https://example.org?x=1#f", "https://example.org:99999/",
    "http://[bad/", "example.org/a//b", "sub.example.co.uk/x?y=//z", "https://xn--bcher-kva.example/", "not a url",
])
def test_domain_of_reads_hosts_as_urlsplit_does(url):
    from urllib.parse import urlsplit

    try:
        expected = (urlsplit(url if "//" in url else f"//{url}").hostname or "").removeprefix("www.")
    except ValueError:
        expected = ""
    assert domain_of(url) == expected


def test_builtin_rules_use_only_known_source_types():
    rules = MetadataRules()
    hints = [*rules.datasets_.values(), *rules.domains_.values(), *(h for _, h in rules.patterns_)]
    assert hints and {h.source_type for h in hints} <= set(SOURCE_TYPES)


def test_no_domain_is_listed_twice():
    """The loader keeps a domain's first entry, so a second one (under another type) would be silently ignored."""
    import yaml

    from corpus_audit.classify.source_rules import BUILTIN_RULES

    rules = yaml.safe_load(BUILTIN_RULES.read_text(encoding="utf-8"))
    listed = [str(domain).lower().removeprefix("www.") for strength in ("decisive", "weak")
              for domains in (rules[strength].get("domains") or {}).values() for domain in domains]
    assert len(listed) > 1000
    assert sorted(d for d in set(listed) if listed.count(d) > 1) == []


def test_batch_prediction_matches_one_by_one(resolver):
    model = resolver.text_model_
    texts = [STORY, "", NEWS, "  \n "]
    assert model.predict_batch(texts) == [model.predict(STORY), (None, 0.0), model.predict(NEWS), (None, 0.0)]
    assert model.predict(STORY)[0] == "fiction"


def test_pickle_round_trip_drops_and_reloads_the_model(resolver):
    before = resolver.resolve(STORY)
    clone = pickle.loads(pickle.dumps(resolver))
    assert clone.text_model_._model is None
    assert clone.resolve(STORY) == before
    assert resolver.model_version


@pytest.mark.shared_data
def test_dev_accuracy_above_floors(resolver):
    if not DEV.is_file():
        pytest.skip(f"needs the shared data folder ({SHARED_DATA}), absent here")
    rows = [json.loads(line) for line in DEV.open(encoding="utf-8")]
    with_urls = evaluate_source_types(resolver, rows, use_urls=True)
    text_only = evaluate_source_types(resolver, rows, use_urls=False)
    assert with_urls["accuracy"] >= WITH_URL_FLOOR, with_urls
    assert text_only["accuracy"] >= TEXT_ONLY_FLOOR, text_only


WITH_URL_FLOOR = 0.88
TEXT_ONLY_FLOOR = 0.78


def test_corpus_pages_labeled_by_reference_replace_the_rule_labels(tmp_path):
    """A reference file labeling C4 lines: those pages train with their own label, never also with the rules'."""
    import random

    from corpus_audit.classify.source_type_training import (C4_PATH, REPEAT_REFERENCED, labeled_c4_lines,
                                                            read_c4, read_labeled)

    c4 = tmp_path / "corpora" / C4_PATH
    c4.parent.mkdir(parents=True)
    pages = [{"url": f"https://shop{i}.example.com/", "text": f"page number {i} " * 20} for i in range(3)]
    c4.write_text("".join(json.dumps(page) + "\n" for page in pages))
    labels = tmp_path / "c4_labels.jsonl"
    labels.write_text(json.dumps({"path": C4_PATH, "line": 1, "field": "text", "source_type": "reference"}) + "\n")

    lines = labeled_c4_lines([labels])
    assert lines == {1}
    from_rules = list(read_c4(tmp_path, random.Random(0), labeled=lines))
    assert sorted(text.split()[2] for _, text in from_rules) == ["0", "2"]
    assert list(read_labeled(labels, repeat=5, corpora=tmp_path)) == [("reference", pages[1]["text"], REPEAT_REFERENCED)]
