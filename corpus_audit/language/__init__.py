"""Language identification: which documents the English portrayal classifiers can assess."""
from corpus_audit.language.detector import LanguageDecision, LanguageDetector

__all__ = ["LanguageDecision", "LanguageDetector"]
