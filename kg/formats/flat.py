"""The graph as flat files: ``nodes.csv`` and ``edges.csv``, GraphML and GEXF.

Spreadsheets and Gephi take attribute values as text, so lists and dicts become compact
JSON text; these formats leave out each link's ``contexts`` (its sentences: most of a
wiki's bytes and of no use in Gephi), which graph.json and the graph keep. GraphML and
GEXF are written by hand: networkx's writers build a whole XML tree first and cost
seconds on a wiki; ``networkx.read_graphml``, ``read_gexf`` and Gephi open the files.

Each writer gives a :class:`kg.formats.pieces.Layout`: a node's row or element and its
out-edges' are its pieces, so a rebuild copies the pieces of the nodes that did not
change. :class:`FlatRows` flattens a node's values once for all the formats.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from collections.abc import Callable, Container
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

import networkx as nx

from kg.formats.pieces import Layout

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
"""Edge attributes the flat formats leave out: the sentences of every link are most of a
wiki's bytes and of no use in Gephi; graph.json keeps them."""

Row = dict[str, str]


def _json_encoder() -> Callable[[Any], str]:
    """``json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))`` with
    its C encoder made once: ``json.dumps`` makes one a call, which costs more than encoding
    a short list."""
    settings = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    if c_make_encoder is None:
        return settings.encode
    encode = c_make_encoder(
        None, settings.default, encode_basestring, None, ":", ",", True, False, True
    )
    join = "".join
    return lambda value: join(encode(value, 0))


compact_json = _json_encoder()
"""Compact JSON text with sorted keys and the text as it is (no ``\\u`` escapes)."""


def flat(value: Any) -> Any:
    """A cell value: lists and dicts as compact JSON text, None as empty, the rest as is.

    Examples
    --------
    >>> flat({"sv": ["a", "b"]}), flat(None), flat(3)
    ('{"sv":["a","b"]}', '', 3)
    """
    if isinstance(value, (list, tuple, dict, set)):
        return compact_json(sorted(value) if isinstance(value, set) else value)
    return "" if value is None else value


class FlatRows:
    """Each node's attributes as text, and its out-edges'; the last node's are kept, for
    the other formats written in the same pass.

    Examples
    --------
    >>> G = nx.DiGraph(); G.add_edge("a", "b", kind="link", weight=2, anchors=["B"])
    >>> FlatRows(G).rows("a")
    ({}, [('b', {'kind': 'link', 'weight': '2', 'anchors': '["B"]'})])
    """

    def __init__(self, G: nx.DiGraph) -> None:
        self.G = G
        self.node_keys = sorted(set().union(*G._node.values()))
        edge_keys = set().union(*(d for nbrs in G._succ.values() for d in nbrs.values()))
        self.edge_keys = sorted(edge_keys.difference(FLAT_LEFT_OUT))
        self.graph = {
            k: _text_raw(v) for k, v in sorted(G.graph.items()) if not isinstance(v, (list, dict))
        }
        self.nodes = sorted(G._node)
        self._last: tuple[str, tuple[Row, list[tuple[str, Row]]]] | None = None

    def rows(self, node: str) -> tuple[Row, list[tuple[str, Row]]]:
        """``node``'s row and its out-edges' ``(target, row)``, sorted by target."""
        last = self._last
        if last is not None and last[0] == node:
            return last[1]
        edges = sorted(self.G._succ[node].items())
        made = (
            _flat_row(self.G._node[node]),
            [(v, _flat_row(d, FLAT_LEFT_OUT)) for v, d in edges],
        )
        self._last = (node, made)
        return made


# --- one writer per format ----------------------------------------------------------------


def nodes_csv(flat: FlatRows) -> Layout:
    """``nodes.csv``: one row a node; lists and dicts as JSON text; in/out link counts."""
    columns = NODE_COLUMNS[1:]
    pred, succ = flat.G._pred, flat.G._succ
    row = _csv_row()

    def render(node: str) -> tuple[str]:
        data, _ = flat.rows(node)
        cells = [data.get(c, "") for c in columns]
        return (row([node, *cells, _links(pred[node]), _links(succ[node])]),)

    head = row([*NODE_COLUMNS, "links_in", "links_out"])
    return Layout(head, [("", flat.nodes)], [""], "", render)


def edges_csv(flat: FlatRows) -> Layout:
    """``edges.csv``: one row an edge (links and keyword edges)."""
    columns = EDGE_COLUMNS[2:]
    row = _csv_row()

    def render(node: str) -> tuple[str]:
        _, edges = flat.rows(node)
        return ("".join(row([node, v, *[d.get(c, "") for c in columns]]) for v, d in edges),)

    return Layout(row(list(EDGE_COLUMNS)), [("", flat.nodes)], [""], "", render)


