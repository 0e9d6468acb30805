"""How central each concept is: PageRank over the links between concepts.

One implementation for every view that ranks concepts (``kg stats``, the
visualisation's sizes and its ``--top`` overview).
"""

from __future__ import annotations

import networkx as nx


def link_digraph(G: nx.DiGraph) -> nx.DiGraph:
    """A plain DiGraph of the concepts and the links between them, ``weight`` = mentions.

    Examples
    --------
    >>> G = nx.DiGraph(); G.add_edge("a", "b", kind="link", weight=2)
    >>> G.add_edge("a", "keyword:K", kind="keyword")
    >>> nx.set_node_attributes(G, {"a": "concept", "b": "concept", "keyword:K": "keyword"}, "kind")
    >>> sorted(link_digraph(G).edges(data="weight"))
    [('a', 'b', 2)]
    """
    H = nx.DiGraph()
    H.add_nodes_from(sorted(n for n, d in G.nodes(data=True) if d.get("kind") == "concept"))
    H.add_weighted_edges_from(
        sorted(
            (u, v, d.get("weight", 1)) for u, v, d in G.edges(data=True) if d.get("kind") == "link"
        )
    )
    return H


def pagerank(G: nx.DiGraph) -> dict[str, float]:
    """PageRank of every concept over the link edges (weighted by mentions).

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b")]); nx.set_node_attributes(G, "concept", "kind")
    >>> nx.set_edge_attributes(G, "link", "kind")
    >>> r = pagerank(G); r["b"] > r["a"]
    True
    """
    H = link_digraph(G)
    if H.number_of_nodes() == 0:
        return {}
    return nx.pagerank(H, weight="weight")
