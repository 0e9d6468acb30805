"""The graph as GraphML (``graph.graphml``), for yEd, Gephi and ``networkx.read_graphml``.

Written by hand: networkx's writer builds a whole XML tree first and costs seconds on a
wiki. Attribute values are text (:mod:`kg.formats.flat`); links leave out ``contexts``.

Examples
--------
>>> import kg, tempfile, pathlib, networkx as nx
>>> G = kg.load("articles")
>>> path = write_graphml(G, pathlib.Path(tempfile.mkdtemp()) / "graph.graphml")
>>> sorted(nx.read_graphml(path).edges())[:2]
[('backoffice', 'client-facing'), ('backoffice', 'cpa')]
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import networkx as nx

from kg.formats.flat import TYPES, FlatRows
from kg.formats.pieces import Layout, generate, write_layout
from kg.formats.xmltext import attr, row_template, text, texts


def write_graphml(G: nx.DiGraph, path: str | os.PathLike) -> Path:
    """Write ``G`` as GraphML to ``path`` (atomically)."""
    return write_layout(path, layout(FlatRows(G)))


def generate_graphml(G: nx.DiGraph) -> Iterator[str]:
    """The GraphML of ``G``, piece by piece."""
    return generate(layout(FlatRows(G)))


def layout(flat: FlatRows) -> Layout:
    """The GraphML file as pieces per node (its element, then its out-edges' elements)."""
    head = [
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
            kind = TYPES.get(name, "string")
            if scope == "graph" and flat.graph[name].isdigit():
                kind = "int"
            head.append(
                f'<key id="{prefix}{i}" for="{scope}" attr.name={attr(name)} attr.type="{kind}" />'
            )
    head.append('<graph edgedefault="directed">')
    head += [f'<data key="g{i}">{text(flat.graph[k])}</data>' for i, k in enumerate(graph_keys)]
    element = '<data key="{key}">%s</data>'
    node_datas = row_template({k: f"n{i}" for i, k in enumerate(flat.node_keys)}, element)
    edge_datas = row_template({k: f"e{i}" for i, k in enumerate(flat.edge_keys)}, element)

    def render(node: str) -> tuple[str, str]:
        data, edges = flat.rows(node)
        me = attr(node)
        own = f"<node id={me}>{node_datas(tuple(data)) % texts(data)}</node>\n"
        out = [
            f"<edge source={me} target={attr(v)}>{edge_datas(tuple(d)) % texts(d)}</edge>\n"
            for v, d in edges
        ]
        return own, "".join(out)

    return Layout(
        "\n".join(head) + "\n",
        [("", flat.nodes), ("", flat.nodes)],
        ["", ""],
        "</graph>\n</graphml>\n",
        render,
        context=repr((flat.node_keys, flat.edge_keys)),
    )
