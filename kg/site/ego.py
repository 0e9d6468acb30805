"""A concept's small graph: it and the concepts it links with, as static SVG geometry.

The view's focused mode (``kg viz --focus SLUG --depth 1``) drawn once, in Python, for a
page that reads without JavaScript: the concept, the :data:`EGO_MAX` concepts it is most
tied to (links both ways, weighted by mentions; then the most linked to; then by id), the
links between them, positions from the force model of :func:`kg.positions.layout`, for all
pages at once (:func:`place_all`). The template draws each node
as a link to its page; every label goes through the template's escaping.

Examples
--------
>>> from kg.articles import parse_article
>>> from kg.graph import build_graph
>>> from kg.site.context import SiteContext
>>> G = build_graph([parse_article("# a\\n[b](/b) [c](/c) [b](/b)", slug="a", lang="en")])
>>> view = place(ego_view(SiteContext(G), "a", "concept/a.html"))
>>> [n["slug"] for n in view["nodes"]], len(view["edges"]), view["more"]
(['a', 'b', 'c'], 2, 0)
>>> all(0 <= n["x"] <= WIDTH and 0 <= n["y"] <= HEIGHT for n in view["nodes"])
True
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from kg.positions import SEED
from kg.site.context import SiteContext

EGO_MAX = 20
"""Neighbours drawn around a concept at most (its page lists them all)."""
WIDTH, HEIGHT = 460, 380
MARGIN_X, MARGIN_Y = 40, 30
EDGE = 110
LABEL_MAX = 22
ITERATIONS = 50
CHUNK = 512
"""Graphs laid out in one array (memory: chunk × nodes² floats, a few)."""


def ego_nodes(site: SiteContext, node: str) -> tuple[list[str], int]:
    """The concept and the neighbours drawn (sorted), and how many neighbours are left out."""
    G = site.G
    strength: dict[str, int] = {}
    for v, d in G.succ[node].items():
        if d.get("kind") == "link" and v != node:
            strength[v] = strength.get(v, 0) + int(d.get("weight", 1))
    for u, d in G.pred[node].items():
        if d.get("kind") == "link" and u != node:
            strength[u] = strength.get(u, 0) + int(d.get("weight", 1))
    ranked = sorted(strength, key=lambda n: (-strength[n], -site.links_in[n], n))
    chosen = sorted(ranked[:EGO_MAX])
    return [node, *chosen], max(len(ranked) - EGO_MAX, 0)


def ego_view(site: SiteContext, node: str, page: str) -> dict[str, Any]:
    """The small graph of ``node`` for the page at ``page``, not yet placed (see :func:`place`).

    Returns
    -------
    dict
        ``nodes`` ([{slug, r, href, label, short, exists, focus}]), ``edges`` ([{u, v,
        focus, both}]), ``width``, ``height``, ``more`` (neighbours left out).
    """
    G = site.G
    nodes, more = ego_nodes(site, node)
    keep = set(nodes)
    pairs: dict[tuple[str, str], bool] = {}
    for u in nodes:
        for v, d in G.succ[u].items():
            if v in keep and v != u and d.get("kind") == "link":
                key = (min(u, v), max(u, v))
                pairs[key] = key in pairs
    drawn = []
    for n in nodes:
        label = site.label(n)
        focus = n == node
        drawn.append(
            {
                "slug": n,
                "r": 9 if focus else 6,
                "href": site.href(page, n),
                "label": label,
                "short": _short(label.text),
                "exists": site.exists(n),
                "focus": focus,
            }
        )
    edges = [
        {"u": u, "v": v, "focus": node in (u, v), "both": both}
        for (u, v), both in sorted(pairs.items())
    ]
    return {"nodes": drawn, "edges": edges, "width": WIDTH, "height": HEIGHT, "more": more}


def place(view: dict[str, Any]) -> dict[str, Any]:
    """``view`` with positions (see :func:`place_all`)."""
    return place_all([view])[0]


def place_all(views: list[dict[str, Any]], chunk: int = CHUNK) -> list[dict[str, Any]]:
    """The views with positions: ``x``, ``y`` on each node, ``x1 y1 x2 y2`` on each edge.

    The positions are those of the force model of :func:`kg.positions.layout` (networkx's
    ``spring_layout``: Fruchterman-Reingold from networkx's seeded start, linear cooling,
    its default 50 steps), computed for many small graphs at once, in single precision:
    networkx's one graph at a time costs 4.5 ms, 70 s for 15,000 pages. Only element-wise
    arithmetic is used (the forces on a node are added one by one), so each graph's
    positions are the same bytes whatever other graphs share its batch, which keeps a
    rebuild's pages identical to a cold build's.
    """
    placed = []
    for start in range(0, len(views), chunk):
        part = views[start : start + chunk]
        coords = _forces([v["nodes"] for v in part], [v["edges"] for v in part])
        placed.extend(_scaled(v, c) for v, c in zip(part, coords, strict=True))
    return placed


def _forces(node_lists: list[list[dict]], edge_lists: list[list[dict]]) -> list[np.ndarray]:
    """Positions in [-1, 1] for a batch of small graphs (see :func:`place_all`)."""
    B = len(node_lists)
    N = max(len(nodes) for nodes in node_lists)
    f = np.float32
    x = np.zeros((B, N), dtype=f)
    y = np.zeros((B, N), dtype=f)
    real = np.zeros((B, N), dtype=bool)
    A = np.zeros((B, N, N), dtype=f)
    for b, (nodes, edges) in enumerate(zip(node_lists, edge_lists, strict=True)):
        n = len(nodes)
        start = _initial(n)
        x[b, :n], y[b, :n] = start[:, 0], start[:, 1]
        real[b, :n] = True
        index = {node["slug"]: i for i, node in enumerate(nodes)}
        for e in edges:
            i, j = index[e["u"]], index[e["v"]]
            A[b, i, j] = A[b, j, i] = 1.0
    k = np.sqrt(f(1.0) / real.sum(axis=1).astype(f))[:, None, None]
    repel = (real[:, :, None] & real[:, None, :]).astype(f) * (k * k)  # k² between real nodes
    attract = A / k  # 1/k along the links
    span_x = np.where(real, x, -np.inf).max(axis=1) - np.where(real, x, np.inf).min(axis=1)
    span_y = np.where(real, y, -np.inf).max(axis=1) - np.where(real, y, np.inf).min(axis=1)
    t = (np.maximum(span_x, span_y) * f(0.1)).astype(f)[:, None]
    dt = t / f(ITERATIONS + 1)
    dx, dy, d, d2, force, gx, gy = (np.empty((B, N, N), dtype=f) for _ in range(7))
    sx, sy = np.empty((B, N), dtype=f), np.empty((B, N), dtype=f)
    for _ in range(ITERATIONS):
        np.subtract(x[:, :, None], x[:, None, :], out=dx)
        np.subtract(y[:, :, None], y[:, None, :], out=dy)
        np.multiply(dx, dx, out=d2)
        np.multiply(dy, dy, out=gx)
        d2 += gx
        np.sqrt(d2, out=d)
        np.maximum(d, f(0.01), out=d)
        np.multiply(d, d, out=d2)
        np.divide(repel, d2, out=force)  # repulsion k²/d, attraction d²/k, along dx/d
        np.multiply(attract, d, out=gx)
        force -= gx
        np.multiply(dx, force, out=gx)
        np.multiply(dy, force, out=gy)
        sx[:] = gx[:, :, 0]
        sy[:] = gy[:, :, 0]
        for j in range(1, N):  # one by one: a sum whose order no batch can change
            sx += gx[:, :, j]
            sy += gy[:, :, j]
        length = np.maximum(np.sqrt(sx * sx + sy * sy), f(0.01))
        step = t / length
        x += sx * step
        y += sy * step
        t -= dt
    out = []
    for b, nodes in enumerate(node_lists):
        m = len(nodes)
        px, py = x[b, :m].astype(float), y[b, :m].astype(float)
        cx, cy = _total(px) / m, _total(py) / m
        px, py = px - cx, py - cy
        scale = max(float(np.abs(px).max()), float(np.abs(py).max())) if m else 0.0
        if scale > 0:
            px, py = px / scale, py / scale
        out.append(np.column_stack([px, py]))
    return out


@cache
def _initial(n: int) -> np.ndarray:
    """networkx's seeded start for ``n`` nodes (``RandomState(0).rand(n, 2)``)."""
    return np.random.RandomState(SEED).rand(n, 2)


def _total(values: np.ndarray) -> float:
    out = 0.0
    for v in values:
        out += float(v)
    return out


def _scaled(view: dict[str, Any], coords: np.ndarray) -> dict[str, Any]:
    span_x, span_y = view["width"] / 2 - MARGIN_X, view["height"] / 2 - MARGIN_Y
    at = {}
    nodes = []
    for n, (x, y) in zip(view["nodes"], coords, strict=True):
        px = round(view["width"] / 2 + float(x) * span_x, 1)
        placed = {
            **n,
            "x": px,
            "y": round(view["height"] / 2 + float(y) * span_y, 1),
            # a label near a side grows inwards, so that it stays in the box
            "side": "west" if px < EDGE else "east" if px > view["width"] - EDGE else "",
        }
        at[n["slug"]] = placed
        nodes.append(placed)
    edges = [
        {
            **e,
            "x1": at[e["u"]]["x"],
            "y1": at[e["u"]]["y"],
            "x2": at[e["v"]]["x"],
            "y2": at[e["v"]]["y"],
        }
        for e in view["edges"]
    ]
    return {**view, "nodes": nodes, "edges": edges}


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1].rstrip() + "…"
