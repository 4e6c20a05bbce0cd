"""Decide each document's language so that non-English ones are reported as not assessed.

Uses fastText's lid.176.ftz (shipped in classifiers/, CC BY-SA 3.0, see
classifiers/lid.176.ftz.LICENSE.md) on the first `max_chars` characters only:
the opening of a document decides its language as well as the whole text does,
at a fraction of the cost. 300 characters gave the same decisions as 600 on
811 English dev and train pages, 1,000 C4 pages (one mixed German/English spam
page turned non-English) and 40 foreign samples, at 54 instead of 81 µs per C4
page (benchmarks/language_id.py); this stage runs on every document.

The decision is biased towards English on purpose. Calling an English document
non-English silently removes it from the audit, while calling a foreign one
English only lets the English classifiers read it (they find nothing). So a
guess only makes a document non-English when it is confident, or when the text
is mostly written outside the Latin alphabet (Cyrillic, CJK, Arabic...), where
an English document cannot be. Code, markup and numbers either have no letters
("und") or get low-confidence guesses: both count as English, i.e. assessed.
"""
import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

import fasttext

from corpus_audit.resources import classifiers_dir

MODEL_FILE = "lid.176.ftz"
UNDETERMINED = "und"
_LABEL_PREFIX = "__label__"
_ASCII_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DROP_ASCII_LETTERS = str.maketrans("", "", _ASCII_LETTERS)
_DROP_UPPERCASE_ASCII = str.maketrans("", "", _ASCII_LETTERS[26:])


@dataclass(frozen=True)
class LanguageDecision:
    language: str  # fastText's code: ISO 639-1 where one exists ("en", "fr"), else 639-2/3; "und" if no letters
    confidence: float  # the model's probability for `language`, 0.0 for "und"
    is_english: bool  # the decision the pipeline uses: True means the classifiers assess the document


class LanguageDetector:
    """Language of a document and whether the English classifiers should read it.

    max_chars: only this many leading characters are classified.
    min_confidence: a non-English guess below this probability on mostly Latin-alphabet
        text counts as English.
    min_english_probability: text whose English probability reaches this counts as English
        even when another language scores higher (English mixed with foreign names or phrases).
    min_letters: mostly Latin-alphabet text with fewer letters than this counts as English
        whatever the guess (too short to tell "Bon appetit!" from English).
    model_path: a fastText language-id model; defaults to the shipped lid.176.ftz.
    """

    def __init__(self, max_chars: int = 300, min_confidence: float = 0.5, min_english_probability: float = 0.15,
                 min_letters: int = 30, model_path: str | Path | None = None):
        self.max_chars = max_chars
        self.min_confidence = min_confidence
        self.min_english_probability = min_english_probability
        self.min_letters = min_letters
        self.model_path = model_path
        self._model = None

    def decide(self, text: str) -> LanguageDecision:
        """Language, confidence and English decision from a single model call."""
        window = " ".join(text[: self.max_chars].split())  # fastText rejects newlines
        if not any(map(str.isalpha, window)):
            return LanguageDecision(UNDETERMINED, 0.0, True)
        language, confidence, english_probability = self._predict(window)
        if language != "en" and _capitalised(window):  # lid.176 misreads ALL-CAPS and Title Case English
            language, confidence, english_probability = self._predict(window.lower())
        english = (language == "en" or english_probability >= self.min_english_probability
                   or self._too_unsure(window, confidence))
        return LanguageDecision(language, confidence, english)

    def detect(self, text: str) -> tuple[str, float]:
        decision = self.decide(text)
        return decision.language, decision.confidence

    def is_english(self, text: str) -> bool:
        return self.decide(text).is_english

    def _too_unsure(self, window: str, confidence: float) -> bool:
        ascii_letters = len(window) - len(window.translate(_DROP_ASCII_LETTERS))
        letters = ascii_letters if window.isascii() else sum(map(str.isalpha, window))
        if ascii_letters * 2 < letters:  # mostly another script: English is not written that way
            return False
        return confidence < self.min_confidence or letters < self.min_letters

    def _predict(self, window: str) -> tuple[str, float, float]:
        """Top language, its probability, and the probability of English if it ranks first or second."""
        if self._model is None:
            self._model = load_fasttext_model(Path(self.model_path or classifiers_dir() / MODEL_FILE))
        labels, probabilities = self._model.predict(window, k=2)
        ranked = {label.removeprefix(_LABEL_PREFIX): min(float(p), 1.0) for label, p in zip(labels, probabilities)}
        language = next(iter(ranked))
        return language, ranked[language], ranked.get("en", 0.0)

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_model"] = None  # reloaded lazily in the worker process
        return state


def _capitalised(window: str) -> bool:
    """More than one capital letter per two words: headlines, ALL CAPS (German nouns stay below)."""
    uppercase = len(window) - len(window.translate(_DROP_UPPERCASE_ASCII))
    return uppercase * 2 > window.count(" ") + 1


def load_fasttext_model(path: Path):
    with contextlib.redirect_stderr(io.StringIO()):  # silences load_model's warning about supervised models
        return fasttext.load_model(str(path))
