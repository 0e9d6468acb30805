"""Graph → an interactive HTML view: one self-contained, offline, safe page.

The page draws the concepts of a :func:`kg.build_graph` graph with vis-network, the
JavaScript library behind pyvis, and keeps pyvis's page contract: a page-level global
``network`` (the ``vis.Network``), globals ``nodes`` and ``edges`` (its ``vis.DataSet``\\ s)
and the graph's node ids as vis node ids, so scripts written against pyvis pages work.

How pyvis is used
-----------------
pyvis is the project's chosen library and the source of the vis-network build the page
runs: the page inlines the ``vis-network.min.js`` and ``vis-network.css`` that the
installed pyvis ships (``pyvis/lib/vis-9.1.2``: vis-network 9.1.2, dual Apache-2.0/MIT;
its licence header stays in the page). Its ``Network`` class and Jinja template are not
used to write the page, because their defaults fail the requirements: the template loads
vis-network and Bootstrap from CDNs even with ``cdn_resources="in_line"`` (pyvis #228,
#229), its tooltip code puts node titles into ``innerHTML``, ``add_node``/``add_edge``
scan every node and edge already added (quadratic: minutes for 5,000 articles), and its
physics never settles on thousands of nodes. Instead :func:`render_html` fills a small
string template of its own (no Jinja) with:

* vis-network's script and style, inlined (no ``src=``/``href=`` at all, and a
  Content-Security-Policy that forbids every request, so nothing leaves the file);
* the view's data as one JSON block (``<script type="application/json">``) in which
  ``<``, ``>``, ``&``, U+2028 and U+2029 are escaped, so ``</script>`` in a title cannot
  end the block; the page script reads it with ``JSON.parse`` and builds tooltips, the
  details panel, legend and search results as DOM elements with ``textContent``:
  article text is always text, never HTML;
* ``kg/static/viz.js`` and ``viz.css`` (legend that filters, search over every label and
  anchor text in any language, neighbourhood highlight, toggles).

Layout and scale
----------------
Positions are computed in Python, deterministically (fixed seeds, sorted nodes):
``networkx.spring_layout`` (seeded, exact Fruchterman-Reingold) below 500 nodes, and
above that :func:`kg.positions.fast_layout`, the same force model with vectorised numpy
and sampled repulsion (see :mod:`kg.positions`). Physics stays off past
:data:`PHYSICS_MAX_NODES` nodes, so the browser draws once and the view is steady.

Examples
--------
>>> from kg.articles import parse_article
>>> from kg.graph import build_graph
>>> G = build_graph([parse_article("# back office\\nSee [front office](/frontoffice).",
...                                slug="backoffice", lang="en")])
>>> page = render_html(G)
>>> page.startswith("<!DOCTYPE html>") and " src=" not in page and " href=" not in page
True
"""

from __future__ import annotations

import html
import importlib.util
import json
import math
import os
from collections import Counter
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx

from kg.atomic import write_atomic
from kg.centrality import pagerank
from kg.communities import link_communities
from kg.errors import InvalidArgument
from kg.explore import link_distances, resolve
from kg.graph import links_in, links_out
from kg.labels import pick
from kg.positions import SEED, layout

FULL_VIEW_MAX = 2000
"""Up to this many concepts the default view (``top=None``) draws them all."""
DEFAULT_TOP = 500
"""Past :data:`FULL_VIEW_MAX` concepts the default view keeps this many, the most central."""
PHYSICS_MAX_NODES = 300
"""Views with more nodes than this are drawn with physics off (positions from Python)."""
COLOR_BY = ("keyword", "community")
SIZE_BY = ("pagerank", "in-links")

# 11 colours (Tableau 10 + one) for the largest groups; the rest share OTHER_COLOR
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#86bcb6",
    "#d37295",
)
OTHER_COLOR = "#a0a9b8"
MISSING_GROUP = "no article yet"
NO_KEYWORD = "(no keyword)"
NO_KEYWORD_COLOR = "#c8ccd2"
_DESCRIPTION_MAX = 400
_ALT_MAX = 20
_JSON_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}
_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'"
)


# --- public API --------------------------------------------------------------------------


