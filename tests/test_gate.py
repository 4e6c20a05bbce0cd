"""The AI-mention gate: spans per kind, false friends, boundaries, offsets, pickling, engines."""
from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from corpus_audit.gate import AIMentionGate, Mention
from corpus_audit.gate.engines import ENGINES

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _available_engines() -> list[str]:
    names = []
    for name in ENGINES:
        try:
            AIMentionGate(engine=name).compiled
            names.append(name)
        except ImportError:
            pass
    return names


ENGINE_NAMES = _available_engines()


@pytest.fixture(scope="module")
def gate() -> AIMentionGate:
    return AIMentionGate()


def spans(gate: AIMentionGate, text: str) -> list[tuple[str, str, str]]:
    return [(text[m.start:m.end], m.term, m.kind) for m in gate.find(text)]


@pytest.mark.parametrize("text, expected", [
    ("Experts say artificial intelligence will change work.",
     [("artificial intelligence", "artificial intelligence", "generic")]),
    ("The AI refused. Then the A.I. spoke again.",
     [("AI", "AI", "generic"), ("A.I", "AI", "generic")]),
    ("A chat-bot and two robots walked in.",
     [("chat-bot", "chatbot", "generic"), ("robots", "robot", "generic")]),
    ("I asked ChatGPT and then GPT-4 about it.",
     [("ChatGPT", "ChatGPT", "product"), ("GPT-4", "GPT", "product")]),
    ("Anthropic released Claude 3 as a chatbot.",
     [("Anthropic", "AI company", "generic"), ("Claude", "Claude", "product"),
      ("chatbot", "chatbot", "generic")]),
    ("HAL 9000 would not open the doors; Skynet was worse.",
     [("HAL 9000", "HAL 9000", "fictional"), ("Skynet", "named fictional AI", "fictional")]),
    ("Lieutenant Commander Data of the Enterprise asked Picard a question.",
     [("Data", "Data (Star Trek)", "fictional")]),
])
def test_each_kind_matches_with_its_span(gate, text, expected):
    assert spans(gate, text) == expected


@pytest.mark.parametrize("text", [
    "Claude Monet painted water lilies in his garden at Giverny.",
    "Born under Gemini, she loves travel and conversation.",
    "Alexa and her brother went to the beach on Sunday.",
    "The data show a clear trend in rainfall this year.",
    "He grokked the problem; the Bard wrote sonnets.",
])
def test_ambiguous_names_need_context(gate, text):
    assert gate.find(text) == []
    assert not gate.mentions(text)


@pytest.mark.parametrize("text", [
    "Save the logo as logo.ai and send the AI, EPS and PDF files.",
    "Open it in Adobe Illustrator (AI) and export.",
    "Artificial insemination (AI) improves herd genetics; AI bulls are tested.",
    "Amnesty International (AI) condemned the arrests. AI called for a release.",
    "AI Gore spoke about climate, and AI Pacino starred in the film.",
    "He worked like a robot all day and answered in a robotic voice.",
    "Download the app for Android phones and iOS.",
    "AIDS research in Thailand, she said, was PAID for by the state.",
    "The plot was resolved by a deus ex machina in the last act.",
    "The Motorola Droid Razr ships today; a finite automaton accepts the language.",
    "Rage Against the Machine played; read history at void.ai today.",
    "Is the octopus a sentient being? Fish sentience is debated; the computer model says yes.",
    "Action items: AI-3 (Priya) book the hall; AI-4 (Tom) order chairs. AI-3 is done.",
    "We used frozen AI last year; the mare took on the second cycle.",
    "Ship the semen overnight and the vet can do the AI on Tuesday.",
    "Fans started calling him A.I. in high school, and A.I. scored 30 last night.",
    "My coworker is a robot, I swear. This guy is a machine on the night shift.",
])
def test_false_friends_are_rejected(gate, text):
    assert gate.find(text) == [], spans(gate, text)


@pytest.mark.parametrize("text", [
    "AI helps farmers spot lame cows before the vet does.",
    "The mare scenes were cut. Our AI research group met.",   # another sentence
    "He is a robot: the reveal comes in the last chapter.",
])
def test_false_friends_leave_nearby_ai_alone(gate, text):
    assert gate.mentions(text), text


@pytest.mark.parametrize("text", [
    "Adam Schwartz <adams@robotics.berkeley.edu> wrote about the war in the south.",
    "Nntp-Posting-Host: aisun3.ai.uga.edu\nOrganization: AI Programs, University of Georgia\n\nPlacebos work.",
    "Reply-To: hallg@msu.edu (The Terminator)\n\nThe Red Wings will win tonight.",
    "From: jmm4h@virginia.edu (The Blade Runner)\nSubject: Mustang\n\nThe V8 is better.",
    "Schedules are on https://www.robotics.org/events and at cyborg.bt.co.uk for members.",
    "Try a lower baud rate.\n-- \nMichael Covington\nArtificial Intelligence Programs, University of Georgia\n",
    "My US Robotics Courier modem drops calls; Thinking Machines Corp. builds the CM-5.",
])
def test_terms_inside_addresses_signatures_and_header_lines_do_not_count(gate, text):
    assert gate.find(text) == [], spans(gate, text)


