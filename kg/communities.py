"""Groups of concepts that link among themselves: Louvain communities of the link graph.

One grouping for every view that groups concepts (``kg stats``, the view's colours by
community).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import networkx as nx

from kg.graph import LINK, concepts


def link_communities(
    G: nx.DiGraph, nodes: Iterable[str] | None = None, seed: int = 0
) -> list[list[str]]:
    """Louvain communities of the links among ``nodes`` (default: every concept), taken
    undirected with the weights of both directions added, a link to itself left out;
    largest first, members sorted. The same graph and seed give the same groups.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_nodes_from("abcd", kind="concept")
    >>> G.add_edges_from([("a", "b"), ("b", "a"), ("c", "d")], kind="link", weight=1)
    >>> link_communities(G)
    [['a', 'b'], ['c', 'd']]
    """
    chosen = sorted(concepts(G) if nodes is None else set(nodes))
    if not chosen:
        return []
    members = set(chosen)
    weights: Counter[tuple[str, str]] = Counter()
    for u in chosen:
        for v, d in G.succ[u].items():
            if d.get("kind") == LINK and u != v and v in members:
                weights[(min(u, v), max(u, v))] += int(d.get("weight", 1))
    H = nx.Graph()
    H.add_nodes_from(chosen)
    H.add_weighted_edges_from((u, v, w) for (u, v), w in sorted(weights.items()))
    found = nx.community.louvain_communities(H, weight="weight", seed=seed)
    return sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