def render_html(
    G: nx.DiGraph,
    *,
    focus: str | None = None,
    depth: int = 1,
    top: int | None = None,
    color_by: str = "keyword",
    size_by: str = "pagerank",
    show_keywords: bool = False,
    show_missing: bool = True,
    title: str | None = None,
) -> str:
    """Return a complete, self-contained, offline HTML page that draws ``G``.

    Parameters
    ----------
    G : networkx.DiGraph
        A graph as :func:`kg.build_graph` makes it (or :func:`kg.read_graph` reads it).
    focus : str, optional
        Draw only the ego view of this concept: the concepts within ``depth`` links of it,
        following links in either direction (see :func:`ego_graph`).
    depth : int
        Radius of the ego view, in links (default 1).
    top : int, optional
        Keep the ``top`` most central concepts (PageRank over the links, see
        :func:`top_concepts`); ``0`` keeps all. The default ``None`` draws the whole graph
        up to :data:`FULL_VIEW_MAX` (2,000) concepts and the :data:`DEFAULT_TOP` (500) most
        central past that: vis-network stays fluid with a few thousand nodes and their links
        on a laptop, while the whole investors.wiki (14,000 concepts a language) would be a
        slow, unreadable hairball of several megabytes; 500 hubs give the overview, and
        ``focus`` gives the detail. The focus concept is always kept.
    color_by : {"keyword", "community"}
        Colour a concept by its first keyword (the wiki's top-level section, e.g.
        "Investing") or by its Louvain community in the drawn links (seed 0).
    size_by : {"pagerank", "in-links"}
        Size a concept by its PageRank or by how many concepts link to it (whole graph).
    show_keywords : bool
        Draw keywords as nodes at first (the page has a toggle).
    show_missing : bool
        Draw concepts that have no article yet (grey, dashed) at first (the page has a toggle).
    title : str, optional
        The page title; default ``"kg — N concepts"`` or ``"kg — SLUG and its neighbours"``.

    Returns
    -------
    str
        The page. Its global ``network`` is the ``vis.Network``; vis node ids are the
        graph's ids; ``window.kgReady`` turns true once the view is drawn and steady.

    Raises
    ------
    ConceptNotFound
        ``focus`` is no concept of ``G`` (the message suggests close matches).
    InvalidArgument
        An option is out of range.

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> G = build_graph([parse_article("# a\\n[b](/b)", slug="a", lang="en")])
    >>> '"id":"b"' in render_html(G, focus="a", depth=1)
    True
    """
    view = _view(G, focus=focus, depth=depth, top=top, color_by=color_by, size_by=size_by)
    payload = _payload(G, view, show_keywords=show_keywords, show_missing=show_missing, title=title)
    return _page(payload)


def write_html(G: nx.DiGraph, path: str | os.PathLike, **options: Any) -> Path:
    """Write the view of ``G`` (:func:`render_html` with ``options``) to ``path``, atomically.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> G = build_graph([parse_article("# a\\n[b](/b)", slug="a", lang="en")])
    >>> write_html(G, pathlib.Path(tempfile.mkdtemp()) / "graph.html").read_text()[:15]
    '<!DOCTYPE html>'
    """
    return write_atomic(Path(path), render_html(G, **options))


def visualize(
    G: nx.DiGraph,
    *,
    out: str | os.PathLike | None = None,
    focus: str | None = None,
    depth: int = 1,
    top: int | None = None,
    color_by: str = "keyword",
    size_by: str = "pagerank",
    show_keywords: bool = False,
    show_missing: bool = True,
    title: str | None = None,
) -> Path | Viz:
    """Draw ``G`` as an interactive HTML view: write it to ``out``, or show it in a notebook.

    Takes the options of :func:`render_html`. With ``out`` the page is written there
    atomically (temporary file, then rename) and the path is returned. Without ``out`` a
    :class:`Viz` is returned: the last expression of a Jupyter, JupyterLab or VS Code
    notebook cell displays it inline (a sandboxed ``<iframe srcdoc>`` holding the page,
    which needs no network); ``.save(path)`` writes it, ``.html`` is the page.

    Examples
    --------
    >>> import kg
    >>> G = kg.load("articles")                                  # doctest: +SKIP
    >>> kg.visualize(G, focus="backoffice", depth=2)             # doctest: +SKIP
    >>> kg.visualize(G, top=300, out="overview.html")            # doctest: +SKIP
    PosixPath('overview.html')
    """
    page = render_html(
        G,
        focus=focus,
        depth=depth,
        top=top,
        color_by=color_by,
        size_by=size_by,
        show_keywords=show_keywords,
        show_missing=show_missing,
        title=title,
    )
    view = Viz(page)
    return view if out is None else view.save(out)


