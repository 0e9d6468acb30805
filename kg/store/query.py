"""SPARQL over a build: :func:`sparql` (and :func:`execute`), result formats, syntax errors.

Every query gets the prefixes ``rdf rdfs xsd skos dct kgv`` and the build's
``concept: keyword: link: base:`` declared (a ``PREFIX`` in the query wins), and user
values are bound as RDF terms (SPARQL substitution / rdflib ``initBindings``), never
pasted into the query text. The store a query runs on comes from :mod:`kg.store.database`;
the named queries are in :mod:`kg.store.named`, ``serve`` and ``push`` in
:mod:`kg.store.server`.

Examples
--------
>>> import kg
>>> kg.sparql("SELECT ?c WHERE { ?c dct:identifier 'lease' }", data="exports")  # doctest: +SKIP
                                  c
0  http://example.org/kg/concept/lease
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox

from kg.errors import KgError
from kg.formats.rdf import XSD, prefixes
from kg.store.database import as_store, base_iri, open_store, to_rdflib

# open_store and to_rdflib lived here before kg.store.database; scripts that import them from
# kg.store.query, beside sparql, keep working
__all__ = [
    "GRAPH_FORMATS",
    "RESULT_FORMATS",
    "execute",
    "format_results",
    "named_node",
    "open_store",
    "query_prefixes",
    "sparql",
    "syntax_message",
    "to_rdflib",
]

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
_BOOLEAN = XSD + "boolean"
_ERROR_AT = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)


def query_prefixes(data: Any = "exports") -> dict[str, str]:
    """The prefixes declared for every query on ``data`` (fixed ones plus the build's base).

    Examples
    --------
    >>> sorted(query_prefixes("exports"))  # doctest: +SKIP
    ['base', 'concept', 'dct', 'keyword', 'kgv', 'link', 'rdf', 'rdfs', 'skos', 'xsd']
    """
    return prefixes(base_iri(data))


# --- running queries -------------------------------------------------------------------


def execute(
    query: str,
    data: Any = "exports",
    *,
    bindings: Mapping[str, Any] | None = None,
    graph: str | None = None,
) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Run ``query`` with pyoxigraph and return its raw result (what the CLI serializes).

    ``data`` is a build folder, a ``pyoxigraph.Store`` or a ``networkx`` graph; see
    :func:`sparql` for ``bindings`` and ``graph``. A syntax error is a
    :class:`~kg.errors.KgError` naming line and column of ``query``.

    Examples
    --------
    >>> res = execute("ASK { ?c kgv:missing true }", "exports")  # doctest: +SKIP
    >>> bool(res)  # doctest: +SKIP
    True
    """
    store = as_store(data)
    kwargs: dict[str, Any] = {"prefixes": query_prefixes(data)}
    if bindings:
        kwargs["substitutions"] = {
            ox.Variable(k.lstrip("?$")): _ox_term(v) for k, v in bindings.items()
        }
    if graph:
        kwargs["default_graph"] = named_node(graph)
    try:
        return store.query(query, **kwargs)
    except SyntaxError as exc:
        raise KgError(syntax_message(query, str(exc))) from None
    except RuntimeError as exc:
        text = str(exc)
        if "SELECT projection" in text:
            text += " (a bound variable must be in the SELECT clause: add it there)"
        raise KgError(f"query failed: {text}") from None
    except OSError as exc:
        raise KgError(f"query failed: {exc}") from None


def sparql(
    query: str,
    data: Any = "exports",
    *,
    bindings: Mapping[str, Any] | None = None,
    graph: str | None = None,
    engine: str = "oxigraph",
) -> Any:
    """Run a SPARQL query over a build and return plain Python values.

    Parameters
    ----------
    query : str
        SPARQL 1.1 (SELECT, ASK, CONSTRUCT or DESCRIBE). The prefixes ``rdf rdfs xsd
        skos dct kgv concept keyword link base`` are declared for you.
    data : str, path, pyoxigraph.Store or networkx.DiGraph
        A build folder (default ``exports``), an open store, or a graph (converted
        on the fly with :func:`kg.formats.rdf.to_rdf_triples`).
    bindings : mapping, optional
        ``{variable: value}`` bound as RDF terms, never pasted into the text: ``str``
        → string literal, ``int``/``float``/``bool`` → typed literals, pyoxigraph
        (or, with ``engine="rdflib"``, rdflib) terms as they are. With the fast
        engine a bound variable of a SELECT must be in its projection.
    graph : str, optional
        IRI of a named graph to use as the default graph (builds have only the default).
    engine : {"oxigraph", "rdflib"}
        The fast engine (default), or rdflib's, over :func:`kg.store.database.to_rdflib`.

    Returns
    -------
    pandas.DataFrame or list of dict or bool or list of triples
        SELECT: a DataFrame (columns in projection order; IRIs as ``str``, numbers
        as ``int``/``float``, booleans as ``bool``, other literals as their text,
        unbound as ``None``), or a list of ``{variable: value}`` dicts when pandas
        is not installed. ASK: ``bool``. CONSTRUCT/DESCRIBE: a list of triples
        (pyoxigraph ``Triple``, or rdflib tuples with ``engine="rdflib"``).

    Examples
    --------
    >>> kg.sparql('''SELECT ?source ?weight WHERE {
    ...     ?link kgv:target concept:lease ; kgv:source ?c ; kgv:weight ?weight .
    ...     ?c dct:identifier ?source }''')  # doctest: +SKIP
           source  weight
    0  backoffice       1
    >>> kg.sparql("ASK { ?c dct:identifier ?slug }", bindings={"slug": "lease"})  # doctest: +SKIP
    True
    """
    if engine == "rdflib":
        return _sparql_rdflib(query, data, bindings=bindings, graph=graph)
    if engine != "oxigraph":
        raise KgError(f"unknown SPARQL engine {engine!r}: use 'oxigraph' or 'rdflib'")
    result = execute(query, data, bindings=bindings, graph=graph)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QueryTriples):
        return list(result)
    names = [v.value for v in result.variables]
    rows = [[_py_ox(solution[name]) for name in names] for solution in result]
    return _frame(names, rows)


