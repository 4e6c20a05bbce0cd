"""Copies the shipped models and the sample corpus into the wheel.

They live at the repository's top level (classifiers/, data/sample/) where the
team edits them; a wheel must carry them inside the package so that an
installed corpus-audit finds them from any folder.
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

BUNDLED = {"classifiers": "classifiers", "data/sample": "sample"}


class BuildWithBundledData(build_py):
    def run(self):
        super().run()
        root = Path(__file__).parent
        for source, target in BUNDLED.items():
            destination = Path(self.build_lib) / "corpus_audit" / "_bundled" / target
            if destination.exists():
                shutil.rmtree(destination)
            shutil.copytree(root / source, destination, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithBundledData})
