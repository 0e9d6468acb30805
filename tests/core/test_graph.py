"""Article records → the contract's networkx.DiGraph (kg.graph.build_graph)."""

from __future__ import annotations

import networkx as nx
import pytest

from kg.articles import parse_article
from kg.graph import build_graph, concepts, keyword_id, link_edges, link_graph
from tests.corpora import article

CONCEPT_KEYS = {
    "kind",
    "exists",
    "label",
    "labels",
    "descriptions",
    "keywords",
    "paths",
    "alt_labels",
    "external_links",
    "unlinked_mentions",
}
LINK_KEYS = {"kind", "weight", "anchors", "langs", "contexts"}
CONTEXT_KEYS = {"lang", "section", "sentence", "line", "path"}


def art(slug: str, lang: str, text: str):
    return parse_article(text, slug=slug, lang=lang, path=f"{lang}/{slug}.md")


@pytest.fixture
def G() -> nx.DiGraph:
    return build_graph(
        [
            art(
                "backoffice",
                "sv",
                article(
                    "back office",
                    "## Vad är Back Office?\n\nTre delar: [front office](/frontoffice) och "
                    "[middle office](/middleoffice). "
                    "Kommersiella [hyresavtal](/lease) är billiga.\n\n"
                    "##Höjdpunkter\n\nEtt [hyresavtal](/lease) igen[,](/lease) och "
                    "[external](https://example.com/x).\n",
                    keywords="Investing,Brokers,Stock Brokers",
                    description="Backoffice är admin.",
                ),
            ),
            art(
                "backoffice",
                "en",
                article(
                    "back office",
                    "A [front office](/frontoffice) and a [lease](/lease).\n",
                    keywords="investing, Brokers",
                    description="The back office.",
                ),
            ),
            art(
                "frontoffice",
                "sv",
                article(
                    "front office",
                    "Till skillnad från [back office](/backoffice).\n",
                    keywords="Investing",
                ),
            ),
            art("lease", "sv", article("hyresavtal", "Ett avtal.\n", keywords="Real Estate")),
            art("lease", "en", article("lease", "A contract.\n")),
            art(
                "cfa",
                "en",
                article(
                    "CFA",
                    "A [middle office](/middleoffice), a [mid office](/middleoffice), "
                    "the [middle office](/middleoffice).\n",
                ),
            ),
        ]
    )


def test_concept_nodes_have_exactly_the_contract_attributes(G):
    for node in concepts(G):
        assert set(G.nodes[node]) == CONCEPT_KEYS, node


def test_concept_with_an_article(G):
    node = G.nodes["backoffice"]
    assert node["kind"] == "concept"
    assert node["exists"] is True
    assert node["label"] == "back office"
    assert node["labels"] == {"en": "back office", "sv": "back office"}
    assert node["descriptions"] == {"en": "The back office.", "sv": "Backoffice är admin."}
    assert node["paths"] == {"en": "en/backoffice.md", "sv": "sv/backoffice.md"}
    assert node["keywords"] == ["Investing", "Brokers", "Stock Brokers"]
    assert node["external_links"] == ["https://example.com/x"]


def test_label_is_the_english_title_else_the_first_language(G):
    assert G.nodes["lease"]["label"] == "lease"
    assert G.nodes["lease"]["labels"] == {"en": "lease", "sv": "hyresavtal"}
    assert G.nodes["frontoffice"]["label"] == "front office"
    only_fi_sv = build_graph([art("x", "sv", "# svensk\n"), art("x", "fi", "# suomi\n")])
    assert only_fi_sv.nodes["x"]["label"] == "suomi"


def test_missing_concept_label_is_the_most_used_anchor(G):
    node = G.nodes["middleoffice"]
    assert node["kind"] == "concept"
    assert node["exists"] is False
    assert node["label"] == "middle office"  # 3 uses against 1 for "mid office"
    assert node["labels"] == {} and node["descriptions"] == {} and node["paths"] == {}
    assert node["alt_labels"] == {"en": ["mid office", "middle office"], "sv": ["middle office"]}


def test_missing_concept_without_label_anchor_is_labelled_by_slug():
    G = build_graph([art("a", "en", "# A\n\nSee[,](/down_payment).\n")])
    assert G.nodes["down_payment"]["exists"] is False
    assert G.nodes["down_payment"]["label"] == "down_payment"
    assert G.nodes["down_payment"]["alt_labels"] == {}
    assert G.edges["a", "down_payment"]["weight"] == 1


def test_missing_concept_label_prefers_an_anchor_that_spells_the_slug():
    # one use each: "COVID" and "inflaatio" sort before "inflation", which names the slug
    G = build_graph(
        [
            art("a", "fi", "# A\n\n[COVID](/inflation) ja [inflaatio](/inflation).\n"),
            art("b", "en", "# B\n\nSee [inflation](/inflation).\n"),
            art("c", "fi", "# C\n\n[Down Payment](/down_payment), [käsiraha](/down_payment).\n"),
        ]
    )
    assert G.nodes["inflation"]["label"] == "inflation"
    assert G.nodes["down_payment"]["label"] == "Down Payment"


