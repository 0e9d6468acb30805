"""The graph → every file format of a build, one small writer per format.

Every writer is a function of the graph alone, sorts what it writes (the same graph
gives byte-identical files) and writes atomically (a temporary file, then a rename),
so a reader never sees half a file. GraphML and GEXF are streamed by hand: networkx's
writers build a whole XML tree first and cost seconds on a wiki; lists and dicts are
flattened to JSON text so that Gephi and ``networkx.read_graphml`` open the files; the
flat formats leave out each link's ``contexts`` (its sentences: most of the bytes, no use
in Gephi), which graph.json and the graph keep.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import networkx as nx

from kg.errors import KgError
from kg.report import make_report, report_markdown

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

NODE_COLUMNS = (
    "id",
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
)
EDGE_COLUMNS = ("source", "target", "kind", "weight", "anchors", "langs")
FLAT_LEFT_OUT = ("contexts",)
"""Edge attributes the flat formats (CSV, GraphML, GEXF) leave out: the sentences of every
link are most of a wiki's bytes and of no use in Gephi; graph.json keeps them."""
_TYPES = {"exists": "boolean", "weight": "int"}
_XML_BAD = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NEEDS_XML_CARE = re.compile("[<>&\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def write_atomic(path: str | os.PathLike, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = write_atomic(pathlib.Path(tempfile.mkdtemp()) / "x.txt", "hello")
    >>> p.read_text()
    'hello'
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def flat(value: Any) -> Any:
    """A cell value: lists and dicts as compact JSON text, None as empty, the rest as is."""
    if isinstance(value, (list, tuple, dict, set)):
        if isinstance(value, set):
            value = sorted(value)
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "" if value is None else value


# --- one writer per format ----------------------------------------------------------------


def graph_json(G: nx.DiGraph) -> str:
    """``graph.json``: ``networkx.node_link_data(G, edges="edges")``, one node or edge a line."""
    data = nx.node_link_data(G, edges="edges")
    nodes = sorted(data["nodes"], key=lambda n: n["id"])
    edges = sorted(data["edges"], key=lambda e: (e["source"], e["target"]))
    dump = _dumps
    head = {k: v for k, v in data.items() if k not in ("nodes", "edges")}
    parts = ["{", *(f"{dump(k)}: {dump(v)}," for k, v in sorted(head.items()))]
    parts.append('"nodes": [')
    parts.append(",\n".join(dump(n) for n in nodes))
    parts.append('],\n"edges": [')
    parts.append(",\n".join(dump(e) for e in edges))
    parts.append("]}")
    return "\n".join(parts) + "\n"


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


@dataclass
class FlatGraph:
    """The graph with every attribute value as text, sorted: what CSV, GraphML and GEXF share.

    Flattening once (lists and dicts to JSON text) serves the three writers; it is the
    costly part of each of them.
    """

    node_keys: list[str]
    edge_keys: list[str]
    nodes: list[tuple[str, dict[str, str]]]
    edges: list[tuple[str, str, dict[str, str]]]
    graph: dict[str, str]


def flatten(G: nx.DiGraph) -> FlatGraph:
    """Return :class:`FlatGraph` of ``G`` (nodes and edges sorted by id)."""
    node_keys = sorted({k for _, d in G.nodes(data=True) for k in d})
    edge_keys = sorted({k for _, _, d in G.edges(data=True) for k in d} - set(FLAT_LEFT_OUT))
    nodes = [(n, {k: _text_raw(v) for k, v in G.nodes[n].items()}) for n in sorted(G)]
    edges = [
        (u, v, {k: _text_raw(x) for k, x in G.edges[u, v].items() if k not in FLAT_LEFT_OUT})
        for u, v in sorted(G.edges())
    ]
    graph = {k: _text_raw(v) for k, v in sorted(G.graph.items()) if not isinstance(v, (list, dict))}
    return FlatGraph(node_keys, edge_keys, nodes, edges, graph)


def nodes_csv(flat: FlatGraph, G: nx.DiGraph) -> str:
    """``nodes.csv``: one row a node; lists and dicts as JSON text; in/out link counts."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*NODE_COLUMNS, "links_in", "links_out"])
    for node, data in flat.nodes:
        row = [node, *(data.get(c, "") for c in NODE_COLUMNS[1:])]
        row += [
            _count_links(G.in_edges(node, data="kind")),
            _count_links(G.out_edges(node, data="kind")),
        ]
        writer.writerow(row)
    return buffer.getvalue()


def edges_csv(flat: FlatGraph) -> str:
    """``edges.csv``: one row an edge (links and keyword edges)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EDGE_COLUMNS)
    writer.writerows([u, v, *(d.get(c, "") for c in EDGE_COLUMNS[2:])] for u, v, d in flat.edges)
    return buffer.getvalue()