class Viz:
    """A rendered view. Displays inline in notebooks; ``save(path)`` writes the page.

    Parameters
    ----------
    html : str
        The page from :func:`render_html`.
    height : int
        Height in pixels of the inline frame in a notebook.

    Examples
    --------
    >>> v = Viz("<!DOCTYPE html><title>t</title>")
    >>> v._repr_html_().startswith("<iframe")
    True
    """

    def __init__(self, html: str, height: int = 640) -> None:
        self.html = html
        self.height = height

    def _repr_html_(self) -> str:
        # srcdoc keeps the page self-contained (no file, no server); sandbox without
        # allow-same-origin isolates it from the notebook page.
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
            f'style="width:100%;height:{int(self.height)}px;border:1px solid #ddd" '
            'sandbox="allow-scripts" title="kg graph view"></iframe>'
        )

    def save(self, path: str | os.PathLike) -> Path:
        """Write the page to ``path`` atomically and return the path."""
        return write_atomic(Path(path), self.html.encode("utf-8"))

    def __repr__(self) -> str:
        return f"<kg.viz.Viz: {len(self.html):,} characters of HTML>"


def ego_graph(G: nx.DiGraph, focus: str, depth: int = 1) -> nx.DiGraph:
    """The concepts within ``depth`` links of ``focus``, following links either way.

    Only ``kind="link"`` edges count as steps (keywords do not connect concepts here).

    Parameters
    ----------
    G : networkx.DiGraph
    focus : str
        A concept id (slug).
    depth : int
        How many links away, at most (0 gives ``focus`` alone).

    Returns
    -------
    networkx.DiGraph
        The subgraph of ``G`` induced by those concepts and their keyword nodes (a copy).

    Raises
    ------
    ConceptNotFound
        ``focus`` is no concept of ``G``; the message suggests close matches.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> for n in "abcd":
    ...     G.add_node(n, kind="concept", exists=True, label=n)
    >>> G.add_edge("a", "b", kind="link"); G.add_edge("c", "b", kind="link")
    >>> G.add_edge("c", "d", kind="link")
    >>> sorted(ego_graph(G, "a", 2))
    ['a', 'b', 'c']
    """
    found = ego_concepts(G, focus, depth)
    keep = set(found)
    for node in found:
        keep.update(v for v in G.succ[node] if G.nodes[v].get("kind") == "keyword")
    return G.subgraph(keep).copy()


def ego_concepts(G: nx.DiGraph, focus: str, depth: int = 1) -> dict[str, int]:
    """``{concept: distance}`` for the concepts within ``depth`` links of ``focus`` (either way).

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("c", "b")])
    >>> nx.set_node_attributes(G, "concept", "kind")
    >>> nx.set_edge_attributes(G, "link", "kind")
    >>> ego_concepts(G, "a", 2)
    {'a': 0, 'b': 1, 'c': 2}
    """
    if depth < 0:
        raise InvalidArgument("depth", f"must be 0 or more, not {depth}")
    return link_distances(G, resolve(G, focus), depth)


def top_concepts(
    G: nx.DiGraph,
    n: int,
    candidates: Iterable[str] | None = None,
    scores: dict[str, float] | None = None,
) -> list[str]:
    """The ``n`` most central concepts: highest PageRank over the links, ties by id.

    PageRank (damping 0.85, edges weighted by mentions) rewards concepts that many
    central concepts link to, so hubs of the wiki come first, including concepts that
    have no article yet but are linked from everywhere.

    Parameters
    ----------
    G : networkx.DiGraph
    n : int
        How many to keep (all when ``n`` is larger than the number of concepts).
    candidates : iterable of str, optional
        Rank only these concepts (default: every concept of ``G``).
    scores : dict, optional
        :func:`kg.centrality.pagerank` of ``G`` when the caller has it already.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_nodes_from("abc", kind="concept")
    >>> G.add_edges_from([("a", "c"), ("b", "c"), ("c", "a")], kind="link")
    >>> top_concepts(G, 2)
    ['c', 'a']
    """
    if n < 0:
        raise InvalidArgument("top", f"must be 0 or more, not {n}")
    scores = pagerank(G) if scores is None else scores
    pool = scores if candidates is None else [c for c in candidates if c in scores]
    return sorted(pool, key=lambda c: (-scores[c], c))[:n]


# --- building the view -------------------------------------------------------------------


