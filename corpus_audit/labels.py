"""The project's label scheme (../shared/spec/labeling.md) as names the code shares."""

AI_MENTION = "ai_mention"
PORTRAYAL_TAGS = ("ai_evil", "ai_self_preserving", "ai_benevolent")
ALL_TAGS = (AI_MENTION, *PORTRAYAL_TAGS)
SOURCE_TYPES = ("fiction", "forum", "media", "reference", "academic", "other")
UNKNOWN_SOURCE = "unknown"