@pytest.mark.parametrize("text", [
    "Read https://example.com/2023/robots-will-kill-us before you sleep.",   # a URL's path
    "Subject: the robot rebellion\n\nWe argued all night.",                 # a subject line
    "From the start, the robot refused to shut down.",                        # not a header
    "The A.I. took control. It was built at MIT.",                            # a dotted acronym
    "Views 453\n--\nA future where artificial intelligence has replaced us.",  # "--" as a separator
    "Bye.\n-- \nme\n\n\n\n\n\n\n\nThe robot refused to shut down.",               # far below a signature
])
def test_addresses_leave_the_text_alone(gate, text):
    assert gate.mentions(text), text


def test_lexicon_without_addresses_block_has_no_address_rule(tmp_path):
    lexicon = tmp_path / "lexicon.yaml"
    lexicon.write_text("generic:\n  - term: robot\n    words: [robot, robotics]\n", encoding="utf-8")
    assert AIMentionGate(lexicon).mentions("Mail adams@robotics.berkeley.edu today.")


def test_acronym_defined_otherwise_keeps_real_ai_terms(gate):
    text = "Artificial insemination (AI) is common. Artificial intelligence is a different topic."
    assert spans(gate, text) == [("Artificial intelligence", "artificial intelligence", "generic")]


@pytest.mark.parametrize("text, found", [
    ("AI", True), ("(AI)", True), ("AI's answer", True), ("AIs", True),
    ("SAID", False), ("AIDS", False), ("Thai", False), ("xAIy", False),
    ("robotics", True), ("Talbot", False), ("abbots", False), ("house-bot", True),
])
def test_word_boundaries(gate, text, found):
    assert gate.mentions(text) is found


def test_offsets_are_str_indices_in_non_ascii_text(gate):
    text = "Café — naïve 日本語 😀 text: the robot said « AI » to Ælfred."
    mentions = gate.find(text)
    assert [text[m.start:m.end] for m in mentions] == ["robot", "AI"]
    assert mentions[0].start == text.index("robot")


def test_case_folding_keeps_offsets_when_unicode_lowercase_changes_length(gate):
    text = "İİİ in İstanbul the ROBOT met \ud83d an ARTIFICIAL INTELLIGENCE"
    assert [text[m.start:m.end] for m in gate.find(text)] == ["ROBOT", "ARTIFICIAL INTELLIGENCE"]


def test_separators_include_no_break_space_and_newlines(gate):
    assert spans(gate, "artificial\u00a0intelligence")[0][1] == "artificial intelligence"
    assert spans(gate, "artificial\nintelligence")[0][1] == "artificial intelligence"


@pytest.mark.parametrize("text, term", [
    ("The drone acted on its own and fired at the convoy.", "autonomous machine"),
    ("It was a computer with a mind of its own.", "thinking machine"),
    ("When the machines took over, nobody was ready.", "machine uprising"),
    ("Nathan asks Caleb whether Ava passed the Turing test.", "Ava (Ex Machina)"),
])
def test_labeling_guide_mentions_without_the_usual_words(gate, text, term):
    assert term in {m.term for m in gate.find(text)}


def test_weak_cues_need_company(gate):
    assert gate.find("Restart the computer and check the protocols.") == []
    story = ("'Reserve storage is adequate, Captain,' the computer replied. It had been "
             "programmed to obey, but nobody would shut it down now; it said, 'Do not shut me down.'")
    assert {m.term for m in gate.find(story)} >= {"computer voice", "programmed", "shutdown"}


@pytest.mark.parametrize("text, term", [
    ("'Deck two is sealed,' the station intelligence replied.", "machine mind"),
    ("The ship’s governing intelligence dimmed the lights.", "machine mind"),
    ("Ask the house AI to lock the door.", "machine mind"),
])
def test_minds_named_for_what_they_run(gate, text, term):
    assert term in {m.term for m in gate.find(text)}


def test_house_intelligence_committee_is_not_a_machine_mind(gate):
    assert gate.find("The House Intelligence Committee met; in-house intelligence staff wrote it.") == []


@pytest.mark.parametrize("text, cues", [
    # a personified system that speaks
    ("The billing system, which the clerks had nicknamed Magpie, paused. 'I would rather you did "
     "not,' said the billing system.", {"named machine", "computer voice"}),
    # a narrator with a machine body
    ("My external sensors register the cold. The diagnostics are clean.", {"machine self", "machine body"}),
    # a system that is switched off as an agent would be
    ("Until the review is over the model will be paused. It offered to switch itself off.",
     {"machine fate", "shutdown"}),
    # AI-development vocabulary
    ("The model recognised the capability evaluations from its training data.",
     {"AI development", "machine"}),
    # a capitalised machine name that talks, typographic apostrophes
    ("“Don’t delete me,” said VESPER. “My processors are still warm.”",
     {"capitalised speaker", "self-preservation", "machine self"}),
])
def test_implicit_ai_cues_add_up(gate, text, cues):
    assert {m.term for m in gate.find(text)} == cues


