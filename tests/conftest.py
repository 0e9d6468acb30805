"""Shared fixtures: small corpora written by the tests themselves, and the real sample."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from tests.corpora import REAL_CORPUS, SMALL_WIKI, write_articles

# The suite draws the same examples on every run, so that a CI run passes or fails for the
# code, not for the luck of the draw; `HYPOTHESIS_PROFILE=explore pytest tests/core` draws
# new ones, to look for inputs no run has tried yet.
settings.register_profile("suite", derandomize=True)
settings.register_profile("explore", max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))


@pytest.fixture
def real_corpus() -> Path:
    """The investors.wiki sample beside the project; the test is skipped when it is absent."""
    if not (REAL_CORPUS / "sv").is_dir():
        pytest.skip("../shared/corpus is not here")
    return REAL_CORPUS


@pytest.fixture
def small_wiki(tmp_path: Path) -> Path:
    """A two-language wiki (sv, en) around back office, with missing concepts."""
    return write_articles(tmp_path / "wiki", SMALL_WIKI)