def _view(G: nx.DiGraph, *, focus, depth, top, color_by, size_by) -> dict[str, Any]:
    if color_by not in COLOR_BY:
        raise InvalidArgument("color_by", f"must be one of {', '.join(COLOR_BY)}, not {color_by!r}")
    if size_by not in SIZE_BY:
        raise InvalidArgument("size_by", f"must be one of {', '.join(SIZE_BY)}, not {size_by!r}")
    if top is not None and top < 0:
        raise InvalidArgument("top", f"must be 0 or more, not {top}")
    all_concepts = sorted(n for n, d in G.nodes(data=True) if d.get("kind") == "concept")
    candidates = list(ego_concepts(G, focus, depth)) if focus is not None else all_concepts
    limit = _resolve_top(top, len(candidates))
    ranks = pagerank(G)
    if limit < len(candidates):
        kept = top_concepts(G, limit, candidates, ranks)
        if focus is not None and focus not in kept:
            kept = [focus, *kept[: max(limit - 1, 0)]]
        chosen = sorted(kept)
    else:
        chosen = sorted(candidates)
    chosen_set = set(chosen)
    links = [(u, v, d) for u in chosen for v, d in links_out(G, u) if v in chosen_set]
    if size_by == "pagerank":
        raw = {c: ranks.get(c, 0.0) for c in chosen}
    else:
        raw = {c: float(_in_links(G, c)) for c in chosen}
    return {
        "concepts": chosen,
        "links": links,
        "total": len(all_concepts),
        "candidates": len(candidates),
        "focus": focus,
        "depth": depth,
        "top": limit if limit < len(candidates) else None,
        "ranks": ranks,
        "sizes": _size_values(raw),
        "groups": _groups(G, chosen, ranks, color_by),
        "color_by": color_by,
        "size_by": size_by,
        "positions": layout(chosen, [(u, v) for u, v, _ in links]),
    }


def _resolve_top(top: int | None, count: int) -> int:
    if top is None:
        return count if count <= FULL_VIEW_MAX else DEFAULT_TOP
    return count if top == 0 else min(top, count)


def _size_values(raw: dict[str, float]) -> dict[str, float]:
    """Square-root scaled to [0, 1] (heavy-tailed scores would otherwise leave dots only)."""
    top = max(raw.values(), default=0.0)
    low = min(raw.values(), default=0.0)
    if top <= low:
        return dict.fromkeys(raw, 0.5)
    span = math.sqrt(top - low)
    return {c: round(math.sqrt(v - low) / span, 4) for c, v in raw.items()}


def _groups(G, chosen, ranks, color_by) -> dict[str, Any]:
    """Group of each drawn concept, and the legend (largest groups coloured, others grey)."""
    key: dict[str, str] = {}
    existing = [c for c in chosen if G.nodes[c].get("exists")]
    if color_by == "keyword":
        for c in existing:
            keywords = G.nodes[c].get("keywords") or []
            key[c] = keywords[0] if keywords else NO_KEYWORD
    else:
        for members in link_communities(G, existing, seed=SEED):
            hub = min(members, key=lambda c: (-ranks.get(c, 0.0), c))
            name = f"around “{G.nodes[hub].get('label') or hub}”"
            for c in members:
                key[c] = name
    counts = Counter(key.values())
    ordered = sorted(counts, key=lambda g: (-counts[g], g))
    coloured = ordered[: len(PALETTE)]
    colours = iter(PALETTE)
    legend = [
        {
            "name": g,
            "color": NO_KEYWORD_COLOR if g == NO_KEYWORD else next(colours),
            "count": counts[g],
        }
        for g in coloured
    ]
    index = {g: i for i, g in enumerate(coloured)}
    rest = sum(counts[g] for g in ordered[len(PALETTE) :])
    if rest:
        names = ordered[len(PALETTE) :]
        legend.append({"name": f"other ({len(names)} groups)", "color": OTHER_COLOR, "count": rest})
    other = len(legend) - 1
    of = {c: index.get(g, other) for c, g in key.items()}
    return {"legend": legend, "of": of}