def syntax_message(query: str, error: str) -> str:
    """A SPARQL syntax error as ``line L, column C: message`` with the line and a caret.

    Examples
    --------
    >>> print(syntax_message("SELECT * { ?s ?p ?o ", 'error at 1:21: expected one of ".", "}"'))
    SPARQL syntax error at line 1, column 21: expected one of ".", "}"
      SELECT * { ?s ?p ?o
                          ^
    """
    match = _ERROR_AT.match(error.strip())
    if not match:
        return f"SPARQL syntax error: {_shorten(error)}"
    line, col, msg = int(match[1]), int(match[2]), match[3]
    lines = query.splitlines() or [""]
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    if "Prefix not found" in msg:
        names = [m for m in re.finditer(r"([A-Za-z][\w.-]*)?:", text) if m.start() < col]
        name = f"'{names[-1][0]}' " if names else ""
        msg = (
            f"unknown prefix {name}(declared for you: {', '.join(prefixes())}; "
            "add a PREFIX line for others)"
        )
    caret = " " * (min(col, len(text) + 1) - 1) + "^"
    if msg.startswith("expected one of"):
        tokens = re.findall(r'"[^"]+"|\b[A-Z][A-Z_]+\b', msg[len("expected one of") :])
        quoted = any(t.startswith('"') for t in tokens)
        if not tokens or (not quoted and (len(tokens) > 3 or "[" in msg)):
            msg = "unexpected text here (an incomplete expression or a misspelt keyword?)"
        else:
            msg = f"expected one of {', '.join(tokens)}"
    if not text.strip() and line > len(query.rstrip().splitlines()):
        msg += " (at the end of the query)"
    return (
        f"SPARQL syntax error at line {line}, column {col}: {_shorten(msg)}\n"
        f"  {text.rstrip()}\n  {caret}"
    )


def named_node(iri: str) -> ox.NamedNode:
    """``iri`` as a pyoxigraph ``NamedNode``, to bind or to name a graph; KgError if not absolute.

    Examples
    --------
    >>> named_node("http://example.org/kg/concept/lease")
    <NamedNode value=http://example.org/kg/concept/lease>
    >>> named_node("lease")
    Traceback (most recent call last):
    ...
    kg.errors.KgError: 'lease' is not an absolute IRI: No scheme found in an absolute IRI
    """
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise KgError(f"{iri!r} is not an absolute IRI: {exc}") from None


# --- formatting results ----------------------------------------------------------------


RESULT_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}
GRAPH_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}


def format_results(
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples,
    fmt: str = "table",
    *,
    prefix_map: Mapping[str, str] | None = None,
    max_width: int = 60,
) -> bytes:
    """Serialize a raw result (from :func:`execute`) as ``fmt``.

    ``csv``, ``tsv``, ``json`` (and ``xml``) are the W3C SPARQL 1.1 results formats,
    written by pyoxigraph; ``table`` is an aligned text table with IRIs shortened by
    ``prefix_map`` and cells cut at ``max_width``; ``ttl``/``nt`` are for CONSTRUCT and
    DESCRIBE (``table`` means Turtle there).

    Examples
    --------
    >>> res = execute("SELECT ?c WHERE { ?c kgv:missing true } LIMIT 1")  # doctest: +SKIP
    >>> print(format_results(res, "csv").decode())  # doctest: +SKIP
    c
    http://example.org/kg/concept/cpa
    """
    if isinstance(result, ox.QueryTriples):
        fmt = "ttl" if fmt == "table" else fmt
        if fmt not in GRAPH_FORMATS:
            raise KgError(
                f"--format {fmt} is for SELECT and ASK; CONSTRUCT and DESCRIBE print as ttl or nt"
            )
        triples = sorted(result, key=str)
        if fmt == "ttl":
            return ox.serialize(triples, format=GRAPH_FORMATS[fmt], prefixes=dict(prefix_map or {}))
        return ox.serialize(triples, format=GRAPH_FORMATS[fmt])
    if fmt in GRAPH_FORMATS:
        raise KgError(f"--format {fmt} is for CONSTRUCT and DESCRIBE; use table, csv, tsv or json")
    if fmt in RESULT_FORMATS:
        return result.serialize(format=RESULT_FORMATS[fmt])
    if fmt != "table":
        raise KgError(f"unknown format {fmt!r}")
    if isinstance(result, ox.QueryBoolean):
        return b"true\n" if bool(result) else b"false\n"
    from kg.cli.output import format_table

    names = [v.value for v in result.variables]
    compact = _compactor(prefix_map or {})
    rows = [[_cell(solution[name], compact) for name in names] for solution in result]
    table = format_table(rows, names, max_width=max_width)
    footer = f"({len(rows)} row{'s' if len(rows) != 1 else ''})"
    return (table + "\n" + footer + "\n").encode("utf-8")


