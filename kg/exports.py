"""The graph → every file format of a build: :func:`write_exports` runs one writer each.

Every writer is a function of the graph alone, sorts what it writes (the same graph
gives byte-identical files) and writes atomically (a temporary file, then a rename),
so a reader never sees half a file. The RDF is made in :mod:`kg.rdf`, the flat formats
(CSV, GraphML, GEXF) in :mod:`kg.flat`, graph.json here; each gives its file as
per-node pieces (:mod:`kg.pieces`), so that a rebuild copies the pieces of the nodes
that did not change from the last build's files.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from kg.atomic import write_atomic
from kg.errors import KgError
from kg.flat import FlatRows, compact_json, edges_csv, gexf, graphml, nodes_csv
from kg.forking import can_fork, fork
from kg.pieces import Layout, Reuse, write_pieces
from kg.report import make_report, report_markdown
from kg.version import code_digest

if TYPE_CHECKING:  # pragma: no cover
    from kg.rdf import RdfItems

FORMATS = ("ttl", "nt", "jsonld", "graphml", "gexf", "json", "csv", "html", "report", "store")
"""Export names for ``--formats``; ``csv`` is nodes.csv and edges.csv, ``report`` both reports."""

FILES = {
    "ttl": "graph.ttl",
    "nt": "graph.nt",
    "jsonld": "graph.jsonld",
    "graphml": "graph.graphml",
    "gexf": "graph.gexf",
    "json": "graph.json",
    "html": "graph.html",
}

# --- one writer per format (the RDF in kg.rdf, the flat formats in kg.flat) -------------


def graph_json(G: nx.DiGraph) -> Layout:
    """``graph.json``: ``networkx.node_link_data(G, edges="edges")``, one node or edge a line.

    The same text as dumping node_link_data's nodes sorted by id and its edges by source
    and target, made straight from the graph's dicts; a node's line and its out-edges'
    lines are its pieces.
    """
    dump = compact_json
    head = {"directed": G.is_directed(), "multigraph": G.is_multigraph(), "graph": G.graph}
    top = "".join(f"{dump(k)}: {dump(v)},\n" for k, v in sorted(head.items()))
    nodes, succ = G._node, G._succ

    def render(node: str) -> tuple[str, str]:
        edges = [dump({**d, "source": node, "target": v}) for v, d in sorted(succ[node].items())]
        return dump({**nodes[node], "id": node}), ",\n".join(edges)

    order = sorted(nodes)
    return Layout(
        "{\n" + top + '"nodes": [\n',
        [(",\n", order), (",\n", order)],
        ['\n],\n"edges": [\n', ""],
        "\n]}\n",
        render,
    )


def read_build(data: str | os.PathLike = "exports") -> nx.DiGraph:
    """Read the graph of a build folder (its ``graph.json``).

    Raises
    ------
    KgError
        When the folder holds no build, or graph.json is not readable.

    Examples
    --------
    >>> G = read_build("exports")  # doctest: +SKIP
    """
    path = Path(data) / "graph.json"
    if not path.is_file():
        raise KgError(f"{data}: no build here (no graph.json); run 'kg build --out {data}' first")
    try:
        with path.open("rb") as handle:
            payload = json.load(handle)
        # what networkx.node_link_graph does, without its per-item copying (about 3x faster)
        G = nx.DiGraph()
        G.graph.update(payload.get("graph", {}))
        G.add_nodes_from((node.pop("id"), node) for node in payload["nodes"])
        edges = payload["edges"]
        G.add_edges_from((edge.pop("source"), edge.pop("target"), edge) for edge in edges)
        return G
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        raise KgError(f"{path}: not a kg graph.json ({exc}); rebuild with 'kg build'") from exc


# --- all of them --------------------------------------------------------------------------


def write_exports(
    G: nx.DiGraph,
    out: str | os.PathLike = "exports",
    *,
    formats: Iterable[str] | None = None,
    base_iri: str | None = None,
    parallel: bool = True,
    pieces: str | os.PathLike | None = None,
    inputs: Mapping[str, str] | None = None,
) -> dict[str, float]:
    """Write the chosen exports of ``G`` into ``out``; return seconds spent per format.

    N-Triples is written first; the store is then loaded from it by the ``oxigraph``
    command in another process, and the flat formats and the HTML are written by a forked
    child (when ``parallel``), while this process writes Turtle, JSON-LD and the report;
    graph.json, the one writer that reads the links' sentences (most of a big graph's
    memory), waits until the child is done, so that no page of them is copied for two
    processes. The files are the same either way.

    Parameters
    ----------
    G : networkx.DiGraph
        A graph from :func:`kg.graph.build_graph` (or :func:`read_build`).
    out : path
        The build folder (created if needed).
    formats : iterable of str, optional
        Names from :data:`FORMATS`; default all.
    base_iri : str, optional
        Base of the RDF IRIs; default :data:`kg.rdf.DEFAULT_BASE_IRI`. Kept in ``G.graph``.
    parallel : bool
        Use other processes (default True).
    pieces : path, optional
        A file (in the build's cache) where the last build said where each node's pieces
        stand in its files: the pieces of nodes that did not change are copied from those
        files instead of being made again (:mod:`kg.pieces`); the files are the same.
    inputs : mapping, optional
        Node → what its articles were read from (:attr:`kg.corpus.Corpus.inputs`), which
        makes the nodes' signatures cheap (:func:`kg.pieces.signatures`).

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> import tempfile
    >>> G = build_graph([parse_article("See [b](/b).", slug="a")])
    >>> sorted(write_exports(G, tempfile.mkdtemp(), formats=["json", "csv"]))
    ['csv', 'json']
    """
    chosen = list(FORMATS) if formats is None else list(dict.fromkeys(formats))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown:
        raise KgError(
            f"unknown export format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}"
        )
    if "store" in chosen and "nt" not in chosen:
        chosen.insert(chosen.index("store"), "nt")
    G.graph["base_iri"] = base_iri or G.graph.get("base_iri") or _default_base_iri()
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    finishers: list[tuple[str, Callable[[], Any]]] = []
    reuse = None
    if pieces is not None:
        start = time.perf_counter()
        reuse = _MEMO[(id(G), "reuse")] = Reuse(Path(pieces), G, code_digest(), inputs)
        timings["signatures"] = round(time.perf_counter() - start, 4)
    try:
        order = sorted(chosen, key=_ORDER.index)
        forked = None
        side = [name for name in order if name in FORKED]
        if parallel and side and len(side) < len(order) and can_fork():
            forked = fork(_run_writers, G, folder, side, what="flat exports")  # on the other core
            order = [name for name in order if name not in side]
        later = [name for name in order if name in AFTER_FORK] if forked is not None else []
        order = [name for name in order if name not in later]
        for i, name in enumerate(order):
            start = time.perf_counter()
            if parallel and name in _BACKGROUND:
                finishers.append((name, _BACKGROUND[name](G, folder)))
            else:
                _WRITERS[name](G, folder)
            for shared, users in _SHARED_BY.items():  # free what no later writer needs
                if not users.intersection(order[i + 1 :]):
                    _MEMO.pop((id(G), shared), None)
            timings[name] = round(time.perf_counter() - start, 4)
        if reuse is not None:  # a cold build's signatures, made while the others still work
            start = time.perf_counter()
            reuse.prepare()
            timings["signatures"] = round(timings["signatures"] + time.perf_counter() - start, 4)
        if forked is not None:
            child_timings, child_pieces = forked()
            timings.update(child_timings)
            if reuse is not None:
                reuse.new.update(child_pieces)
        for name, seconds in _run_writers(G, folder, later)[0].items():
            timings[name] = seconds
        for name, finish in finishers:  # what ran in the background: wait for it now
            start = time.perf_counter()
            finish()
            timings[name] = round(timings[name] + time.perf_counter() - start, 4)
        if reuse is not None:
            reuse.save()
    finally:
        for key in [k for k in _MEMO if k[0] == id(G)]:
            del _MEMO[key]
    return {name: timings[name] for name in ["signatures", *chosen] if name in timings}


_ORDER = ("nt", "store", "ttl", "jsonld", "graphml", "gexf", "csv", "json", "html", "report")
"""The order writers run in: N-Triples first, so the store can load it in another process
while the rest are written."""

def _run_writers(
    G: nx.DiGraph, folder: Path, names: list[str]
) -> tuple[dict[str, float], dict[str, Any]]:
    """Run writers; return their timings and the indexes of the pieces they wrote."""
    timings = {}
    for name in names:
        start = time.perf_counter()
        _WRITERS[name](G, folder)
        timings[name] = round(time.perf_counter() - start, 4)
    reuse = _MEMO.get((id(G), "reuse"))
    return timings, (reuse.new if reuse is not None else {})


FORKED = ("graphml", "gexf", "csv", "html")
"""Writers run in a forked child while this process writes the RDF."""

AFTER_FORK = ("json",)
"""Writers that read the links' sentences: they run once no forked child shares this
process's pages (a page read here while a child maps it is copied: both would hold the
sentences, which are most of a multilingual wiki's graph)."""

_SHARED_BY = {"rdf": {"ttl", "jsonld"}, "flat": {"graphml", "gexf", "csv"}}
"""What several writers share (made once, see ``_MEMO``) and which writers use it."""


def _write_rdf(fmt: str) -> Callable[[nx.DiGraph, Path], None]:
    def write(G: nx.DiGraph, folder: Path) -> None:
        _write_layout(G, folder / FILES[fmt], _rdf_items(G).layout(fmt))

    return write


def _write_nt(G: nx.DiGraph, folder: Path) -> None:
    """N-Triples; when a store holds the last graph.nt and pieces were copied from it, also
    the lines removed and added, so that the store is patched instead of loaded again."""
    from kg.store import store_is_fresh

    store_holds_last = store_is_fresh(folder)  # asked before graph.nt is replaced
    changes: list[tuple[bytes, bytes]] = []
    copied = _write_layout(G, folder / FILES["nt"], _rdf_items(G).layout("nt"), changes)
    if store_holds_last and copied:
        old = {line for before, _ in changes for line in before.splitlines()}
        new = {line for _, after in changes for line in after.splitlines()}
        removed, added = sorted(old - new), sorted(new - old)
        _MEMO[(id(G), "nt changes")] = (b"\n".join(removed), b"\n".join(added))


def _write_layout(
    G: nx.DiGraph, path: Path, layout: Layout, changes: list[tuple[bytes, bytes]] | None = None
) -> bool:
    """Write a file of pieces, copying unchanged ones when this call has a :class:`Reuse`;
    True when the last file was used (``changes`` then got what changed in it)."""
    reuse = _MEMO.get((id(G), "reuse"))
    if reuse is None:
        write_pieces(path, layout)
        return False
    return reuse.write(path, layout, changes)


def _rdf_items(G: nx.DiGraph) -> RdfItems:
    """The RDF of ``G`` item by item, made once per :func:`write_exports` call."""
    key = (id(G), "rdf")
    if key not in _MEMO:
        from kg.rdf import RdfItems

        _MEMO[key] = RdfItems(G, G.graph["base_iri"])
    return _MEMO[key]


def _write_json(G: nx.DiGraph, folder: Path) -> None:
    _write_layout(G, folder / FILES["json"], graph_json(G))


def _write_flat(
    fmt: str, layout: Callable[[FlatRows], Layout]
) -> Callable[[nx.DiGraph, Path], None]:
    def write(G: nx.DiGraph, folder: Path) -> None:
        _write_layout(G, folder / FILES[fmt], layout(_flat_rows(G)))

    return write


def _write_csv(G: nx.DiGraph, folder: Path) -> None:
    rows = _flat_rows(G)
    _write_layout(G, folder / "nodes.csv", nodes_csv(rows))
    _write_layout(G, folder / "edges.csv", edges_csv(rows))


def _flat_rows(G: nx.DiGraph) -> FlatRows:
    """The flat rows of ``G``, made once per :func:`write_exports` call (kept in ``_MEMO``)."""
    key = (id(G), "flat")
    if key not in _MEMO:
        _MEMO[key] = FlatRows(G)
    return _MEMO[key]


_MEMO: dict[tuple[int, str], Any] = {}
"""What several writers share, made once per :func:`write_exports` call and then dropped."""


def _write_html(G: nx.DiGraph, folder: Path) -> None:
    from kg.viz import render_html

    write_atomic(folder / FILES["html"], render_html(G))


def _write_report(G: nx.DiGraph, folder: Path) -> None:
    report = make_report(G)
    write_atomic(
        folder / "report.json",
        json.dumps(report, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
    )
    write_atomic(folder / "report.md", report_markdown(report))


def _write_store(G: nx.DiGraph, folder: Path) -> None:
    from kg.store import write_store

    write_store(folder, changes=_MEMO.get((id(G), "nt changes")))


def _start_store(G: nx.DiGraph, folder: Path) -> Callable[[], Any]:
    from kg.store import start_store

    return start_store(folder, changes=_MEMO.get((id(G), "nt changes")))


_WRITERS: dict[str, Callable[[nx.DiGraph, Path], None]] = {
    "ttl": _write_rdf("ttl"),
    "nt": _write_nt,
    "jsonld": _write_rdf("jsonld"),
    "graphml": _write_flat("graphml", graphml),
    "gexf": _write_flat("gexf", gexf),
    "json": _write_json,
    "csv": _write_csv,
    "html": _write_html,
    "report": _write_report,
    "store": _write_store,
}
_BACKGROUND: dict[str, Callable[[nx.DiGraph, Path], Callable[[], Any]]] = {
    "store": _start_store,
}
"""Writers that can run in another process (the ``oxigraph`` command) from graph.nt."""


# --- helpers ------------------------------------------------------------------------------


def _default_base_iri() -> str:
    from kg.rdf import DEFAULT_BASE_IRI

    return DEFAULT_BASE_IRI