def _payload(G, view, *, show_keywords, show_missing, title) -> dict[str, Any]:
    concepts = view["concepts"]
    n = len(concepts)
    radius = 40.0 * math.sqrt(max(n, 1)) + 120.0
    pos = view["positions"]
    groups = view["groups"]
    missing_index = len(groups["legend"])
    records = []
    for c in concepts:
        data = G.nodes[c]
        x, y = pos[c]
        rec: dict[str, Any] = {
            "id": c,
            "label": str(data.get("label") or c),
            "x": round(x * radius, 1),
            "y": round(y * radius, 1),
            "value": view["sizes"][c],
            "in": _in_links(G, c),
            "out": _out_links(G, c),
        }
        labels = data.get("labels") or {}
        if labels:
            rec["labels"] = [[lang, str(labels[lang])] for lang in sorted(labels)]
        lang, description = _description(data.get("descriptions") or {})
        if description:
            rec["desc"] = description
            rec["descLang"] = lang
        if data.get("keywords"):
            rec["keywords"] = [str(k) for k in data["keywords"]]
        alt = _alt_labels(data)
        if alt:
            rec["alt"] = alt
        if data.get("exists"):
            rec["group"] = groups["of"][c]
        else:
            rec["missing"] = True
            rec["group"] = missing_index
        if c == view["focus"]:
            rec["focus"] = True
        records.append(rec)
    keyword_records, keyword_edges = _keyword_nodes(G, concepts, pos, radius)
    edges = [[u, v, _edge_width(d.get("weight", 1))] for u, v, d in view["links"]]
    legend = [*groups["legend"]]
    missing_count = sum(1 for r in records if r.get("missing"))
    legend.append(
        {"name": MISSING_GROUP, "color": "#e6e6e6", "count": missing_count, "missing": True}
    )
    if title is None:
        if view["focus"] is not None:
            title = f"kg — {view['focus']} and its neighbours"
        else:
            title = f"kg — {n:,} concepts"
    return {
        "title": str(title),
        "subtitle": _subtitle(view, n, len(edges)),
        "focus": view["focus"],
        "depth": view["depth"],
        "colorBy": view["color_by"],
        "sizeBy": view["size_by"],
        "showKeywords": bool(show_keywords),
        "showMissing": bool(show_missing),
        "physics": n + (len(keyword_records) if show_keywords else 0) <= PHYSICS_MAX_NODES,
        "large": n > 1000,
        "legend": legend,
        "nodes": records,
        "edges": edges,
        "keywords": keyword_records,
        "keywordEdges": keyword_edges,
    }


def _subtitle(view, n: int, links: int) -> str:
    parts = [f"{n:,} concepts · {links:,} links"]
    if view["focus"] is not None:
        parts.append(
            f"within {view['depth']} link{'s' if view['depth'] != 1 else ''} of {view['focus']}"
        )
    if view["top"] is not None:
        parts.append(
            f"the {view['top']:,} most central of {view['candidates']:,} "
            "(PageRank; top=0 shows all)"
        )
    colour = "keyword" if view["color_by"] == "keyword" else "link community"
    size = "PageRank" if view["size_by"] == "pagerank" else "in-links"
    parts.append(f"colour: {colour} · size: {size}")
    return " · ".join(parts)


def _keyword_nodes(G, concepts, pos, radius) -> tuple[list[dict], list[list[str]]]:
    members: dict[str, list[str]] = {}
    for c in concepts:
        for v in G.succ[c]:
            if G.nodes[v].get("kind") == "keyword":
                members.setdefault(v, []).append(c)
    records, edges = [], []
    golden = math.pi * (3 - math.sqrt(5))
    for i, kid in enumerate(sorted(members)):
        group = members[kid]
        mx = sum(pos[c][0] for c in group) / len(group)
        my = sum(pos[c][1] for c in group) / len(group)
        records.append(
            {
                "id": kid,
                "label": str(G.nodes[kid].get("label") or kid),
                "kind": "keyword",
                "x": round(mx * radius + 40 * math.cos(i * golden), 1),
                "y": round(my * radius + 40 * math.sin(i * golden), 1),
                "count": len(group),
            }
        )
        edges.extend([c, kid] for c in sorted(group))
    edges.sort()
    return records, edges


def _description(descriptions: dict[str, str]) -> tuple[str, str]:
    found = pick({lang: str(text) for lang, text in descriptions.items()})
    if found is None:
        return "", ""
    lang, text = found
    text = " ".join(text.split())
    if len(text) > _DESCRIPTION_MAX:
        text = text[: _DESCRIPTION_MAX - 1].rstrip() + "…"
    return lang, text


def _alt_labels(data: dict) -> list[str]:
    known = {str(t).casefold() for t in (data.get("labels") or {}).values()}
    known.add(str(data.get("label") or "").casefold())
    seen: dict[str, None] = {}
    for lang in sorted(data.get("alt_labels") or {}):
        for text in data["alt_labels"][lang]:
            text = str(text)
            if text.casefold() not in known and text not in seen:
                seen[text] = None
    return list(seen)[:_ALT_MAX]


