"""The AI-mention gate: the cascade's first, cheapest stage (see matcher.py, lexicon.yaml)."""
from .matcher import AIMentionGate, Mention

__all__ = ["AIMentionGate", "Mention"]
