"""The graph as GEXF 1.2 (``graph.gexf``), for Gephi and ``networkx.read_gexf``.

Written by hand, like GraphML; an edge's id is ``source/target`` (a slug holds no
``/``), so that it stays the same from one build to the next.

Examples
--------
>>> import kg, tempfile, pathlib, networkx as nx
>>> G = kg.load("articles")
>>> path = write_gexf(G, pathlib.Path(tempfile.mkdtemp()) / "graph.gexf")
>>> sorted(nx.read_gexf(path).edges())[:2]
[('backoffice', 'client-facing'), ('backoffice', 'cpa')]
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import networkx as nx

from kg.formats.flat import TYPES, FlatRows
from kg.formats.pieces import Layout, generate, write_layout
from kg.formats.xmltext import attr, attr_texts, row_template


def write_gexf(G: nx.DiGraph, path: str | os.PathLike) -> Path:
    """Write ``G`` as GEXF 1.2 to ``path`` (atomically)."""
    return write_layout(path, layout(FlatRows(G)))


def generate_gexf(G: nx.DiGraph) -> Iterator[str]:
    """The GEXF of ``G``, piece by piece."""
    return generate(layout(FlatRows(G)))


def layout(flat: FlatRows) -> Layout:
    """``graph.gexf`` (GEXF 1.2); Gephi and ``networkx.read_gexf`` open it.

    An edge's id is ``source/target`` (a slug holds no ``/``), so that it stays the same
    from one build to the next.
    """
    node_keys = [k for k in flat.node_keys if k != "label"]
    edge_keys = [k for k in flat.edge_keys if k != "weight"]
    head = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">',
        "<meta><creator>kg</creator><description>concept graph</description></meta>",
        '<graph defaultedgetype="directed" mode="static">',
    ]
    for scope, names in (("node", node_keys), ("edge", edge_keys)):
        head.append(f'<attributes class="{scope}" mode="static">')
        for i, name in enumerate(names):
            kind = TYPES.get(name, "string")
            head.append(f'<attribute id="{i}" title={attr(name)} type="{kind}" />')
        head.append("</attributes>")
    head.append("<nodes>")
    element, around = '<attvalue for="{key}" value="%s" />', ("<attvalues>", "</attvalues>")
    node_values = row_template({k: str(i) for i, k in enumerate(node_keys)}, element, around)
    edge_values = row_template({k: str(i) for i, k in enumerate(edge_keys)}, element, around)

    def render(node: str) -> tuple[str, str]:
        data, edges = flat.rows(node)
        me = attr(node)
        label = attr(data.get("label", node))
        own = f"<node id={me} label={label}>{node_values(tuple(data)) % attr_texts(data)}</node>\n"
        out = []
        for v, d in edges:
            values = edge_values(tuple(d)) % attr_texts(d)
            weight = d.get("weight", "1")
            out.append(
                f"<edge id={attr(f'{node}/{v}')} source={me} target={attr(v)} "
                f'weight="{weight}">{values}</edge>\n'
            )
        return own, "".join(out)

    return Layout(
        "\n".join(head) + "\n",
        [("", flat.nodes), ("", flat.nodes)],
        ["</nodes>\n<edges>\n", ""],
        "</edges>\n</graph>\n</gexf>\n",
        render,
        context=repr((node_keys, edge_keys)),
    )
