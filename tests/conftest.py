"""Shared fixtures: small corpora written by the tests themselves, and the real sample."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.corpora import REAL_CORPUS, SMALL_WIKI, write_articles


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
