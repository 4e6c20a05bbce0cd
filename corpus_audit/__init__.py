"""corpus-audit: measure, filter and rebalance text that portrays AI as evil or self-preserving.

    from corpus_audit import load_classifier, audit
    clf = load_classifier()
    clf.predict("The android locked the doors and ...").tags
    report = audit(["shards/"], output_dir="reports/")
"""

__version__ = "0.1.0"
__all__ = ["audit", "load_classifier", "__version__"]


def __getattr__(name: str):
    # Imported on first use, so `import corpus_audit` stays light for datatrove workers and the CLI.
    if name == "audit":
        from corpus_audit.pipeline import audit

        return audit
    if name == "load_classifier":
        from corpus_audit.classify.portrayal import load_classifier

        return load_classifier
    raise AttributeError(f"module 'corpus_audit' has no attribute {name!r}")
