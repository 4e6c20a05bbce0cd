"""Where the shipped models and the bundled sample corpus are.

An installed wheel carries them under corpus_audit/_bundled/ (see setup.py);
a source checkout (editable install) has them at the repository's top level.
"""
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _bundled(name: str, checkout_path: str) -> Path:
    installed = _PACKAGE / "_bundled" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / checkout_path


def classifiers_dir() -> Path:
    return _bundled("classifiers", "classifiers")


def sample_corpus_dir() -> Path:
    return _bundled("sample", "data/sample")
