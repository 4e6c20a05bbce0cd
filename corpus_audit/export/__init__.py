"""Act on the audit: filter and rebalance a corpus into ready-to-train shards, accounting for every document."""

__all__ = ["filter_corpus", "rebalance_corpus"]


def __getattr__(name: str):
    # Imported on first use, so `import corpus_audit.export` stays light.
    if name in __all__:
        from corpus_audit.export import api

        return getattr(api, name)
    raise AttributeError(f"module 'corpus_audit.export' has no attribute {name!r}")
