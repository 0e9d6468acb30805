"""SPARQL results as files and as Python values: the W3C results formats, Turtle and
N-Triples for graphs, and each term as a plain value (IRIs as ``str``, numbers as ``int``
or ``float``, booleans as ``bool``).

Examples
--------
>>> import pyoxigraph as ox
>>> python_value(ox.Literal("3", datatype=ox.NamedNode(XSD + "integer")))
3
>>> compactor({"concept": "http://example.org/kg/concept/"})("http://example.org/kg/concept/lease")
'concept:lease'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pyoxigraph as ox

from kg.errors import InvalidArgument
from kg.formats.rdf import XSD

_INTEGER_TYPES = {
    XSD + t
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    )
}
_FLOAT_TYPES = {XSD + "decimal", XSD + "double", XSD + "float"}
BOOLEAN = XSD + "boolean"

RESULT_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}
"""The W3C SPARQL 1.1 results formats, for SELECT and ASK."""

GRAPH_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}
"""The formats of a CONSTRUCT or DESCRIBE result."""


def serialize(
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | list[ox.Triple],
    fmt: str,
    *,
    prefix_map: Mapping[str, str] | None = None,
) -> bytes:
    """A raw result (from :func:`kg.store.query.execute`) as ``fmt``: ``csv``, ``tsv``,
    ``json`` or ``xml`` (the W3C results formats) for SELECT and ASK, ``ttl`` (with the
    prefixes of ``prefix_map``) or ``nt`` for CONSTRUCT and DESCRIBE.

    Examples
    --------
    >>> res = execute("SELECT ?c WHERE { ?c kgv:missing true } LIMIT 1")  # doctest: +SKIP
    >>> print(serialize(res, "csv").decode())  # doctest: +SKIP
    c
    http://example.org/kg/concept/cpa
    """
    if isinstance(result, (ox.QueryTriples, list)):
        if fmt not in GRAPH_FORMATS:
            raise InvalidArgument(
                "format", f"{fmt} is for SELECT and ASK; CONSTRUCT and DESCRIBE print as ttl or nt"
            )
        triples = sorted(result, key=str)
        if fmt == "ttl":
            return ox.serialize(triples, format=GRAPH_FORMATS[fmt], prefixes=dict(prefix_map or {}))
        return ox.serialize(triples, format=GRAPH_FORMATS[fmt])
    if fmt in GRAPH_FORMATS:
        raise InvalidArgument(
            "format", f"{fmt} is for CONSTRUCT and DESCRIBE; use table, csv, tsv or json"
        )
    if fmt not in RESULT_FORMATS:
        raise InvalidArgument("format", f"{fmt!r} is not a results format")
    return result.serialize(format=RESULT_FORMATS[fmt])


def table_rows(
    result: ox.QuerySolutions, prefix_map: Mapping[str, str] | None = None
) -> tuple[list[str], list[list[Any]]]:
    """A SELECT result's variables and its rows as cells for a table: IRIs shortened by
    ``prefix_map``, literals as values, unbound as ``""``."""
    names = [v.value for v in result.variables]
    compact = compactor(prefix_map or {})
    return names, [[cell(solution[name], compact) for name in names] for solution in result]


def literal_value(lexical: str, datatype: str | None) -> Any:
    try:
        if datatype in _INTEGER_TYPES:
            return int(lexical)
        if datatype in _FLOAT_TYPES:
            return float(lexical)
    except ValueError:
        return lexical
    if datatype == BOOLEAN:
        return lexical.strip() in ("true", "1")
    return lexical


def python_value(term: Any) -> Any:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        return literal_value(term.value, None if term.language else term.datatype.value)
    return str(term)


def compactor(prefix_map: Mapping[str, str]) -> Callable[[str], str]:
    """The function writing an IRI as ``prefix:local`` where a prefix covers it, else ``<iri>``."""
    ordered = sorted(prefix_map.items(), key=lambda kv: -len(kv[1]))

    def compact(iri: str) -> str:
        for name, ns in ordered:
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{name}:{iri[len(ns) :]}"
        return f"<{iri}>"

    return compact


def cell(term: Any, compact: Callable[[str], str]) -> Any:
    """A term as a table cell; a literal with a language keeps it as ``text@lang``.

    Examples
    --------
    >>> cell(ox.Literal("hyresavtal", language="sv"), str)
    'hyresavtal@sv'
    """
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        if term.language:
            return f"{term.value}@{term.language}"
        value = literal_value(term.value, term.datatype.value)
        return value if not isinstance(value, bool) else str(value).lower()
    return str(term)


def shorten(text: str, limit: int = 200) -> str:
    """``text`` on one line, cut at ``limit`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def as_term(value: Any) -> Any:
    """A Python value as the pyoxigraph term it binds (str → string literal, int, float, bool
    → typed literals; pyoxigraph terms as they are)."""
    if isinstance(value, (ox.NamedNode, ox.BlankNode, ox.Literal, ox.Triple)):
        return value
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(BOOLEAN))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode(XSD + "double"))
    if isinstance(value, str):
        return ox.Literal(value)
    raise InvalidArgument(
        "bindings",
        f"cannot bind {type(value).__name__} {value!r}: use str, int, float, bool "
        "or a pyoxigraph term",
        prefix=False,
    )
