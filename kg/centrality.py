"""How central each concept is: PageRank over the links between concepts.

One implementation for every view that ranks concepts (``kg stats``, the
visualisation's sizes and its ``--top`` overview).
"""

from __future__ import annotations

import networkx as nx


def pagerank(G: nx.DiGraph, alpha: float = 0.85) -> dict[str, float]:
    """PageRank of every concept over the link edges (weighted by mentions).

    The numbers of ``networkx.pagerank`` on the graph of concepts and links, by the same
    power iteration on the same sparse matrix, built straight from the links (building
    that networkx graph first cost more than the iteration itself).

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b")]); nx.set_node_attributes(G, "concept", "kind")
    >>> nx.set_edge_attributes(G, "link", "kind")
    >>> r = pagerank(G); r["b"] > r["a"]
    True
    """
    import numpy as np
    import scipy as sp

    nodes = sorted(n for n, d in G.nodes.items() if d.get("kind") == "concept")
    N = len(nodes)
    if N == 0:
        return {}
    index = dict(zip(nodes, range(N), strict=True))
    rows, cols, weights = [], [], []
    succ = G.succ
    for u in nodes:
        for v, d in sorted(succ[u].items()):
            if d.get("kind") == "link" and v in index:
                rows.append(index[u])
                cols.append(index[v])
                weights.append(d.get("weight", 1))
    A = sp.sparse.coo_array((weights, (rows, cols)), shape=(N, N), dtype=float).asformat("csr")
    S = A.sum(axis=1)
    S[S != 0] = 1.0 / S[S != 0]
    A = sp.sparse.dia_array((S.T, 0), shape=A.shape).tocsr() @ A
    x = np.repeat(1.0 / N, N)
    p = np.repeat(1.0 / N, N)
    is_dangling = np.where(S == 0)[0]
    for _ in range(100):
        xlast = x
        x = alpha * (x @ A + sum(x[is_dangling]) * p) + (1 - alpha) * p
        if np.absolute(x - xlast).sum() < N * 1.0e-6:
            return dict(zip(nodes, map(float, x), strict=True))
    raise nx.PowerIterationFailedConvergence(100)