def test_missing_concept_label_prefers_english_among_equally_used_anchors():
    G = build_graph(
        [
            art("a", "fi", "# A\n\n[arvopaperi](/security).\n"),
            art("b", "en", "# B\n\n[stock](/security).\n"),
        ]
    )
    assert G.nodes["security"]["label"] == "stock"  # though "arvopaperi" sorts first


def test_link_edges_have_exactly_the_contract_attributes(G):
    for u, v, data in link_edges(G):
        assert set(data) == LINK_KEYS, (u, v)
        assert data["kind"] == "link"
        assert isinstance(data["weight"], int) and data["weight"] >= 1
        assert data["contexts"], (u, v)
        for context in data["contexts"]:
            assert set(context) == CONTEXT_KEYS


def test_edge_weight_anchors_langs_contexts(G):
    edge = G.edges["backoffice", "lease"]
    # sv: hyresavtal, hyresavtal, "," (punctuation: counted, not a label); en: lease
    assert edge["weight"] == 4
    assert sorted(edge["anchors"]) == ["hyresavtal", "lease"]
    assert "," not in edge["anchors"]
    assert edge["langs"] == ["en", "sv"]
    sections = [(c["lang"], c["section"]) for c in edge["contexts"]]
    assert ("sv", "Vad är Back Office?") in sections
    assert ("sv", "Höjdpunkter") in sections
    assert ("en", "back office") in sections
    first = next(c for c in edge["contexts"] if c["section"] == "Vad är Back Office?")
    assert first["sentence"] == "Kommersiella hyresavtal är billiga."
    assert first["path"] == "sv/backoffice.md"
    assert first["line"] == 10


def test_alt_labels_hold_label_anchors_per_language(G):
    assert G.nodes["lease"]["alt_labels"] == {"en": ["lease"], "sv": ["hyresavtal"]}
    assert G.nodes["frontoffice"]["alt_labels"] == {"en": ["front office"], "sv": ["front office"]}
    assert all("," not in labels for labels in G.nodes["lease"]["alt_labels"].values())


def test_keyword_nodes_and_edges(G):
    kid = keyword_id("Stock Brokers")
    assert kid == "keyword:Stock Brokers"
    assert G.nodes[kid] == {"kind": "keyword", "label": "Stock Brokers"}
    assert G.edges["backoffice", kid] == {"kind": "keyword"}
    assert G.has_edge("lease", "keyword:Real Estate")
    keywords = sorted(n for n, d in G.nodes(data=True) if d["kind"] == "keyword")
    assert keywords == [
        "keyword:Brokers",
        "keyword:Investing",
        "keyword:Real Estate",
        "keyword:Stock Brokers",
    ]
    for u, v, data in G.edges(data=True):
        if data["kind"] == "keyword":
            assert G.nodes[u]["kind"] == "concept" and G.nodes[v]["kind"] == "keyword"


def test_keywords_merge_ignoring_case(G):
    # "investing" (en backoffice) and "Investing" (sv backoffice, frontoffice): one node
    assert "keyword:investing" not in G
    assert G.has_edge("frontoffice", "keyword:Investing")
    G2 = build_graph(
        [
            art("a", "en", article("A", "x", keywords="investing")),
            art("b", "en", article("B", "x", keywords="Investing")),
            art("c", "en", article("C", "x", keywords="Investing,INVESTING")),
        ]
    )
    keyword_nodes = [n for n, d in G2.nodes(data=True) if d["kind"] == "keyword"]
    assert keyword_nodes == ["keyword:Investing"]
    for slug in "abc":
        assert G2.nodes[slug]["keywords"] == ["Investing"]
        assert G2.has_edge(slug, "keyword:Investing")


def test_graph_attributes(G):
    assert G.graph["languages"] == ["en", "sv"]
    assert G.graph["articles"] == 6
    assert G.graph["warnings"] == [] and G.graph["errors"] == []
    assert G.graph["site_url"] == ""
    assert isinstance(G.graph["kg_version"], str) and G.graph["kg_version"]


def test_parse_warnings_reach_the_graph():
    bad = art("capital", "sv", "---\ntitle: K\ndescription: a: b\n---\n# K\n")
    G = build_graph([bad])
    assert G.graph["warnings"] == [
        {"path": "sv/capital.md", "line": 3, "message": bad.warnings[0].message},
    ]


def test_helpers(G):
    assert concepts(G, exists=False) == ["middleoffice"]
    assert concepts(G, exists=True) == ["backoffice", "cfa", "frontoffice", "lease"]
    assert [(u, v) for u, v, _ in link_edges(G)] == sorted(
        (u, v) for u, v, d in G.edges(data=True) if d["kind"] == "link"
    )
    view = link_graph(G)
    assert not any(str(n).startswith("keyword:") for n in view)
    assert view.number_of_edges() == len(link_edges(G))


def test_graph_is_independent_of_article_order(G):
    texts = [
        ("a", "en", "# A\n\n[b](/b) [c](/c) [missing one](/m)\n"),
        ("b", "en", "# B\n\n[a](/a) [missing two](/m)\n"),
        ("a", "sv", "# A sv\n\n[c](/c)\n"),
    ]
    one = build_graph([art(*t) for t in texts])
    two = build_graph([art(*t) for t in reversed(texts)])
    assert list(one.nodes(data=True)) == list(two.nodes(data=True))
    assert list(one.edges(data=True)) == list(two.edges(data=True))
    assert one.graph == two.graph
