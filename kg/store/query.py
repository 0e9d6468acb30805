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

from kg.errors import BadInput, InvalidArgument, InvalidQuery
from kg.formats.rdf import XSD, prefixes
from kg.store.database import as_store, query_prefixes, to_rdflib
from kg.store.guard import MAX_DEPTH, MAX_MEMORY, MAX_QUERY_BYTES, check_query
from kg.store.results import as_term, literal_value, python_value, shorten

_ERROR_AT = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)


def execute(
    query: str,
    data: Any = "exports",
    *,
    bindings: Mapping[str, Any] | None = None,
    graph: str | None = None,
    allow_service: bool = False,
    max_query_bytes: int | None = MAX_QUERY_BYTES,
    max_depth: int | None = MAX_DEPTH,
) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Run ``query`` with pyoxigraph and return its raw result (what the CLI serializes).

    ``data`` is a build folder, a ``pyoxigraph.Store`` or a ``networkx`` graph; see
    :func:`sparql` for ``bindings``, ``graph`` and the checks (``allow_service``,
    ``max_query_bytes``, ``max_depth``). A syntax error is an
    :class:`~kg.errors.InvalidQuery` naming line and column of ``query``; a refused query
    a :class:`~kg.errors.QueryRefused`.

    Examples
    --------
    >>> res = execute("ASK { ?c kgv:missing true }", "exports")  # doctest: +SKIP
    >>> bool(res)  # doctest: +SKIP
    True
    """
    declared = query_prefixes(data)
    # size, nesting, SERVICE and prefixes are checked before the engine sees the query
    check_query(
        query,
        max_bytes=max_query_bytes,
        max_depth=max_depth,
        allow_service=allow_service,
        declared=declared,
    )
    store = as_store(data)
    kwargs: dict[str, Any] = {"prefixes": declared}
    if bindings:
        kwargs["substitutions"] = {
            ox.Variable(k.lstrip("?$")): as_term(v) for k, v in bindings.items()
        }
    if graph:
        kwargs["default_graph"] = named_node(graph)
    try:
        return store.query(query, **kwargs)
    except SyntaxError as exc:
        raise InvalidQuery(syntax_message(query, str(exc))) from None
    except RuntimeError as exc:
        text = str(exc)
        if "SELECT projection" in text:
            text += " (a bound variable must be in the SELECT clause: add it there)"
        raise InvalidQuery(f"query failed: {text}") from None
    except OSError as exc:
        raise BadInput(f"query failed: {exc}") from None


def sparql(
    query: str,
    data: Any = "exports",
    *,
    bindings: Mapping[str, Any] | None = None,
    graph: str | None = None,
    engine: str = "oxigraph",
    timeout: float | None = None,
    allow_service: bool = False,
    max_query_bytes: int | None = MAX_QUERY_BYTES,
    max_depth: int | None = MAX_DEPTH,
    max_memory: int | None = MAX_MEMORY,
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
    timeout : float, optional
        Seconds the query may run: it then runs in a child process
        (:mod:`kg.store.bounded`, about 0.2 s to start, ``data`` a build folder), killed
        when the time is up (:class:`~kg.errors.QueryTimeout`), its address space capped
        at ``max_memory`` bytes. None (default): in this process, no limit.
    allow_service : bool
        Let ``SERVICE`` (federated queries: requests to the URLs the query names) run; off
        by default.
    max_query_bytes, max_depth : int, optional
        Longest query and deepest nesting of ``{ ( [`` accepted (:mod:`kg.store.guard`;
        0 or None: no limit). Every query is checked, and an undeclared prefix is named
        (:class:`~kg.errors.QueryRefused`).

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
    limits = {
        "allow_service": allow_service,
        "max_query_bytes": max_query_bytes,
        "max_depth": max_depth,
    }
    if engine == "rdflib":
        if timeout:
            raise InvalidArgument("timeout", "timeout= needs the oxigraph engine", prefix=False)
        return _sparql_rdflib(query, data, bindings=bindings, graph=graph, **limits)
    if engine != "oxigraph":
        raise InvalidArgument(
            "engine", f"unknown SPARQL engine {engine!r}: use 'oxigraph' or 'rdflib'", prefix=False
        )
    if timeout:
        from kg.store.bounded import run_raw

        result = run_raw(
            query,
            data,
            bindings=bindings,
            graph=graph,
            timeout=timeout,
            max_memory=max_memory,
            **limits,
        )
    else:
        result = execute(query, data, bindings=bindings, graph=graph, **limits)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, (ox.QueryTriples, list)):
        return list(result)
    names = [v.value for v in result.variables]
    try:
        terms = [[solution[name] for name in names] for solution in result]
    except (OSError, RuntimeError) as exc:  # raised while evaluating, e.g. a SERVICE that failed
        raise BadInput(f"query failed: {exc}") from None
    return _frame(*with_languages(names, terms, python_value))


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
        return f"SPARQL syntax error: {shorten(error)}"
    line, col, msg = int(match[1]), int(match[2]), match[3]
    lines = query.splitlines() or [""]
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    if "Prefix not found" in msg:
        names = [m for m in re.finditer(r"([A-Za-z][\w.-]*)?:", text) if m.start() < col]
        name = f"{names[-1][0]} " if names else ""
        msg = (
            f"prefix {name}is not declared (declared for you: {', '.join(prefixes())}; "
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
        f"SPARQL syntax error at line {line}, column {col}: {shorten(msg)}\n"
        f"  {text.rstrip()}\n  {caret}"
    )


def named_node(iri: str) -> ox.NamedNode:
    """``iri`` as a pyoxigraph ``NamedNode``, to bind or to name a graph; an
    :class:`~kg.errors.InvalidArgument` when it is not an absolute IRI.

    Examples
    --------
    >>> named_node("http://example.org/kg/concept/lease")
    <NamedNode value=http://example.org/kg/concept/lease>
    >>> named_node("lease")
    Traceback (most recent call last):
    ...
    kg.errors.InvalidArgument: 'lease' is not an absolute IRI: No scheme found in an absolute IRI
    """
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise InvalidArgument(
            "iri", f"{iri!r} is not an absolute IRI: {exc}", prefix=False
        ) from None


# --- helpers --------------------------------------------------------------------------------


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
    term = as_term(value)
    return _rdflib_term(term)


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
        return literal_value(str(term), str(term.datatype) if term.datatype else XSD + "string")
    return str(term)


def with_languages(
    names: list[str], terms: list[list[Any]], value: Any, language: Any = None
) -> tuple[list[str], list[list[Any]]]:
    """Columns and rows of a SELECT result as plain values, with a ``<name>_lang`` column
    after each variable bound to a language-tagged literal in any row (its tag, else
    None): the language of every literal stays beside its text.

    Examples
    --------
    >>> import pyoxigraph as ox
    >>> with_languages(["l"], [[ox.Literal("hyra", language="sv")], [None]], python_value)
    (['l', 'l_lang'], [['hyra', 'sv'], [None, None]])
    """
    language = language or _ox_language
    tagged = [any(language(row[i]) for row in terms) for i in range(len(names))]
    columns: list[str] = []
    for name, has in zip(names, tagged, strict=True):
        columns += [name, f"{name}_lang"] if has else [name]
    rows = []
    for row in terms:
        out: list[Any] = []
        for term, has in zip(row, tagged, strict=True):
            out.append(value(term))
            if has:
                out.append(language(term) or None)
        rows.append(out)
    return columns, rows


def _ox_language(term: Any) -> str | None:
    return term.language if isinstance(term, ox.Literal) else None


def _frame(names: list[str], rows: list[list[Any]]) -> Any:
    try:
        import pandas as pd
    except ImportError:
        return [dict(zip(names, row, strict=True)) for row in rows]
    return pd.DataFrame(rows, columns=names)


def _sparql_rdflib(
    query: str,
    data: Any,
    *,
    bindings: Mapping[str, Any] | None,
    graph: str | None,
    allow_service: bool,
    max_query_bytes: int | None,
    max_depth: int | None,
) -> Any:
    from pyparsing import ParseException

    g = to_rdflib(data)
    if graph:
        raise InvalidArgument(
            "graph", "graph= needs the oxigraph engine (rdflib builds have one graph)", prefix=False
        )
    pre = query_prefixes(g)
    check_query(
        query,
        max_bytes=max_query_bytes,
        max_depth=max_depth,
        allow_service=allow_service,
        declared=pre,
    )
    init = {k.lstrip("?$"): _rdflib_term(v) for k, v in (bindings or {}).items()}
    try:
        result = g.query(query, initNs=pre, initBindings=init)
    except ParseException as exc:
        message = f"error at {exc.lineno}:{exc.col}: {exc.msg}"
        raise InvalidQuery(syntax_message(query, message)) from None
    if result.type == "ASK":
        return bool(result.askAnswer)
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return list(result.graph)
    names = [str(v) for v in result.vars]
    terms = [[row[i] for i in range(len(names))] for row in result]
    return _frame(*with_languages(names, terms, _py_rdflib, _rdflib_language))


def _rdflib_language(term: Any) -> str | None:
    return getattr(term, "language", None)
