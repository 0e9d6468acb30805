"""Shared fixtures: small corpora written by the tests themselves, and the real sample."""

from __future__ import annotations

from pathlib import Path

import pytest

REAL_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@pytest.fixture
def real_corpus() -> Path:
    """The investors.wiki sample beside the project; the test is skipped when it is absent."""
    if not (REAL_CORPUS / "sv").is_dir():
        pytest.skip("../shared/corpus is not here")
    return REAL_CORPUS


def write_articles(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: text}`` under ``root`` and return ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def graph_of(files: dict[str, str]):
    """The graph of ``{"lang/slug.md": text}`` articles, parsed in memory (no files)."""
    from kg.articles import parse_article
    from kg.graph import build_graph

    articles = []
    for rel, text in sorted(files.items()):
        lang, name = rel.split("/")
        articles.append(parse_article(text, path=rel, slug=name.removesuffix(".md"), lang=lang))
    return build_graph(articles)


def article(title: str, body: str, keywords: str = "", description: str = "") -> str:
    """A markdown article with front matter."""
    lines = ["---"]
    if keywords:
        lines.append(f"keywords: {keywords}")
    lines.append(f"title: {title}")
    if description:
        lines.append(f"description: {description}")
    lines += ["---", "", f"# {title}", body, ""]
    return "\n".join(lines)


SMALL_WIKI = {
    "sv/backoffice.md": article(
        "back office",
        "## Vad är Back Office?\n\nTre delar: [front office](/frontoffice) och "
        "[middle office](/middleoffice). Kommersiella [hyresavtal](/lease) är billiga.\n\n"
        "##Höjdpunkter\n\n- Erfarna [CPA:er](/cpa) arbetar hemifrån.\n",
        keywords="Investing,Brokers,Stock Brokers",
        description="Backoffice är administrationen.",
    ),
    "sv/frontoffice.md": article(
        "front office",
        "Front office möter kunder, till skillnad från [back office](/backoffice).\n",
        keywords="Investing,Brokers",
        description="Front office är kundnära.",
    ),
    "sv/lease.md": article(
        "hyresavtal",
        "Ett avtal om att hyra. Se [front office](/frontoffice).\n",
        keywords="Real Estate",
    ),
    "en/backoffice.md": article(
        "back office",
        "A firm has a [front office](/frontoffice) and a [middle office](/middleoffice).\n",
        keywords="Investing,Brokers,Stock Brokers",
        description="The back office is administration.",
    ),
}


@pytest.fixture
def small_wiki(tmp_path: Path) -> Path:
    """A two-language wiki (sv, en) around back office, with missing concepts."""
    return write_articles(tmp_path / "wiki", SMALL_WIKI)