def graphml(flat: FlatGraph) -> str:
    """``graph.graphml``, streamed; ``networkx.read_graphml`` and Gephi open it."""
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
        'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
    ]
    graph_keys = list(flat.graph)
    for prefix, scope, names in (
        ("g", "graph", graph_keys),
        ("n", "node", flat.node_keys),
        ("e", "edge", flat.edge_keys),
    ):
        for i, name in enumerate(names):
            kind = _TYPES.get(name, "string")
            if scope == "graph" and flat.graph[name].isdigit():
                kind = "int"
            out.append(
                f'<key id="{prefix}{i}" for="{scope}" attr.name={_attr(name)} attr.type="{kind}" />'
            )
    out.append('<graph edgedefault="directed">')
    out += [f'<data key="g{i}">{_text(flat.graph[k])}</data>' for i, k in enumerate(graph_keys)]
    node_index = {k: f"n{i}" for i, k in enumerate(flat.node_keys)}
    edge_index = {k: f"e{i}" for i, k in enumerate(flat.edge_keys)}
    for node, data in flat.nodes:
        out.append(f"<node id={_attr(node)}>{_datas(node_index, data)}</node>")
    for u, v, data in flat.edges:
        out.append(f"<edge source={_attr(u)} target={_attr(v)}>{_datas(edge_index, data)}</edge>")
    out += ["</graph>", "</graphml>"]
    return "\n".join(out) + "\n"


def gexf(flat: FlatGraph) -> str:
    """``graph.gexf`` (GEXF 1.2), streamed; Gephi and ``networkx.read_gexf`` open it."""
    node_keys = [k for k in flat.node_keys if k != "label"]
    edge_keys = [k for k in flat.edge_keys if k != "weight"]
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">',
        "<meta><creator>kg</creator><description>concept graph</description></meta>",
        '<graph defaultedgetype="directed" mode="static">',
    ]
    for scope, names in (("node", node_keys), ("edge", edge_keys)):
        out.append(f'<attributes class="{scope}" mode="static">')
        for i, name in enumerate(names):
            kind = _TYPES.get(name, "string")
            out.append(f'<attribute id="{i}" title={_attr(name)} type="{kind}" />')
        out.append("</attributes>")
    node_index = {k: str(i) for i, k in enumerate(node_keys)}
    edge_index = {k: str(i) for i, k in enumerate(edge_keys)}
    out.append("<nodes>")
    for node, data in flat.nodes:
        label = data.get("label", node)
        out.append(
            f"<node id={_attr(node)} label={_attr(label)}>{_attvalues(node_index, data)}</node>"
        )
    out += ["</nodes>", "<edges>"]
    for i, (u, v, data) in enumerate(flat.edges):
        weight = data.get("weight", "1")
        out.append(
            f'<edge id="{i}" source={_attr(u)} target={_attr(v)} weight="{weight}">'
            f"{_attvalues(edge_index, data)}</edge>"
        )
    out += ["</edges>", "</graph>", "</gexf>"]
    return "\n".join(out) + "\n"


# --- all of them --------------------------------------------------------------------------


