"""The graph → every file format of a build: :func:`write_exports` runs one writer each.

Every writer is a function of the graph alone, sorts what it writes (the same graph
gives byte-identical files) and writes atomically (a temporary file, then a rename),
so a reader never sees half a file. The RDF is made in :mod:`kg.formats.rdf`, the flat formats
(CSV, GraphML, GEXF) in :mod:`kg.formats.flat`, graph.json here; each gives its file as
per-node pieces (:mod:`kg.formats.pieces`), so that a rebuild copies the pieces of the nodes
that did not change from the last build's files. Formats that share an item's work are
written in one pass (:data:`UNITS`), keeping only the item they are on.
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
from kg.formats.flat import FlatRows, compact_json, edges_csv, gexf, graphml, nodes_csv
from kg.engine.parallel import can_fork, fork
from kg.formats.pieces import Layout, Reuse, write_together
from kg.report import make_report, report_markdown
from kg.engine.version import code_digest

if TYPE_CHECKING:  # pragma: no cover
    from kg.formats.rdf import RdfItems

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

# --- one writer per format (the RDF in kg.formats.rdf, the flat formats in kg.formats.flat) -------------


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
    """Write the chosen exports of ``G`` into ``out``; return the seconds of each pass of
    writers (a format, or formats written together such as ``ttl+jsonld``).

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
        Base of the RDF IRIs; default :data:`kg.formats.rdf.DEFAULT_BASE_IRI`. Kept in ``G.graph``.
    parallel : bool
        Use other processes (default True).
    pieces : path, optional
        A file (in the build's cache) where the last build said where each node's pieces
        stand in its files: the pieces of nodes that did not change are copied from those
        files instead of being made again (:mod:`kg.formats.pieces`); the files are the same.
    inputs : mapping, optional
        Node → what its articles were read from (:attr:`kg.engine.parse.Corpus.inputs`), which
        makes the nodes' signatures cheap (:func:`kg.formats.pieces.signatures`).

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
        units = [tuple(f for f in unit if f in chosen) for unit in UNITS]
        order = [unit for unit in units if unit]
        forked = None
        side = [unit for unit in order if set(unit) <= FORKED]
        if parallel and side and len(side) < len(order) and can_fork():
            forked = fork(_run_units, G, folder, side, what="flat exports")  # on the other core
            order = [unit for unit in order if unit not in side]
        later = [unit for unit in order if set(unit) <= AFTER_FORK] if forked is not None else []
        order = [unit for unit in order if unit not in later]
        timings.update(_run_units(G, folder, order, finishers if parallel else None)[0])
        if reuse is not None:  # a cold build's signatures, made while the others still work
            start = time.perf_counter()
            reuse.prepare()
            timings["signatures"] = round(timings["signatures"] + time.perf_counter() - start, 4)
        if forked is not None:
            child_timings, child_pieces = forked()
            timings.update(child_timings)
            if reuse is not None:
                reuse.new.update(child_pieces)
        timings.update(_run_units(G, folder, later)[0])
        for name, finish in finishers:  # what ran in the background: wait for it now
            start = time.perf_counter()
            finish()
            timings[name] = round(timings[name] + time.perf_counter() - start, 4)
        if reuse is not None:
            reuse.save()
    finally:
        for key in [k for k in _MEMO if k[0] == id(G)]:
            del _MEMO[key]
    names = ["signatures", *("+".join(unit) for unit in units if unit)]
    return {name: timings[name] for name in names if name in timings}


UNITS = (
    ("nt",),
    ("store",),
    ("ttl", "jsonld"),
    ("graphml", "gexf", "csv"),
    ("json",),
    ("html",),
    ("report",),
)
"""The writers in the order they run, formats written in one pass together: N-Triples
first, so the store can load it in another process while the rest are written; Turtle and
JSON-LD from each subject's triples made once; the flat formats from each node's row made
once. A pass keeps only the item it is on (see :func:`kg.formats.pieces.write_together`)."""


def _run_units(
    G: nx.DiGraph,
    folder: Path,
    units: list[tuple[str, ...]],
    background: list[tuple[str, Callable[[], Any]]] | None = None,
) -> tuple[dict[str, float], dict[str, Any]]:
    """Run writers; return their timings and the indexes of the pieces they wrote. With
    ``background``, a writer that can run in another process is started there, and the
    function that waits for it is added to ``background``."""
    timings = {}
    for i, unit in enumerate(units):
        start = time.perf_counter()
        name = "+".join(unit)
        if background is not None and name in _BACKGROUND:
            background.append((name, _BACKGROUND[name](G, folder)))
        else:
            _run_unit(G, folder, unit)
        _free_shared(G, units[i + 1 :])
        timings[name] = round(time.perf_counter() - start, 4)
    reuse = _MEMO.get((id(G), "reuse"))
    return timings, (reuse.new if reuse is not None else {})


def _run_unit(G: nx.DiGraph, folder: Path, unit: tuple[str, ...]) -> None:
    if unit[0] in _LAYOUTS:
        _write_layouts(G, folder, unit)
    else:
        (name,) = unit
        _WRITERS[name](G, folder)


def _free_shared(G: nx.DiGraph, rest: list[tuple[str, ...]]) -> None:
    """Drop what several writers share once no writer still to run needs it."""
    formats = {f for unit in rest for f in unit}
    for shared, users in _SHARED_BY.items():
        if not users.intersection(formats):
            _MEMO.pop((id(G), shared), None)


FORKED = frozenset({"graphml", "gexf", "csv", "html"})
"""Writers run in a forked child while this process writes the RDF."""

AFTER_FORK = frozenset({"json"})
"""Writers that read the links' sentences: they run once no forked child shares this
process's pages (a page read here while a child maps it is copied: both would hold the
sentences, which are most of a multilingual wiki's graph)."""

_SHARED_BY = {"rdf": {"nt", "ttl", "jsonld"}, "flat": {"graphml", "gexf", "csv"}}
"""What several writers share (made once, see ``_MEMO``) and which writers use it."""


def _write_layouts(G: nx.DiGraph, folder: Path, unit: tuple[str, ...]) -> None:
    """Write the files of ``unit``'s formats in one pass; with N-Triples, when a store holds
    the last graph.nt and pieces were copied from it, keep the lines removed and added, so
    that the store is patched instead of loaded again."""
    from kg.store.database import store_is_fresh

    files = [(folder / name, layout) for fmt in unit for name, layout in _LAYOUTS[fmt](G)]
    nt = folder / FILES["nt"]
    store_holds_last = "nt" in unit and store_is_fresh(folder)  # before graph.nt is replaced
    changes: list[tuple[bytes, bytes]] = []
    reuse = _MEMO.get((id(G), "reuse"))
    if reuse is None:
        write_together([path for path, _ in files], [layout for _, layout in files])
        return
    copied = reuse.write_together(files, {nt: changes} if store_holds_last else {})
    if store_holds_last and copied.get(nt):
        old = {line for before, _ in changes for line in before.splitlines()}
        new = {line for _, after in changes for line in after.splitlines()}
        removed, added = sorted(old - new), sorted(new - old)
        _MEMO[(id(G), "nt changes")] = (b"\n".join(removed), b"\n".join(added))


def _rdf_items(G: nx.DiGraph) -> RdfItems:
    """The RDF of ``G`` item by item (:class:`kg.formats.rdf.RdfItems`), shared by its writers."""
    key = (id(G), "rdf")
    if key not in _MEMO:
        from kg.formats.rdf import RdfItems

        _MEMO[key] = RdfItems(G, G.graph["base_iri"])
    return _MEMO[key]


def _flat_rows(G: nx.DiGraph) -> FlatRows:
    """The flat rows of ``G`` (:class:`kg.formats.flat.FlatRows`), shared by their writers."""
    key = (id(G), "flat")
    if key not in _MEMO:
        _MEMO[key] = FlatRows(G)
    return _MEMO[key]


_MEMO: dict[tuple[int, str], Any] = {}
"""What several writers share, made once per :func:`write_exports` call and then dropped."""


def _rdf_layout(fmt: str) -> Callable[[nx.DiGraph], list[tuple[str, Layout]]]:
    return lambda G: [(FILES[fmt], _rdf_items(G).layout(fmt))]


def _flat_layout(
    fmt: str, layout: Callable[[FlatRows], Layout]
) -> Callable[[nx.DiGraph], list[tuple[str, Layout]]]:
    return lambda G: [(FILES[fmt], layout(_flat_rows(G)))]


_LAYOUTS: dict[str, Callable[[nx.DiGraph], list[tuple[str, Layout]]]] = {
    "nt": _rdf_layout("nt"),
    "ttl": _rdf_layout("ttl"),
    "jsonld": _rdf_layout("jsonld"),
    "graphml": _flat_layout("graphml", graphml),
    "gexf": _flat_layout("gexf", gexf),
    "csv": lambda G: [
        ("nodes.csv", nodes_csv(_flat_rows(G))),
        ("edges.csv", edges_csv(_flat_rows(G))),
    ],
    "json": lambda G: [(FILES["json"], graph_json(G))],
}
"""The formats made of pieces: their files and layouts (:mod:`kg.formats.pieces`)."""


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
    from kg.store.database import write_store

    write_store(folder, changes=_MEMO.get((id(G), "nt changes")))


def _start_store(G: nx.DiGraph, folder: Path) -> Callable[[], Any]:
    from kg.store.database import start_store

    return start_store(folder, changes=_MEMO.get((id(G), "nt changes")))


_WRITERS: dict[str, Callable[[nx.DiGraph, Path], None]] = {
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
    from kg.formats.rdf import DEFAULT_BASE_IRI

    return DEFAULT_BASE_IRI