def _edge_width(weight: int) -> float:
    return round(1.0 + min(3.0, math.log2(max(int(weight or 1), 1))), 2)


# --- graph helpers -----------------------------------------------------------------------


def _in_links(G: nx.DiGraph, node: str) -> int:
    return sum(1 for u, _ in links_in(G, node) if u != node)


def _out_links(G: nx.DiGraph, node: str) -> int:
    return sum(1 for v, _ in links_out(G, node) if v != node)


# --- the page ----------------------------------------------------------------------------


def script_json(data: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">`` (and as JS).

    Examples
    --------
    >>> script_json({"t": "</script><b>&"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(
        data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )
    return text.translate(_JSON_ESCAPES)


def _package_folder(package: str) -> Path:
    """The folder of an installed package, found without importing it.

    ``importlib.resources.files("pyvis")`` imports pyvis, and with it jinja2 and more:
    0.6 s in a fresh process, for a file kg only reads.
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the {package} package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def _static(name: str) -> str:
    """A script or style to inline: vis-network's from the installed pyvis, kg's own else."""
    if name.startswith("vis-network"):
        folders = sorted(
            (
                p
                for p in (_package_folder("pyvis") / "lib").iterdir()
                if p.name.startswith("vis-9.")
            ),
            key=lambda p: [int(x) for x in p.name[4:].split(".") if x.isdigit()],
        )
        if not folders:
            raise RuntimeError("pyvis ships no vis-network build (pyvis/lib/vis-9.*)")
        text = folders[-1].joinpath(name).read_text(encoding="utf-8")
    else:
        text = resources.files("kg").joinpath("static", name).read_text(encoding="utf-8")
    if name.endswith(".js"):
        lines = text.rstrip("\n").split("\n")
        if lines and lines[-1].startswith("//# sourceMappingURL="):
            lines.pop()
        text = "\n".join(lines) + "\n"
        bad = ("</script", "<!--")
    else:
        bad = ("</style",)
    lowered = text.lower()
    for marker in bad:
        if marker in lowered:  # would end the inline block early
            raise RuntimeError(f"kg/static/{name} holds {marker!r} and cannot be inlined")
    return text


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="@CSP@">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="kg">
<title>@TITLE@</title>
<style>
@VIS_CSS@</style>
<style>
@KG_CSS@</style>
</head>
<body>
<div id="mynetwork" aria-label="graph"></div>
<div id="kg-panel">
<h1 id="kg-title"></h1>
<div id="kg-subtitle"></div>
<div id="kg-search-box">
<input id="kg-search" type="search" autocomplete="off" spellcheck="false"
 placeholder="Find a concept (any language)" aria-label="Find a concept">
<ul id="kg-results" role="listbox"></ul>
</div>
<div id="kg-toggles">
<label><input type="checkbox" id="kg-show-keywords"> keywords as nodes</label>
<label><input type="checkbox" id="kg-show-missing"> concepts without an article</label>
</div>
<div id="kg-legend-title">Legend <span class="kg-hint">(click to hide or show)</span></div>
<ul id="kg-legend"></ul>
<div class="kg-hint">Click a concept to highlight its links; click the background to reset.</div>
</div>
<div id="kg-details" hidden></div>
<script id="kg-data" type="application/json">@DATA@</script>
<script>
@VIS_JS@</script>
<script>
@KG_JS@</script>
</body>
</html>
"""


def _page(payload: dict[str, Any]) -> str:
    parts = {
        "@CSP@": _CSP,
        "@TITLE@": html.escape(payload["title"]),
        "@VIS_CSS@": _static("vis-network.css"),
        "@KG_CSS@": _static("viz.css"),
        "@DATA@": script_json(payload),
        "@VIS_JS@": _static("vis-network.min.js"),
        "@KG_JS@": _static("viz.js"),
    }
    out = _TEMPLATE
    # one pass, in template order, so a marker inside inserted text is never replaced
    pieces = []
    pos = 0
    while True:
        starts = [(out.find(k, pos), k) for k in parts if out.find(k, pos) >= 0]
        if not starts:
            pieces.append(out[pos:])
            break
        start, key = min(starts)
        pieces.append(out[pos:start])
        pieces.append(parts[key])
        pos = start + len(key)
    return "".join(pieces)