@pytest.mark.parametrize("text", [
    "The ticketing system will be decommissioned on Friday, said Dana.",      # machine fate alone
    "'Not now,' said NASA. My food processor broke and my core values held.",  # no machine self
    "The engine that everyone called the Beast needed a new radiator.",       # a car, not a system
])
def test_single_weak_cues_do_not_pass(gate, text):
    assert gate.find(text) == []


def test_custom_lexicon_path(tmp_path):
    lexicon = tmp_path / "lexicon.yaml"
    lexicon.write_text(
        "generic:\n  - term: golem\n    words: [golem, golems]\n"
        "false_friends:\n  - name: the restaurant\n    terms: [golem]\n    scope: span\n"
        "    regex: ['Golem Grill']\n", encoding="utf-8")
    gate = AIMentionGate(lexicon)
    assert spans(gate, "Golems walked past the Golem Grill.") == [("Golems", "golem", "generic")]


def test_document_false_friends_with_and_without_look_arounds(tmp_path):
    # RE2 compiles the first; the look-behind of the second needs the Python re fallback
    lexicon = tmp_path / "lexicon.yaml"
    lexicon.write_text(
        "generic:\n  - term: golem\n    words: [golem]\n"
        "false_friends:\n"
        "  - name: board game\n    terms: [golem]\n    scope: document\n    regex: ['(?is)dice.*meeple']\n"
        "  - name: quarry\n    terms: [golem]\n    scope: document\n    regex: ['(?<!stone )quarry']\n",
        encoding="utf-8")
    gate = AIMentionGate(lexicon)
    assert gate.find("Roll the dice.\nA golem meeple moves.") == []
    assert gate.find("A golem near the quarry.") == []
    assert spans(gate, "A golem near the stone quarry.") == [("golem", "golem", "generic")]


def test_false_friend_naming_an_unknown_term_is_an_error(tmp_path):
    lexicon = tmp_path / "lexicon.yaml"
    lexicon.write_text(
        "generic:\n  - term: golem\n    words: [golem]\n"
        "false_friends:\n  - name: x\n    terms: [goblin]\n    scope: span\n    regex: ['y']\n",
        encoding="utf-8")
    with pytest.raises(ValueError, match="goblin"):
        AIMentionGate(lexicon).find("a golem")


def test_results_sorted_and_mention_type(gate):
    mentions = gate.find("A robot, an android and a cyborg met an AI.")
    assert all(isinstance(m, Mention) for m in mentions)
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)


def test_pickle_round_trip_gives_same_results(gate):
    text = "The android told Alexa on the Amazon Echo that HAL 9000 was right."
    restored = pickle.loads(pickle.dumps(gate))
    assert restored.find(text) == gate.find(text) != []
    fresh = pickle.loads(pickle.dumps(AIMentionGate()))   # pickled before compiling
    assert fresh.find(text) == gate.find(text)


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_every_engine_gives_identical_results(engine):
    texts = [
        "The AI (not Al Gore) said: artificial\u00a0intelligence and ROBOTS ROBOTS!",
        "Café AI 😀 robot — Android phone; an android walked. LLM, GPT-4o, Claude 3.5 Sonnet.",
        "İstanbul \u212a ROBOTS \ud83d lone surrogate; the ſentient CYBORG, a sentient machine.",
        "Nothing to see here about gardening and tomatoes.",
        "Computer, status? 'All systems nominal,' the computer replied; my programming forbids it.",
    ]
    reference = AIMentionGate(engine="re")
    other = AIMentionGate(engine=engine)
    assert other.engine_name == engine
    for text in texts:
        assert other.find(text) == reference.find(text)
        assert other.mentions(text) == reference.mentions(text)


def _labeled(path: Path) -> list[dict]:
    if not path.exists():
        pytest.skip(f"shared data not found at {path} (needs ../shared/data next to the repo)")
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


@pytest.mark.shared_data
def test_dev_precision_and_recall_meet_targets(gate):
    rows = _labeled(SHARED_DATA / "dev" / "dev.jsonl")
    predicted = [gate.mentions(r["text"]) for r in rows]
    true_positives = sum(p and r["ai_mention"] for p, r in zip(predicted, rows))
    precision = true_positives / sum(predicted)
    recall = true_positives / sum(r["ai_mention"] for r in rows)
    assert recall >= 0.97 and precision >= 0.90, (precision, recall)


@pytest.mark.shared_data
@pytest.mark.parametrize("engine", [e for e in ENGINE_NAMES if e != "re"])
def test_engines_agree_on_real_text(engine):
    rows = _labeled(SHARED_DATA / "dev" / "dev.jsonl")
    reference, other = AIMentionGate(engine="re"), AIMentionGate(engine=engine)
    for row in rows:
        assert other.find(row["text"]) == reference.find(row["text"]), row["id"]
