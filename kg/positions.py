"""Positions for drawing the graph, computed in Python so the browser draws once.

``networkx.spring_layout`` (seeded) for small views; past :data:`NX_LAYOUT_MAX_NODES`
nodes, :func:`fast_layout`, the same Fruchterman-Reingold forces vectorised with numpy
and sampled repulsion: on thousands of nodes networkx's layouts take minutes, this takes
about a second (``benchmarks/bench_viz.py``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import networkx as nx
import numpy as np

SEED = 0
NX_LAYOUT_MAX_NODES = 299
"""Up to this many nodes, networkx's exact spring layout; above, :func:`fast_layout`."""


def fast_layout(
    n: int,
    edges: Iterable[tuple[int, int]],
    *,
    seed: int = SEED,
    iterations: int = 120,
    samples: int = 200,
) -> np.ndarray:
    """Fruchterman-Reingold positions for nodes ``0..n-1``, fast on thousands of nodes.

    The forces are those of ``networkx.spring_layout`` (attraction d²/k along edges,
    repulsion k²/d between nodes, k = 1/√n, linear cooling), plus a weak pull to the
    centre that keeps separate components and orphans near the rest. Repulsion is
    estimated each step from ``samples`` nodes drawn at random (seeded) and scaled up,
    so a step costs O(n·samples + edges) instead of O(n²). Deterministic for a seed.

    Returns
    -------
    numpy.ndarray
        ``(n, 2)`` positions, centred, within [-1, 1].

    Examples
    --------
    >>> pos = fast_layout(600, [(i, i + 1) for i in range(599)])
    >>> pos.shape, bool(abs(pos).max() <= 1.0)
    ((600, 2), True)
    """
    rng = np.random.default_rng(seed)
    x = rng.random(n) - 0.5
    y = rng.random(n) - 0.5
    pairs = np.asarray(list(edges), dtype=np.int64).reshape(-1, 2)
    src, dst = pairs[:, 0], pairs[:, 1]
    k = 1.0 / math.sqrt(max(n, 1))
    s = min(n, samples)
    c = np.float32(k * k * n / max(s, 1))
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        idx = rng.choice(n, s, replace=False)
        x32, y32 = x.astype(np.float32), y.astype(np.float32)
        dx = np.subtract.outer(x32, x32[idx])
        dy = np.subtract.outer(y32, y32[idx])
        d2 = dx * dx
        d2 += dy * dy
        np.maximum(d2, np.float32(1e-6), out=d2)
        w = c / d2
        fx = np.einsum("ij,ij->i", dx, w).astype(np.float64)
        fy = np.einsum("ij,ij->i", dy, w).astype(np.float64)
        ex, ey = x[src] - x[dst], y[src] - y[dst]
        dist = np.sqrt(ex * ex + ey * ey) / k
        ax, ay = ex * dist, ey * dist
        fx += np.bincount(dst, ax, minlength=n) - np.bincount(src, ax, minlength=n) - x
        fy += np.bincount(dst, ay, minlength=n) - np.bincount(src, ay, minlength=n) - y
        length = np.sqrt(fx * fx + fy * fy)
        np.maximum(length, 1e-9, out=length)
        step = np.minimum(length, temperature) / length
        x += fx * step
        y += fy * step
        temperature -= cooling
    return _normalise(np.column_stack([x, y]))


def layout(
    nodes: list[str], edges: Iterable[tuple[str, str]], *, seed: int = SEED
) -> dict[str, tuple[float, float]]:
    """Positions in [-1, 1] for ``nodes`` (in this order) linked by ``edges`` (undirected).

    networkx ``spring_layout`` (seeded) up to :data:`NX_LAYOUT_MAX_NODES` nodes,
    :func:`fast_layout` above.

    Examples
    --------
    >>> pos = layout(["a", "b"], [("a", "b")])
    >>> sorted(pos)
    ['a', 'b']
    """
    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    index = {node: i for i, node in enumerate(nodes)}
    pairs = sorted({(min(index[u], index[v]), max(index[u], index[v])) for u, v in edges if u != v})
    if n <= NX_LAYOUT_MAX_NODES:
        H = nx.Graph()
        H.add_nodes_from(range(n))
        H.add_edges_from(pairs)
        pos = nx.spring_layout(H, seed=seed, method="force", iterations=100)
        coords = _normalise(np.array([pos[i] for i in range(n)], dtype=float))
    else:
        coords = fast_layout(n, pairs, seed=seed)
    return {node: (float(coords[i, 0]), float(coords[i, 1])) for i, node in enumerate(nodes)}


def _normalise(coords: np.ndarray) -> np.ndarray:
    if len(coords) == 0:
        return coords
    coords = coords - coords.mean(axis=0)
    scale = float(np.abs(coords).max())
    return coords / scale if scale > 0 else coords