# --- helpers --------------------------------------------------------------------------------


def _ox_term(value: Any) -> Any:
    if isinstance(value, (ox.NamedNode, ox.BlankNode, ox.Literal, ox.Triple)):
        return value
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(_BOOLEAN))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode(XSD + "double"))
    if isinstance(value, str):
        return ox.Literal(value)
    raise KgError(
        f"cannot bind {type(value).__name__} {value!r}: use str, int, float, bool "
        "or a pyoxigraph term"
    )


def _rdflib_term(value: Any) -> Any:
    import rdflib

    if isinstance(value, rdflib.term.Node):
        return value
    if isinstance(value, ox.NamedNode):
        return rdflib.URIRef(value.value)
    if isinstance(value, ox.BlankNode):
        return rdflib.BNode(value.value)
    if isinstance(value, ox.Literal):
        if value.language:
            return rdflib.Literal(value.value, lang=value.language)
        if value.datatype.value == XSD + "string":  # rdflib reads "x" as untyped
            return rdflib.Literal(value.value)
        return rdflib.Literal(value.value, datatype=rdflib.URIRef(value.datatype.value))
    term = _ox_term(value)
    return _rdflib_term(term)


def _literal_py(lexical: str, datatype: str | None) -> Any:
    try:
        if datatype in _INTEGER_TYPES:
            return int(lexical)
        if datatype in _FLOAT_TYPES:
            return float(lexical)
    except ValueError:
        return lexical
    if datatype == _BOOLEAN:
        return lexical.strip() in ("true", "1")
    return lexical


def _py_ox(term: Any) -> Any:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        return _literal_py(term.value, None if term.language else term.datatype.value)
    return str(term)


def _py_rdflib(term: Any) -> Any:
    import rdflib

    if term is None:
        return None
    if isinstance(term, rdflib.URIRef):
        return str(term)
    if isinstance(term, rdflib.BNode):
        return "_:" + str(term)
    if isinstance(term, rdflib.Literal):
        if term.language:
            return str(term)
        return _literal_py(str(term), str(term.datatype) if term.datatype else XSD + "string")
    return str(term)


def _frame(names: list[str], rows: list[list[Any]]) -> Any:
    try:
        import pandas as pd
    except ImportError:
        return [dict(zip(names, row, strict=True)) for row in rows]
    return pd.DataFrame(rows, columns=names)


def _sparql_rdflib(
    query: str, data: Any, *, bindings: Mapping[str, Any] | None, graph: str | None
) -> Any:
    from pyparsing import ParseException

    g = to_rdflib(data)
    if graph:
        raise KgError("graph= needs the oxigraph engine (rdflib builds have one graph)")
    pre = query_prefixes(g)
    init = {k.lstrip("?$"): _rdflib_term(v) for k, v in (bindings or {}).items()}
    try:
        result = g.query(query, initNs=pre, initBindings=init)
    except ParseException as exc:
        message = f"error at {exc.lineno}:{exc.col}: {exc.msg}"
        raise KgError(syntax_message(query, message)) from None
    if result.type == "ASK":
        return bool(result.askAnswer)
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return list(result.graph)
    names = [str(v) for v in result.vars]
    rows = [[_py_rdflib(row[i]) for i in range(len(names))] for row in result]
    return _frame(names, rows)


def _compactor(prefix_map: Mapping[str, str]):
    ordered = sorted(prefix_map.items(), key=lambda kv: -len(kv[1]))

    def compact(iri: str) -> str:
        for name, ns in ordered:
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{name}:{iri[len(ns) :]}"
        return f"<{iri}>"

    return compact


def _cell(term: Any, compact: Any) -> Any:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        value = _literal_py(term.value, None if term.language else term.datatype.value)
        return value if not isinstance(value, bool) else str(value).lower()
    return str(term)


def _shorten(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
