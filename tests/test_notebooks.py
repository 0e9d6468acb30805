"""The notebooks run: executed with nbclient (kernel python3, cwd notebooks/), no cell errors."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.corpora import SMALL_WIKI, article, write_articles

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
NAMES = ("explore.ipynb", "corpus.ipynb")


def execute(name: str) -> nbformat.NotebookNode:
    """Run a notebook as a user would, from notebooks/; a cell error fails the test."""
    book = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        book,
        kernel_name="python3",
        timeout=600,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()
    return book


def text_of(book: nbformat.NotebookNode) -> str:
    """Everything the cells printed or displayed, as one string."""
    parts = []
    for cell in book.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(output.get("text", ""))
            for mime in ("text/plain", "text/html"):
                parts.append(str(output.get("data", {}).get(mime, "")))
    return "\n".join(parts)


def outputs_of(book: nbformat.NotebookNode, source_start: str) -> str:
    cells = [c for c in book.cells if c.cell_type == "code" and c.source.startswith(source_start)]
    assert cells, source_start
    return text_of(nbformat.v4.new_notebook(cells=cells))


@pytest.fixture
def kernel_env(monkeypatch):
    """The kernel imports this checkout's kg even when it is not installed."""
    path = os.environ.get("PYTHONPATH", "")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(ROOT), path) if p))
    monkeypatch.delenv("KG_FOCUS", raising=False)
    monkeypatch.delenv("KG_SITE_URL", raising=False)
    monkeypatch.delenv("KG_DISPLAY_LANG", raising=False)
    return monkeypatch


@pytest.mark.parametrize("name", NAMES)
def test_notebooks_are_stored_without_outputs(name):
    book = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(book)
    code = [c for c in book.cells if c.cell_type == "code"]
    assert code
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert book.metadata["kernelspec"]["name"] == "python3"


def test_explore_notebook_runs(kernel_env):
    book = execute("explore.ipynb")
    shown = text_of(book)
    assert "back office" in outputs_of(book, "card = kg.show")
    assert "Backoffice är administrationen" in shown
    assert "frontoffice → backoffice → lease" in shown  # the path, with its evidence:
    assert "hyresavtal är billiga" in shown
    sparql = outputs_of(book, "links = kg.sparql")
    assert "middleoffice" in sparql and "client-facing" in sparql
    assert "dangling-link" in outputs_of(book, "report = kg.check")
    assert "<iframe" in outputs_of(book, "kg.visualize")  # the inline view


def _small_corpus(root: Path) -> Path:
    files = dict(SMALL_WIKI)
    files["sv/middleoffice.md"] = article(
        "middle office",
        "Mellan [front office](/frontoffice) och [back office](/backoffice).",
        keywords="Investing",
    )
    return write_articles(root, files)


def test_corpus_notebook_runs_on_a_given_folder(kernel_env, tmp_path):
    corpus = _small_corpus(tmp_path / "wiki")
    kernel_env.setenv("KG_CORPUS", str(corpus))
    book = execute("corpus.ipynb")
    shown = text_of(book)
    assert "5 articles" in shown
    card = outputs_of(book, "if len(kg.find(G, FOCUS))")
    assert "back office" in card and "Backoffice är administrationen." in card
    assert "cpa" in outputs_of(book, "wanted = kg.sparql")  # the one missing article
    assert "missing-translation" in outputs_of(book, "report = kg.check")
    assert "<iframe" in outputs_of(book, "kg.visualize")


def test_corpus_notebook_falls_back_to_a_central_concept(kernel_env, tmp_path):
    corpus = write_articles(
        tmp_path / "flat",
        {
            "alpha.md": article("Alpha", "Alpha needs [beta](/beta)."),
            "beta.md": article("Beta", "Beta needs [alpha](/alpha) and [gamma](/gamma)."),
        },
    )
    kernel_env.setenv("KG_CORPUS", str(corpus))
    kernel_env.setenv("KG_FOCUS", "no such concept")
    book = execute("corpus.ipynb")
    assert "Beta · beta" in outputs_of(book, "if len(kg.find(G, FOCUS))")


def test_corpus_notebook_on_the_real_sample(kernel_env, real_corpus):
    kernel_env.setenv("KG_CORPUS", str(real_corpus))
    book = execute("corpus.ipynb")
    card = outputs_of(book, "if len(kg.find(G, FOCUS))")
    assert "back office" in card
    assert "sv" in outputs_of(book, 'pd.DataFrame({"articles"')


def test_corpus_notebook_falls_back_to_the_projects_articles(kernel_env, tmp_path):
    """After a fresh clone the default corpus (beside the project) is not there."""
    kernel_env.setenv("KG_CORPUS", str(tmp_path / "not-here"))
    book = execute("corpus.ipynb")
    shown = text_of(book)
    assert "using ../articles instead" in shown
    assert "1 articles" in shown
    assert "back office" in outputs_of(book, "if len(kg.find(G, FOCUS))")


def test_corpus_notebook_in_a_display_language(kernel_env, tmp_path):
    corpus = _small_corpus(tmp_path / "wiki")
    kernel_env.setenv("KG_CORPUS", str(corpus))
    kernel_env.setenv("KG_FOCUS", "lease")
    kernel_env.setenv("KG_DISPLAY_LANG", "sv")
    book = execute("corpus.ipynb")
    card = outputs_of(book, "if len(kg.find(G, FOCUS))")
    assert card.startswith("hyresavtal · lease")
    around = outputs_of(book, "around = pd.DataFrame")
    assert "distance" in around
    related = outputs_of(book, "rows = kg.related")
    assert "label_lang" in related
