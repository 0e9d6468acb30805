"""Check a SPARQL query before it reaches the engine: size, nesting, SERVICE, prefixes.

Oxigraph's parser is recursive: a 20 KB query of 5,000 nested groups overflows its stack
and aborts the process (``kg query``, a notebook, the ``oxigraph`` server); ``SERVICE
<url>`` makes the engine send an HTTP request to any URL the query names. So every query
is scanned first, by a small tokenizer that knows enough SPARQL to skip string literals,
``<IRIs>``, ``# comments``, variables and language tags, and :func:`check_query` refuses
(:class:`~kg.errors.QueryRefused`, a :class:`~kg.errors.KgError`) one that

- is longer than :data:`MAX_QUERY_BYTES` (UTF-8),
- nests ``{``, ``(`` and ``[`` (counted together) more than :data:`MAX_DEPTH` deep,
- holds ``SERVICE`` (a federated query) unless ``allow_service`` is given,
- uses a prefix that neither the query nor the caller declares ("prefix foo: is not
  declared"), instead of the parser's list of Unicode ranges.

The limits are far above what real queries need (the deepest shipped query nests 4; Oxigraph
itself aborts past about 2,000) and every one can be lifted (0 means no limit). The time
limit, :data:`DEFAULT_TIMEOUT`, and the memory cap, :data:`MAX_MEMORY`, are kept here beside
them; :mod:`kg.store.bounded` and :mod:`kg.store.endpoint` enforce them.

Examples
--------
>>> check_query("SELECT * WHERE { ?s ?p ?o }")
>>> check_query("SELECT * WHERE " + "{" * 100 + "}" * 100)
Traceback (most recent call last):
...
kg.errors.QueryRefused: query refused: it nests {, ( and [ more than 64 deep (line 1, \
column 80)
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from kg.errors import QueryRefused

MAX_QUERY_BYTES = 64 * 1024
"""Longest query accepted, in bytes of UTF-8 (64 KiB)."""

MAX_DEPTH = 64
"""Deepest nesting of ``{``, ``(`` and ``[`` (together) accepted outside strings, IRIs and
comments."""

DEFAULT_TIMEOUT = 30.0
"""Seconds a query may run in ``kg query`` and ``kg serve`` (answer included) before it is
stopped; ``kg.sparql`` has none unless ``timeout=`` is given."""

MAX_MEMORY = 4 * 2**30
"""Address space (bytes) of the process that runs a query under a time limit (4 GiB)."""

_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_NAME_CHARS = r"\w\-\u00B7\u0300-\u036F\u203F-\u2040"
_WORD = re.compile(rf"[^\W\d_][{_NAME_CHARS}.]*")
_LOCAL = re.compile(rf"(?:[{_NAME_CHARS}.:]|%[0-9A-Fa-f]{{2}}|\\.)*")
_VARNAME = re.compile(r"[\w\u00B7\u0300-\u036F\u203F-\u2040]+")
_LANGTAG = re.compile(r"[A-Za-z]+(?:-[A-Za-z0-9]+)*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?")
_OPEN, _CLOSE = "{([", "})]"


def check_query(
    query: str,
    *,
    max_bytes: int | None = MAX_QUERY_BYTES,
    max_depth: int | None = MAX_DEPTH,
    allow_service: bool = False,
    declared: Mapping[str, str] | None = None,
    suggest: Mapping[str, str] | None = None,
) -> None:
    """Raise :class:`~kg.errors.QueryRefused` if ``query`` must not reach the engine.

    Parameters
    ----------
    query : str
        The SPARQL text, as the client sent it.
    max_bytes, max_depth : int, optional
        The limits (:data:`MAX_QUERY_BYTES`, :data:`MAX_DEPTH`); 0 or None: no limit.
    allow_service : bool
        Let ``SERVICE`` (federated queries: requests to other endpoints) through.
    declared : mapping, optional
        Prefixes the engine declares on its own (``kg query`` declares kg's); a prefix
        neither there nor in the query's ``PREFIX`` lines is refused. None: not checked.
    suggest : mapping, optional
        Prefixes to offer in the message when one of them is used undeclared.

    Examples
    --------
    >>> check_query("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    kg.errors.QueryRefused: query refused: SERVICE (line 1, column 12) would send a request \
to another endpoint, and federated queries are off
    >>> check_query("SELECT * { ?s foo:p ?o }", declared={})
    Traceback (most recent call last):
    ...
    kg.errors.QueryRefused: prefix foo: is not declared (line 1, column 15): add a line \
PREFIX foo: <...> before the query
    >>> check_query("SELECT ?s { ?s skos:prefLabel '{{ # not a group' }", declared={"skos": "x"})
    """
    size = len(query.encode("utf-8"))
    if max_bytes and size > max_bytes:
        raise QueryRefused(
            f"query refused: it is {size:,} bytes long, more than the {max_bytes:,} allowed",
            "max_query_bytes",
        )
    used: list[tuple[str, int]] = []
    names: set[str] = set()
    for kind, value, at, depth in _tokens(query):
        if kind == "open" and max_depth and depth > max_depth:
            raise QueryRefused(
                f"query refused: it nests {{, ( and [ more than {max_depth} deep "
                f"({_where(query, at)})",
                "max_depth",
            )
        if kind == "word" and value.upper() == "SERVICE" and not allow_service:
            raise QueryRefused(
                f"query refused: SERVICE ({_where(query, at)}) would send a request to another "
                "endpoint, and federated queries are off",
                "allow_service",
            )
        if kind == "declare":
            names.add(value)
        elif kind == "pname":
            used.append((value, at))
    if declared is None:
        return
    for name, at in used:
        if name in names or name in declared:
            continue
        iri = (suggest or {}).get(name)
        add = f"PREFIX {name}: <{iri}>" if iri else f"PREFIX {name}: <...>"
        hint = ""
        if declared:
            hint = f" (declared for you: {', '.join(declared)})"
        raise QueryRefused(
            f"prefix {name}: is not declared ({_where(query, at)}): add a line {add} before "
            f"the query{hint}"
        )


def nesting_depth(query: str) -> int:
    """The deepest nesting of ``{``, ``(`` and ``[`` in ``query`` outside strings, IRIs and
    comments.

    Examples
    --------
    >>> nesting_depth("SELECT * { ?s ?p '{{{' FILTER(?p != <urn:x>) } # {{{")
    2
    """
    return max((depth for kind, _, _, depth in _tokens(query) if kind == "open"), default=0)


def _tokens(text: str):
    """Yield ``(kind, value, index, depth)`` for what the checks need: ``open`` (a bracket,
    with the depth it opens), ``word`` (a bare keyword), ``pname`` (the prefix of a prefixed
    name), ``declare`` (the prefix a ``PREFIX`` line declares). Strings, IRIs, comments,
    variables, blank node labels, language tags and numbers are skipped."""
    i, n, depth = 0, len(text), 0
    after_prefix = False
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
        elif c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif c in "\"'":
            i = _skip_string(text, i)
        elif c == "<":
            m = _IRIREF.match(text, i)
            i = m.end() if m else i + 1
        elif c in _OPEN:
            depth += 1
            yield "open", c, i, depth
            i += 1
        elif c in _CLOSE:
            depth = max(0, depth - 1)
            i += 1
        elif c in "?$":
            m = _VARNAME.match(text, i + 1)
            i = m.end() if m else i + 1
        elif c == "_" and text.startswith("_:", i):
            m = _LOCAL.match(text, i + 2)
            i = m.end()
        elif c == "@":
            m = _LANGTAG.match(text, i + 1)
            i = m.end() if m else i + 1
        elif c.isdigit():
            i = _NUMBER.match(text, i).end()
        elif c == ":" or _WORD.match(text, i):
            word = "" if c == ":" else _WORD.match(text, i).group().rstrip(".")
            end = i + len(word)
            if end < n and text[end] == ":":
                yield ("declare" if after_prefix else "pname"), word, i, depth
                after_prefix = False
                i = _LOCAL.match(text, end + 1).end()
            else:
                yield "word", word, i, depth
                after_prefix = word.upper() == "PREFIX"
                i = end
        else:
            i += 1


def _skip_string(text: str, i: int) -> int:
    """The index just after the string literal opening at ``i`` (or the line's end when it
    is not closed: the parser will say so)."""
    quote = text[i]
    long = text.startswith(quote * 3, i)
    j = i + (3 if long else 1)
    n = len(text)
    while j < n:
        c = text[j]
        if c == "\\":
            j += 2
        elif long and text.startswith(quote * 3, j):
            return j + 3
        elif not long and c == quote:
            return j + 1
        elif not long and c in "\r\n":
            return j
        else:
            j += 1
    return n


def _where(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"line {line}, column {column}"