def graphml(flat: FlatRows) -> Layout:
    """``graph.graphml``; ``networkx.read_graphml`` and Gephi open it."""
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
            kind = _TYPES.get(name, "string")
            if scope == "graph" and flat.graph[name].isdigit():
                kind = "int"
            head.append(
                f'<key id="{prefix}{i}" for="{scope}" attr.name={_attr(name)} attr.type="{kind}" />'
            )
    head.append('<graph edgedefault="directed">')
    head += [f'<data key="g{i}">{_text(flat.graph[k])}</data>' for i, k in enumerate(graph_keys)]
    element = '<data key="{key}">%s</data>'
    node_datas = _row_template({k: f"n{i}" for i, k in enumerate(flat.node_keys)}, element)
    edge_datas = _row_template({k: f"e{i}" for i, k in enumerate(flat.edge_keys)}, element)

    def render(node: str) -> tuple[str, str]:
        data, edges = flat.rows(node)
        me = _attr(node)
        own = f"<node id={me}>{node_datas(tuple(data)) % _texts(data)}</node>\n"
        out = [
            f"<edge source={me} target={_attr(v)}>{edge_datas(tuple(d)) % _texts(d)}</edge>\n"
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


def gexf(flat: FlatRows) -> Layout:
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
            kind = _TYPES.get(name, "string")
            head.append(f'<attribute id="{i}" title={_attr(name)} type="{kind}" />')
        head.append("</attributes>")
    head.append("<nodes>")
    element, around = '<attvalue for="{key}" value="%s" />', ("<attvalues>", "</attvalues>")
    node_values = _row_template({k: str(i) for i, k in enumerate(node_keys)}, element, around)
    edge_values = _row_template({k: str(i) for i, k in enumerate(edge_keys)}, element, around)

    def render(node: str) -> tuple[str, str]:
        data, edges = flat.rows(node)
        me = _attr(node)
        label = _attr(data.get("label", node))
        own = f"<node id={me} label={label}>{node_values(tuple(data)) % _attr_texts(data)}</node>\n"
        out = []
        for v, d in edges:
            values = edge_values(tuple(d)) % _attr_texts(d)
            weight = d.get("weight", "1")
            out.append(
                f"<edge id={_attr(f'{node}/{v}')} source={me} target={_attr(v)} "
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


# --- helpers ------------------------------------------------------------------------------

_TYPES = {"exists": "boolean", "weight": "int"}
_XML_BAD = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NEEDS_XML_CARE = re.compile("[<>&\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ATTR_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\n": "&#10;",
        "\r": "&#13;",
        "\t": "&#9;",
    }
)


def _csv_row() -> Callable[[list[Any]], str]:
    """A function giving one CSV row as text (with its line end), as ``csv.writer`` writes it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def row(cells: list[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        return buffer.getvalue()

    return row


def _links(neighbours: dict[str, dict[str, Any]]) -> int:
    """How many of a node's edges (its ``G._succ`` or ``G._pred`` entry) are links."""
    return [d.get("kind") for d in neighbours.values()].count("link")


def _text(value: str) -> str:
    if _NEEDS_XML_CARE.search(value):
        value = _XML_BAD.sub("", value)
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value


def _texts(data: Row) -> tuple[str, ...]:
    """A row's values as XML text (:func:`_text`), with one check for the whole row: most
    rows are printable (no character XML cannot hold) and hold no ``& < >``."""
    text = "".join(data.values())
    if "&" in text or "<" in text or ">" in text or not text.isprintable():
        return tuple(map(_text, data.values()))
    return tuple(data.values())


def _attr(value: Any) -> str:
    """``value`` as a double-quoted XML attribute."""
    return f'"{_attr_text(str(value))}"'


def _attr_text(text: str) -> str:
    """``text`` escaped for a double-quoted XML attribute."""
    if text.isprintable():  # the usual case: no tab, line end or character XML cannot hold
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return text.replace('"', "&quot;")
    return _XML_BAD.sub("", text).translate(_ATTR_ESCAPES)


def _attr_texts(data: Row) -> tuple[str, ...]:
    """A row's values as :func:`_attr_text`."""
    return tuple(map(_attr_text, data.values()))


def _row_template(
    index: dict[str, str], element: str, around: tuple[str, str] = ("", "")
) -> Callable[[tuple[str, ...]], str]:
    """The ``%`` template of a node's or edge's elements, from its keys in their order; made
    once for each order (rows share a few), so that a row is formatted in one step.

    ``element`` holds ``{key}`` for the key's index and ``%s`` for the value; a key not in
    ``index`` gives ``%.0s``, which prints its value as nothing. ``around`` encloses the
    elements of a row that has any.
    """

    @functools.cache
    def template(keys: tuple[str, ...]) -> str:
        body = "".join(element.format(key=index[k]) if k in index else "%.0s" for k in keys)
        return f"{around[0]}{body}{around[1]}" if any(k in index for k in keys) else body

    return template


def _flat_row(data: dict[str, Any], left_out: Container[str] = ()) -> Row:
    """A node's or edge's attributes as text (:func:`_text_raw`), but those ``left_out``."""
    by_type = _TEXT_BY_TYPE.get
    return {k: by_type(type(v), _text_raw)(v) for k, v in data.items() if k not in left_out}


def _text_raw(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(flat(value))


_TEXT_BY_TYPE: dict[type, Callable[[Any], str]] = {
    str: str,
    int: str,
    list: compact_json,
    dict: compact_json,
}
"""What :func:`_text_raw` does for the usual types, without its checks."""
