"""Graph values as text, for the formats that hold only text (CSV, GraphML, GEXF).

Spreadsheets and Gephi take attribute values as text, so lists and dicts become compact
JSON text, and these formats leave out each link's ``contexts`` (its sentences: most of
a wiki's bytes and of no use in Gephi), which graph.json and the graph keep.
:class:`FlatRows` flattens a node's values once for all the formats written together.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Container
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

import networkx as nx

from kg.graph import adjacency

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

TYPES = {"exists": "boolean", "weight": "int"}
"""The typed attributes of GraphML and GEXF (the others are strings)."""


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
        nodes, succ, _ = adjacency(G)
        self.node_keys = sorted(set().union(*nodes.values()))
        edge_keys = set().union(*(d for nbrs in succ.values() for d in nbrs.values()))
        self.edge_keys = sorted(edge_keys.difference(FLAT_LEFT_OUT))
        self.graph = {
            k: text_raw(v) for k, v in sorted(G.graph.items()) if not isinstance(v, (list, dict))
        }
        self.nodes = sorted(nodes)
        self.data, self.succ = nodes, succ
        self._last: tuple[str, tuple[Row, list[tuple[str, Row]]]] | None = None

    def rows(self, node: str) -> tuple[Row, list[tuple[str, Row]]]:
        """``node``'s row and its out-edges' ``(target, row)``, sorted by target."""
        last = self._last
        if last is not None and last[0] == node:
            return last[1]
        edges = sorted(self.succ[node].items())
        made = (
            flat_row(self.data[node]),
            [(v, flat_row(d, FLAT_LEFT_OUT)) for v, d in edges],
        )
        self._last = (node, made)
        return made


def flat_row(data: dict[str, Any], left_out: Container[str] = ()) -> Row:
    """A node's or edge's attributes as text (:func:`text_raw`), but those ``left_out``, in
    the model's order (:func:`key_order`): the same graph gives the same row however its
    dicts were filled (built here, or read back from graph.json with sorted keys).

    Examples
    --------
    >>> flat_row({"weight": 2, "kind": "link", "zeta": [1]})
    {'kind': 'link', 'weight': '2', 'zeta': '[1]'}
    """
    by_type = _TEXT_BY_TYPE.get
    keys = key_order(tuple(data))
    if keys is None:  # already in the model's order: the graphs kg builds
        return {k: by_type(type(v), text_raw)(v) for k, v in data.items() if k not in left_out}
    return {k: by_type(type(data[k]), text_raw)(data[k]) for k in keys if k not in left_out}


@functools.cache
def key_order(keys: tuple[str, ...]) -> tuple[str, ...] | None:
    """Attribute names in the model's order: those of :data:`NODE_COLUMNS` and
    :data:`EDGE_COLUMNS` in their order, then the others sorted; None when ``keys`` are in
    that order already.

    Examples
    --------
    >>> key_order(("weight", "kind")), key_order(("kind", "weight"))
    (('kind', 'weight'), None)
    """
    known = [k for k in _MODEL_ORDER if k in keys]
    ordered = (*known, *sorted(set(keys).difference(_MODEL_ORDER)))
    return None if ordered == keys else ordered


_MODEL_ORDER = tuple(dict.fromkeys((*NODE_COLUMNS[1:], *EDGE_COLUMNS[2:], "contexts")))


def text_raw(value: Any) -> str:
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

_TEXT_BY_TYPE: dict[type, Callable[[Any], str]] = {
    str: str,
    int: str,
    list: compact_json,
    dict: compact_json,
}
"""What :func:`text_raw` does for the usual types, without its checks."""
