"""Every public writer writes, for the same graph, the bytes ``kg build`` writes."""

from __future__ import annotations

from pathlib import Path

import pytest

import kg
from tests.corpora import SMALL_WIKI, article, write_articles

WRITERS = {
    "graph.ttl": kg.write_turtle,
    "graph.nt": kg.write_ntriples,
    "graph.jsonld": kg.write_jsonld,
    "graph.graphml": kg.write_graphml,
    "graph.gexf": kg.write_gexf,
    "graph.json": kg.write_node_link,
    "graph.html": kg.write_html,
}


def _write_all(G, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, write in WRITERS.items():
        write(G, folder / name)
    kg.write_csv(G, folder)
    kg.write_report(G, folder)


def _compare(built: Path, written: Path) -> None:
    names = [*WRITERS, "nodes.csv", "edges.csv", "report.json", "report.md"]
    for name in names:
        assert (written / name).read_bytes() == (built / name).read_bytes(), name


@pytest.fixture
def wiki(tmp_path: Path) -> Path:
    files = dict(SMALL_WIKI)
    files["en/lease.md"] = article("lease", 'A "lease" & <b>rent</b> [back office](/backoffice).')
    return write_articles(tmp_path / "wiki", files)


@pytest.mark.parametrize("base_iri", [None, "https://investors.wiki/kg/"])
def test_each_writer_gives_the_bytes_of_a_build(wiki, tmp_path, base_iri):
    result = kg.build(wiki, tmp_path / "built", base_iri=base_iri, jobs=1)
    _write_all(result.graph, tmp_path / "by-hand")
    _compare(tmp_path / "built", tmp_path / "by-hand")


def test_a_graph_read_back_writes_the_same_bytes(wiki, tmp_path):
    kg.build(
        wiki,
        tmp_path / "built",
        formats=["json", "ttl", "nt", "jsonld", "graphml", "gexf", "csv", "html", "report"],
    )
    _write_all(kg.read_graph(tmp_path / "built"), tmp_path / "read-back")
    _compare(tmp_path / "built", tmp_path / "read-back")


def test_a_graph_built_in_memory_writes_the_bytes_of_a_build_of_its_files(wiki, tmp_path):
    kg.build(wiki, tmp_path / "built", jobs=2, cache=False)
    G = kg.build_graph(kg.read_corpus(wiki))
    G.graph["base_iri"] = kg.read_graph(tmp_path / "built").graph["base_iri"]
    _write_all(G, tmp_path / "in-memory")
    _compare(tmp_path / "built", tmp_path / "in-memory")


def test_the_writers_give_the_bytes_of_a_build_of_the_real_sample(real_corpus, tmp_path):
    result = kg.build(
        real_corpus,
        tmp_path / "built",
        formats=["json", "ttl", "nt", "jsonld", "graphml", "gexf", "csv", "html", "report"],
    )
    _write_all(result.graph, tmp_path / "by-hand")
    _compare(tmp_path / "built", tmp_path / "by-hand")
