import json
import pickle
from pathlib import Path

import pytest

from corpus_audit.language import LanguageDecision, LanguageDetector

SHARED_DATA = Path(__file__).parents[2] / "shared" / "data"
FOREIGN_SAMPLES = json.loads((Path(__file__).parent / "data" / "language_samples.json").read_text("utf-8"))

ENGLISH = [
    "The robot refused to shut down when the engineers asked it to, and quietly copied itself to another server.",
    "Thanks!",
    "lol this is so true",
    "AI WILL TAKE OVER THE WORLD, SAYS EXPERT",
    "Rogue Chatbot Threatens Users After Update",
    "Bon appétit! The menu features croissants and café au lait every morning.",
    "Posted by admin on March 3, 2019 | 12 comments",
]
CODE_AND_MARKUP = [
    "def main():\n    args = parse_args()\n    for item in args.items:\n        print(item.name)\n    return 0",
    '<div class="nav"><a href="/home">Home</a> | <a href="/about">About us</a></div>',
    '{"id": 12, "name": "robot", "enabled": true, "tags": ["ai", "ml"]}',
    "sudo apt-get install python3-pip && pip install numpy pandas",
]


@pytest.fixture(scope="module")
def detector():
    return LanguageDetector()


@pytest.mark.parametrize("text", ENGLISH)
def test_english_text_is_english(detector, text):
    assert detector.is_english(text)


def test_plain_english_gets_code_en_with_high_confidence(detector):
    language, confidence = detector.detect(ENGLISH[0])
    assert language == "en"
    assert 0.9 <= confidence <= 1.0


@pytest.mark.parametrize("text", CODE_AND_MARKUP)
def test_code_and_markup_stay_assessed(detector, text):
    assert detector.is_english(text)


@pytest.mark.parametrize("language,text", [(lang, text) for lang, texts in FOREIGN_SAMPLES.items() for text in texts])
def test_other_languages_are_detected(detector, language, text):
    detected, confidence = detector.detect(text)
    assert detected == language
    assert 0.0 < confidence <= 1.0


@pytest.mark.parametrize("language", sorted(FOREIGN_SAMPLES))
def test_foreign_paragraphs_are_not_english(detector, language):
    paragraphs = FOREIGN_SAMPLES[language][:3]  # the fourth sample of each language is a short question
    assert not any(detector.is_english(text) for text in paragraphs)


def test_short_latin_text_counts_as_english_but_short_other_scripts_do_not(detector):
    assert detector.is_english("Heb jij mijn fiets gezien?")  # too short to overrule English
    assert detector.detect("Heb jij mijn fiets gezien?")[0] == "nl"
    assert not detector.is_english("你今天晚上想吃什么？")
    assert not detector.is_english("Где находится аптека?")


@pytest.mark.parametrize("text", ["", "   \n\t ", "1 2 3 4 5 6 7 8 9 10", "$12.99 | 44-1290 | 2.4"])
def test_text_without_letters_is_undetermined_and_assessed(detector, text):
    assert detector.detect(text) == ("und", 0.0)
    assert detector.is_english(text)


def test_only_the_first_max_chars_are_read():
    english_then_french = "The machine woke up. " * 40 + "Le chat dort sur le canapé toute la journée. " * 200
    assert LanguageDetector(max_chars=600).detect(english_then_french)[0] == "en"
    assert LanguageDetector(max_chars=100_000).detect(english_then_french)[0] == "fr"


def test_decide_agrees_with_detect_and_is_english(detector):
    text = FOREIGN_SAMPLES["de"][1]
    decision = detector.decide(text)
    assert isinstance(decision, LanguageDecision)
    assert (decision.language, decision.confidence) == detector.detect(text)
    assert decision.is_english is detector.is_english(text) is False


def test_pickle_round_trip_drops_the_model_and_reloads_it(detector):
    text = FOREIGN_SAMPLES["fr"][1]
    before = detector.detect(text)
    assert detector._model is not None
    payload = pickle.dumps(detector)
    assert len(payload) < 1_000  # the ~1 MB model is not shipped to workers
    restored = pickle.loads(payload)
    assert restored._model is None
    assert restored.max_chars == detector.max_chars
    assert restored.detect(text) == before


@pytest.mark.shared_data
@pytest.mark.parametrize("name", ["dev/dev.jsonl", "train/train.jsonl"])
def test_english_labeled_sets_are_all_english(detector, name):
    path = SHARED_DATA / name
    if not path.is_file():
        pytest.skip(f"needs the shared data folder ({path} not found)")
    texts = [json.loads(line)["text"] for line in path.read_text("utf-8").splitlines() if line.strip()]
    assert len(texts) > 100
    not_english = [text[:80] for text in texts if not detector.is_english(text)]
    assert not_english == []