def write_exports(
    G: nx.DiGraph,
    out: str | os.PathLike = "exports",
    *,
    formats: Iterable[str] | None = None,
    base_iri: str | None = None,
    parallel: bool = True,
) -> dict[str, float]:
    """Write the chosen exports of ``G`` into ``out``; return seconds spent per format.

    N-Triples is written first; the store and JSON-LD are then made from it by the
    ``oxigraph`` command in other processes (when ``parallel``) while the other files are
    written; the files are the same either way.

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
        Make the store and JSON-LD in other processes (default True).

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
    try:
        order = sorted(chosen, key=_ORDER.index)
        forked = None
        side = [name for name in order if name in FORKED]
        if parallel and side and len(side) < len(order) and _can_fork():
            forked = _fork(_run_writers, G, folder, side)  # on the other core
            order = [name for name in order if name not in side]
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
        for name, finish in finishers:  # what ran in the background: wait for it now
            start = time.perf_counter()
            finish()
            timings[name] = round(timings[name] + time.perf_counter() - start, 4)
        if forked is not None:
            timings.update(forked())
    finally:
        for key in [k for k in _MEMO if k[0] == id(G)]:
            del _MEMO[key]
    return {name: timings[name] for name in chosen}


_ORDER = ("nt", "store", "jsonld", "ttl", "graphml", "gexf", "csv", "json", "html", "report")
"""The order writers run in: N-Triples first, so the store and JSON-LD can start from it
in other processes while the rest are written."""

def _run_writers(G: nx.DiGraph, folder: Path, names: list[str]) -> dict[str, float]:
    timings = {}
    for name in names:
        start = time.perf_counter()
        _WRITERS[name](G, folder)
        timings[name] = round(time.perf_counter() - start, 4)
    return timings


def _can_fork() -> bool:
    """Fork only a single-threaded process on a platform that forks (a notebook kernel has
    threads, and a forked copy of a thread's locks can hang), so the CLI gets the speed."""
    import multiprocessing
    import threading

    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _fork(func: Callable[..., Any], *args: Any) -> Callable[[], Any]:
    """Run ``func(*args)`` in a forked child (the graph is shared copy-on-write, not pickled);
    return the function that waits for its result (or raises its error)."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def main() -> None:
        try:
            send.send(("ok", func(*args)))
        except KgError as exc:
            send.send(("kg", str(exc)))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the parent
            send.send(("error", f"{type(exc).__name__}: {exc}"))

    process = context.Process(target=main, daemon=True)
    process.start()

    def result() -> Any:
        try:
            status, value = receive.recv()
        except EOFError:
            value, status = "the process writing the flat exports died (out of memory?)", "kg"
        process.join()
        if status == "ok":
            return value
        raise KgError(value) if status == "kg" else RuntimeError(value)

    return result


FORKED = ("graphml", "gexf", "csv", "json", "html")
"""Writers run in a forked child while this process writes the RDF (about half the work
each on 15,000 articles)."""

_SHARED_BY = {"nt": {"ttl", "jsonld", "store"}, "flat": {"graphml", "gexf", "csv"}}
"""What several writers share (made once, see ``_MEMO``) and which writers use it."""


def _write_rdf(fmt: str) -> Callable[[nx.DiGraph, Path], None]:
    def write(G: nx.DiGraph, folder: Path) -> None:
        from kg.rdf import convert

        if fmt == "nt":
            _remember_previous_nt(G, folder)
        write_atomic(folder / FILES[fmt], convert(_nt_of(G), fmt, G.graph["base_iri"]))

    return write


def _remember_previous_nt(G: nx.DiGraph, folder: Path) -> None:
    """Keep the last build's N-Triples when its store matches them, so the store is patched."""
    from kg.store import store_is_fresh

    old = folder / FILES["nt"]
    if old.is_file() and store_is_fresh(folder):
        _MEMO[(id(G), "previous nt")] = old.read_bytes()


def _nt_of(G: nx.DiGraph) -> bytes:
    """The N-Triples of ``G``, made once per :func:`write_exports` call for the RDF formats."""
    key = (id(G), "nt")
    if key not in _MEMO:
        from kg.rdf import ntriples

        _MEMO[key] = ntriples(G, G.graph["base_iri"]).encode()
    return _MEMO[key]


def _write_json(G: nx.DiGraph, folder: Path) -> None:
    write_atomic(folder / FILES["json"], graph_json(G))


def _write_flat(fmt: str, render: Callable[[FlatGraph], str]) -> Callable[[nx.DiGraph, Path], None]:
    def write(G: nx.DiGraph, folder: Path) -> None:
        write_atomic(folder / FILES[fmt], render(_flat_of(G)))

    return write


def _write_csv(G: nx.DiGraph, folder: Path) -> None:
    flat = _flat_of(G)
    write_atomic(folder / "nodes.csv", nodes_csv(flat, G))
    write_atomic(folder / "edges.csv", edges_csv(flat))


def _flat_of(G: nx.DiGraph) -> FlatGraph:
    """The graph flattened once per :func:`write_exports` call (kept in a private slot)."""
    key = (id(G), "flat")
    if key not in _MEMO:
        _MEMO[key] = flatten(G)
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

    write_store(folder, previous=_MEMO.get((id(G), "previous nt")))


def _start_store(G: nx.DiGraph, folder: Path) -> Callable[[], Any]:
    from kg.store import start_store

    return start_store(folder, previous=_MEMO.get((id(G), "previous nt")))


def _start_jsonld(G: nx.DiGraph, folder: Path) -> Callable[[], Any]:
    """JSON-LD converted from graph.nt by ``oxigraph convert`` in its own process."""
    from kg.store import oxigraph_executable

    exe = oxigraph_executable()
    target = folder / FILES["jsonld"]
    if not exe:
        _WRITERS["jsonld"](G, folder)
        return lambda: target
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    cmd = [
        exe,
        "convert",
        "--from-file",
        str(folder / FILES["nt"]),
        "--from-format",
        "nt",
        "--to-file",
        tmp,
        "--to-format",
        "jsonld",
    ]
    proc = subprocess.Popen(
        cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )

    def finish() -> Path:
        _, err = proc.communicate()
        if proc.returncode != 0:
            Path(tmp).unlink(missing_ok=True)
            raise KgError(f"oxigraph convert to JSON-LD failed: {err.decode(errors='replace')}")
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
        return target

    return finish


_WRITERS: dict[str, Callable[[nx.DiGraph, Path], None]] = {
    "ttl": _write_rdf("ttl"),
    "nt": _write_rdf("nt"),
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
    "jsonld": _start_jsonld,
}
"""Writers that can run in another process (the ``oxigraph`` command) from graph.nt."""


# --- helpers ------------------------------------------------------------------------------


def _default_base_iri() -> str:
    from kg.rdf import DEFAULT_BASE_IRI

    return DEFAULT_BASE_IRI


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _count_links(edges: Iterable[tuple[str, str, Any]]) -> int:
    return sum(1 for _, _, kind in edges if kind == "link")


def _text(value: str) -> str:
    return escape(_XML_BAD.sub("", value)) if _NEEDS_XML_CARE.search(value) else value


def _attr(value: Any) -> str:
    """``value`` as a double-quoted XML attribute (one ``translate`` when anything needs it)."""
    text = str(value)
    if _NEEDS_ATTR_CARE.search(text):
        text = _XML_BAD.sub("", text).translate(_ATTR_ESCAPES)
    return f'"{text}"'


_NEEDS_ATTR_CARE = re.compile('[<>&"\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')
_ATTR_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;",
     "\t": "&#9;"}
)


def _datas(index: dict[str, str], data: dict[str, str]) -> str:
    return "".join(f'<data key="{index[k]}">{_text(v)}</data>' for k, v in data.items())


def _attvalues(index: dict[str, str], data: dict[str, str]) -> str:
    values = "".join(
        f'<attvalue for="{index[k]}" value={_attr(v)} />' for k, v in data.items() if k in index
    )
    return f"<attvalues>{values}</attvalues>" if values else ""


def _text_raw(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(flat(value))
