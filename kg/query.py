"""SPARQL over a build: the store, :func:`sparql`, the named queries, ``serve`` and ``push``.

A build folder (``kg build`` → ``exports/``) holds ``graph.nt`` and, beside it,
``store/``: a pyoxigraph (RocksDB) store of the same triples, written by
:func:`write_store`. Queries open the store read-only, which takes milliseconds
whatever the size of the graph, while loading ``graph.nt`` on demand costs seconds
(measured on a 15,000-article build of 1.2 M triples: 0.06 s to open the store
against 4.8 s to load the N-Triples into memory; writing the store takes 8.6 s at
build time). So on-demand loading is only the fall-back when the store is missing
(it is not committed to git) or older than ``graph.nt``.

Every query gets the prefixes ``rdf rdfs xsd skos dct kgv`` and the build's
``concept: keyword: link: base:`` declared (a ``PREFIX`` in the query wins), and user
values are bound as RDF terms (SPARQL substitution / rdflib ``initBindings``), never
pasted into the query text.

Examples
--------
>>> import kg
>>> kg.sparql("SELECT ?c WHERE { ?c dct:identifier 'lease' }", data="exports")  # doctest: +SKIP
                                  c
0  http://example.org/kg/concept/lease
"""

from __future__ import annotations

import base64
import contextlib
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.errors import KgError
from kg.rdf import DEFAULT_BASE_IRI, VOCAB, XSD, prefixes

if TYPE_CHECKING:  # pragma: no cover
    import rdflib

STORE_DIR = "store"
"""The store's folder inside a build."""

STAMP = "kg-store.json"
"""File inside the store recording which ``graph.nt`` (size, mtime) it was loaded from."""

QUERIES_DIR = Path(__file__).parent / "queries"

_INTEGER_TYPES = {
    XSD + t for t in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong",
        "unsignedShort", "unsignedByte",
    )
}
_FLOAT_TYPES = {XSD + "decimal", XSD + "double", XSD + "float"}
_BOOLEAN = XSD + "boolean"
_ERROR_AT = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)
_CACHE: dict[tuple[Any, ...], Any] = {}
_CACHE_SIZE = 4


# --- the store -----------------------------------------------------------------------------


def write_store(out_dir: str | os.PathLike[str]) -> Path:
    """Load ``out_dir/graph.nt`` into a fresh pyoxigraph store at ``out_dir/store``.

    The store is written beside under a temporary name and swapped in, so a reader
    never sees half a store. ``store/kg-store.json`` records the size and time of the
    ``graph.nt`` it holds; :func:`open_store` ignores a store that no longer matches.

    Parameters
    ----------
    out_dir : path
        A build folder holding ``graph.nt``.

    Returns
    -------
    pathlib.Path
        The store's folder.

    Examples
    --------
    >>> write_store("exports")  # doctest: +SKIP
    PosixPath('exports/store')
    """
    out = Path(out_dir)
    nt = out / "graph.nt"
    if not nt.is_file():
        raise KgError(f"{nt} not found: write the N-Triples export before the store")
    final = out / STORE_DIR
    tmp = Path(tempfile.mkdtemp(prefix=".store-", dir=out))
    try:
        store = ox.Store(str(tmp))
        try:
            store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
        except SyntaxError as exc:
            raise KgError(f"{nt}: {exc}") from None
        store.flush()
        base = _base_from_store(store)
        del store  # closes RocksDB before the folder is renamed
        st = nt.stat()
        stamp = {"source": nt.name, "size": st.st_size, "mtime_ns": st.st_mtime_ns,
                 "base_iri": base, "pyoxigraph": ox.__version__}
        (tmp / STAMP).write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
        old = None
        if final.exists():
            old = out / f".store-old-{os.getpid()}"
            final.rename(old)
        tmp.rename(final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return final


def open_store(data: str | os.PathLike[str] = "exports") -> ox.Store:
    """Open the build in ``data`` for querying: its store read-only, else ``graph.nt`` in memory.

    Stores are cached per build (and reopened when the build changes), so a notebook
    calling :func:`sparql` many times pays the opening once.

    Examples
    --------
    >>> store = open_store("exports")  # doctest: +SKIP
    >>> len(store) > 0  # doctest: +SKIP
    True
    """
    folder = Path(data)
    nt = folder / "graph.nt"
    if not nt.is_file():
        hint = "run 'kg build' first" if not folder.exists() else "is it a build folder?"
        raise KgError(f"no graph.nt in {folder}: {hint} (or pass --data DIR)")
    st = nt.stat()
    store_dir = folder / STORE_DIR
    fresh = _store_is_fresh(store_dir, st)
    key = ("oxigraph", str(folder.resolve()), st.st_size, st.st_mtime_ns, fresh)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    if fresh:
        try:
            store = ox.Store.read_only(str(store_dir))
        except OSError:
            store = _load_memory(nt)
    else:
        store = _load_memory(nt)
    _remember(key, store)
    return store


def base_iri(data: Any = "exports") -> str:
    """The base IRI of a build (stated as ``kgv:baseIri`` on its concept scheme).

    Examples
    --------
    >>> base_iri("exports")  # doctest: +SKIP
    'http://example.org/kg/'
    """
    if _is_nx(data):
        return data.graph.get("base_iri") or DEFAULT_BASE_IRI
    if isinstance(data, (str, os.PathLike)):
        stamp = _read_stamp(Path(data) / STORE_DIR)
        nt = Path(data) / "graph.nt"
        if stamp and nt.is_file() and _store_is_fresh(Path(data) / STORE_DIR, nt.stat()):
            return stamp.get("base_iri") or DEFAULT_BASE_IRI
        return _base_from_store(open_store(data))
    if isinstance(data, ox.Store):
        return _base_from_store(data)
    if hasattr(data, "objects"):  # an rdflib graph
        import rdflib

        found = next(data.objects(None, rdflib.URIRef(VOCAB + "baseIri")), None)
        return str(found) if found is not None else DEFAULT_BASE_IRI
    return DEFAULT_BASE_IRI


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
    store = _store_for(data)
    kwargs: dict[str, Any] = {"prefixes": query_prefixes(data)}
    if bindings:
        kwargs["substitutions"] = {ox.Variable(k.lstrip("?$")): _ox_term(v)
                                   for k, v in bindings.items()}
    if graph:
        kwargs["default_graph"] = _named_node(graph)
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
        on the fly with :func:`kg.rdf.to_rdf_triples`).
    bindings : mapping, optional
        ``{variable: value}`` bound as RDF terms, never pasted into the text: ``str``
        → string literal, ``int``/``float``/``bool`` → typed literals, pyoxigraph
        (or, with ``engine="rdflib"``, rdflib) terms as they are. With the fast
        engine a bound variable of a SELECT must be in its projection.
    graph : str, optional
        IRI of a named graph to use as the default graph (builds have only the default).
    engine : {"oxigraph", "rdflib"}
        The fast engine (default), or rdflib's, over :func:`to_rdflib`.

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


def to_rdflib(data: Any = "exports") -> rdflib.Graph:
    """The build as an ``rdflib.Graph`` (parsed from ``graph.nt``), prefixes bound.

    rdflib is slow on big graphs (see ``benchmarks/bench_sparql.py``); use it for
    its ecosystem, :func:`sparql` for answers.

    Examples
    --------
    >>> g = to_rdflib("exports")  # doctest: +SKIP
    >>> g.value(None, g.namespace_manager.expand_curie("dct:identifier"), None)  # doctest: +SKIP
    """
    import rdflib

    if isinstance(data, rdflib.Graph):
        return data
    if _is_nx(data):
        from kg.rdf import rdf_bytes

        g = rdflib.Graph()
        g.parse(data=rdf_bytes(data, "nt"), format="nt")
        pre = prefixes(base_iri(data))
    elif isinstance(data, ox.Store):
        g = rdflib.Graph()
        nt = data.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        g.parse(data=nt, format="nt")
        pre = prefixes(base_iri(data))
    else:
        nt_path = Path(data) / "graph.nt"
        if not nt_path.is_file():
            raise KgError(f"no graph.nt in {data}: run 'kg build' first (or pass --data DIR)")
        st = nt_path.stat()
        key = ("rdflib", str(nt_path.resolve()), st.st_size, st.st_mtime_ns)
        if key in _CACHE:
            return _CACHE[key]
        g = rdflib.Graph()
        g.parse(str(nt_path), format="nt")
        pre = prefixes(base_iri(data))
        _remember(key, g)
    for name, iri in pre.items():
        g.bind(name, iri, override=True, replace=True)
    return g


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
        msg = (f"unknown prefix {name}(declared for you: {', '.join(prefixes())}; "
               "add a PREFIX line for others)")
    caret = " " * (min(col, len(text) + 1) - 1) + "^"
    if msg.startswith("expected one of"):
        tokens = re.findall(r'"[^"]+"|\b[A-Z][A-Z_]+\b', msg[len("expected one of"):])
        quoted = any(t.startswith('"') for t in tokens)
        if not tokens or (not quoted and (len(tokens) > 3 or "[" in msg)):
            msg = "unexpected text here (an incomplete expression or a misspelt keyword?)"
        else:
            msg = f"expected one of {', '.join(tokens)}"
    if not text.strip() and line > len(query.rstrip().splitlines()):
        msg += " (at the end of the query)"
    return (f"SPARQL syntax error at line {line}, column {col}: {_shorten(msg)}\n"
            f"  {text.rstrip()}\n  {caret}")


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
            raise KgError(f"--format {fmt} is for SELECT and ASK; CONSTRUCT and DESCRIBE "
                          "print as ttl or nt")
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
    from kg.commands.output import format_table

    names = [v.value for v in result.variables]
    compact = _compactor(prefix_map or {})
    rows = [[_cell(solution[name], compact) for name in names] for solution in result]
    table = format_table(rows, names, max_width=max_width)
    footer = f"({len(rows)} row{'s' if len(rows) != 1 else ''})"
    return (table + "\n" + footer + "\n").encode("utf-8")


# --- the named queries -------------------------------------------------------------------


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library shipped in ``kg/queries/*.rq``.

    The file's leading comments describe it: free text, ``param NAME: help`` or
    ``param NAME=DEFAULT: help`` lines (a default that is an integer makes the
    parameter an integer), and ``example: …``.
    """

    name: str
    description: str
    text: str
    path: Path
    params: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    example: str = ""

    def bindings(self, values: Mapping[str, str]) -> dict[str, Any]:
        """Check ``values`` against the parameters and type them; raise KgError when wrong."""
        unknown = sorted(set(values) - set(self.params))
        if unknown:
            known = ", ".join(self.params) or "none"
            raise KgError(f"query {self.name!r} has no parameter {unknown[0]!r} "
                          f"(its parameters: {known})")
        out: dict[str, Any] = {}
        for name in self.params:
            if name in values:
                raw = values[name]
            elif name in self.defaults:
                raw = self.defaults[name]
            else:
                raise KgError(f"query {self.name!r} needs --param {name}=… ({self.params[name]})")
            out[name] = _typed_param(self, name, raw)
        return out


def list_queries() -> list[NamedQuery]:
    """The named queries shipped with kg, sorted by name.

    Examples
    --------
    >>> [q.name for q in list_queries()][:3]
    ['concepts-per-keyword', 'definitions', 'hubs']
    """
    return [_read_named(p) for p in sorted(QUERIES_DIR.glob("*.rq"))]


def named_query(name: str) -> NamedQuery:
    """The named query ``name``; a KgError lists the names when there is none.

    Examples
    --------
    >>> named_query("who-links-to").params
    {'slug': 'the slug of the concept linked to (e.g. lease)'}
    """
    path = QUERIES_DIR / f"{name}.rq"
    if "/" in name or not path.is_file():
        names = ", ".join(q.name for q in list_queries())
        raise KgError(f"no named query {name!r}; there are: {names}")
    return _read_named(path)


def run_named(
    name: str, params: Mapping[str, str] | None = None, data: Any = "exports", **kwargs: Any
) -> Any:
    """Run the named query ``name`` with ``params`` bound as values (see :func:`sparql`).

    Examples
    --------
    >>> run_named("who-links-to", {"slug": "lease"})  # doctest: +SKIP
        slug      source        label  weight
    0  lease  backoffice  back office       1
    """
    q = named_query(name)
    return sparql(q.text, data, bindings=q.bindings(params or {}), **kwargs)


# --- serve and push -------------------------------------------------------------------


def serve(
    data: str | os.PathLike[str] = "exports",
    host: str = "127.0.0.1",
    port: int = 7878,
    timeout: float | None = None,
    *,
    quiet: bool = False,
) -> int:
    """Serve the build read-only at ``http://HOST:PORT/query`` with Oxigraph's own server.

    Runs ``oxigraph serve-read-only --location STORE --bind HOST:PORT [--timeout-s T]``
    (from the ``oxigraph`` package) until Ctrl-C or SIGTERM, which it forwards; returns
    0 on a clean stop. Updates are refused (HTTP 403). When the build has no fresh
    store, one is loaded from ``graph.nt`` into a temporary folder for the session.

    Parameters
    ----------
    data : path
        The build folder.
    host, port :
        Where to listen (loopback by default: pass ``0.0.0.0`` to serve the network).
    timeout : float, optional
        Query time-out in seconds (rounded up to a whole second).

    Examples
    --------
    >>> serve("exports", port=7878)  # doctest: +SKIP
    kg: serving exports read-only at http://127.0.0.1:7878/query (Ctrl-C stops)
    0
    """
    exe = _oxigraph_exe()
    _check_port_free(host, port)
    folder = Path(data)
    nt = folder / "graph.nt"
    if not nt.is_file():
        raise KgError(f"no graph.nt in {folder}: run 'kg build' first (or pass --data DIR)")
    location = folder / STORE_DIR
    with tempfile.TemporaryDirectory(prefix="kg-serve-") as tmp, \
            tempfile.TemporaryFile() as log:
        if not _store_is_fresh(location, nt.stat()):
            (Path(tmp) / "graph.nt").symlink_to(nt.resolve())
            location = write_store(tmp)
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        cmd = [exe, "serve-read-only", "--location", str(location), "--bind", bind]
        if timeout:
            cmd += ["--timeout-s", str(max(1, math.ceil(timeout)))]
        # its own session: a terminal's Ctrl-C reaches kg only, and kg stops the server
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
        )
        previous = _on_sigterm()
        try:
            return _run_server(proc, host, port, log, folder, quiet)
        finally:
            if proc.poll() is None:
                _stop(proc)
            _restore_sigterm(previous)


def _run_server(proc: subprocess.Popen, host: str, port: int, log: Any, folder: Path,
                quiet: bool) -> int:
    try:
        _wait_listening(proc, host, port, log)
        if not quiet:
            url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/query"
            print(f"kg: serving {folder} read-only at {url} (Ctrl-C stops)", flush=True)
        code = proc.wait()
    except KeyboardInterrupt:
        _stop(proc)
        if not quiet:
            print("kg: server stopped", file=sys.stderr, flush=True)
        return 0
    if code != 0:
        raise KgError(f"oxigraph stopped with status {code}: {_first_error(log)}")
    return 0


def push(
    endpoint: str,
    data: str | os.PathLike[str] = "exports",
    graph: str | None = None,
    user: str | None = None,
    password_env: str = "KG_PASSWORD",
    *,
    timeout: float = 300.0,
) -> dict[str, Any]:
    """Upload the build to a SPARQL 1.1 Graph Store Protocol endpoint, replacing a graph.

    Sends ``graph.nt`` with HTTP ``PUT`` to ``ENDPOINT?default`` (or
    ``ENDPOINT?graph=IRI``), which replaces that graph: Oxigraph ``…/store``, Fuseki
    ``…/DATASET/data``, GraphDB ``…/repositories/REPO/rdf-graphs/service``.

    Parameters
    ----------
    endpoint : str
        The Graph Store endpoint URL (``http``/``https``).
    data : path
        The build folder.
    graph : str, optional
        Target named graph IRI; the default graph when omitted.
    user : str, optional
        HTTP Basic user; the password is read from the environment variable
        ``password_env`` (never from the command line, never printed).

    Returns
    -------
    dict
        ``{"endpoint", "graph", "bytes", "triples", "status"}``.

    Examples
    --------
    >>> push("http://localhost:7878/store", "exports")  # doctest: +SKIP
    {'endpoint': 'http://localhost:7878/store', 'graph': None, 'bytes': 52311, 'triples': 391, ...}
    """
    import urllib.error
    import urllib.parse
    import urllib.request

    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise KgError(f"endpoint {endpoint!r} is not an http(s) URL "
                      "(e.g. http://localhost:7878/store)")
    if parts.username or parts.password:
        raise KgError("put no credentials in the endpoint URL: use --user and the "
                      f"{password_env} environment variable")
    nt = Path(data) / "graph.nt"
    if not nt.is_file():
        raise KgError(f"no graph.nt in {data}: run 'kg build' first (or pass --data DIR)")
    if graph is not None:
        _named_node(graph)
    target = urllib.parse.urlencode({"graph": graph}) if graph else "default"
    url = f"{endpoint}{'&' if parts.query else '?'}{target}"
    size = nt.stat().st_size
    headers = {"Content-Type": "application/n-triples", "Content-Length": str(size)}
    if user is not None:
        password = os.environ.get(password_env)
        if password is None:
            raise KgError(f"--user {user} needs the password in the environment variable "
                          f"{password_env} (export {password_env}=…)")
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    where = f"{parts.scheme}://{parts.netloc}"
    with nt.open("rb") as body:
        request = urllib.request.Request(url, data=body, headers=headers, method="PUT")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            raise KgError(_http_error(exc, endpoint, user, password_env)) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, ConnectionRefusedError):
                raise KgError(f"cannot connect to {where}: connection refused "
                              "(is the server running, and is the port right?)") from None
            raise KgError(f"cannot reach {where}: {reason}") from None
        except TimeoutError:
            raise KgError(f"{where} did not answer within {timeout:g} s") from None
        except ConnectionError as exc:
            raise KgError(f"connection to {where} failed: {exc}") from None
    return {"endpoint": endpoint, "graph": graph, "bytes": size, "triples": _count_lines(nt),
            "status": status}


# --- helpers --------------------------------------------------------------------------------


def _remember(key: tuple[Any, ...], value: Any) -> None:
    stale = [k for k in _CACHE if k[:2] == key[:2]]
    for k in stale:
        del _CACHE[k]
    while len(_CACHE) >= _CACHE_SIZE:
        del _CACHE[next(iter(_CACHE))]
    _CACHE[key] = value


def _read_stamp(store_dir: Path) -> dict[str, Any] | None:
    try:
        return json.loads((store_dir / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _store_is_fresh(store_dir: Path, st: os.stat_result) -> bool:
    stamp = _read_stamp(store_dir)
    return bool(stamp) and stamp.get("size") == st.st_size and stamp.get(
        "mtime_ns") == st.st_mtime_ns and stamp.get("pyoxigraph") == ox.__version__


def _load_memory(nt: Path) -> ox.Store:
    store = ox.Store()
    try:
        store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    except SyntaxError as exc:
        raise KgError(f"{nt}: {exc}") from None
    return store


def _base_from_store(store: ox.Store) -> str:
    found = store.quads_for_pattern(None, ox.NamedNode(VOCAB + "baseIri"), None)
    for quad in found:
        return quad.object.value
    return DEFAULT_BASE_IRI


def _is_nx(data: Any) -> bool:
    return hasattr(data, "nodes") and hasattr(data, "graph") and hasattr(data, "edges")


def _store_for(data: Any) -> ox.Store:
    if isinstance(data, ox.Store):
        return data
    if _is_nx(data):
        from kg.rdf import to_rdf_triples

        store = ox.Store()
        store.extend([ox.Quad(t.subject, t.predicate, t.object) for t in to_rdf_triples(data)])
        return store
    return open_store(data)


def _named_node(iri: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise KgError(f"{iri!r} is not an absolute IRI: {exc}") from None


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
    raise KgError(f"cannot bind {type(value).__name__} {value!r}: use str, int, float, bool "
                  "or a pyoxigraph term")


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


def _sparql_rdflib(query: str, data: Any, *, bindings: Mapping[str, Any] | None,
                   graph: str | None) -> Any:
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
                return f"{name}:{iri[len(ns):]}"
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


def _read_named(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    description: list[str] = []
    params: dict[str, str] = {}
    defaults: dict[str, str] = {}
    example = ""
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        match = re.match(r"param\s+(\w+)(?:\s*=\s*([^:]*?))?\s*:\s*(.*)$", body)
        if match:
            params[match[1]] = match[3]
            if match[2] is not None:
                defaults[match[1]] = match[2]
        elif body.startswith("example:"):
            example = body.partition(":")[2].strip()
        elif body:
            description.append(body)
    return NamedQuery(name=path.stem, description=" ".join(description), text=text, path=path,
                      params=params, defaults=defaults, example=example)


def _typed_param(q: NamedQuery, name: str, raw: str) -> Any:
    if raw.startswith("<") and raw.endswith(">"):
        return _named_node(raw[1:-1])
    if re.fullmatch(r"-?\d+", q.defaults.get(name, "")):
        try:
            return int(raw)
        except ValueError:
            raise KgError(f"--param {name} must be an integer, not {raw!r}") from None
    return raw


def _oxigraph_exe() -> str:
    here = Path(sys.executable).parent / "oxigraph"
    if here.is_file():
        return str(here)
    found = shutil.which("oxigraph")
    if not found:
        raise KgError("the 'oxigraph' server is not installed: pip install oxigraph")
    return found


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise KgError(f"cannot listen on {host}:{port}: {exc.strerror or exc} "
                          "(choose another --port)") from None


def _wait_listening(proc: subprocess.Popen, host: str, port: int, log: Any,
                    limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise KgError(f"oxigraph did not start: {_first_error(log)}")
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return
        time.sleep(0.05)
    raise KgError(f"oxigraph did not listen on {host}:{port} within {limit:g} s")


def _first_error(log: Any) -> str:
    log.flush()
    log.seek(0)
    lines = [ln.strip() for ln in log.read().decode("utf-8", "replace").splitlines()]
    errors = [ln for ln in lines if ln.startswith("Error")]
    return errors[0] if errors else (next((ln for ln in lines if ln), "no message"))


def _stop(proc: subprocess.Popen) -> int:
    for sig, wait in ((signal.SIGINT, 3), (signal.SIGTERM, 5)):
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)
        try:
            return proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
    proc.kill()
    return proc.wait()


def _on_sigterm() -> Any:
    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        return None


def _restore_sigterm(previous: Any) -> None:
    if previous is not None:
        with contextlib.suppress(ValueError):
            signal.signal(signal.SIGTERM, previous)


def _http_error(exc: Any, endpoint: str, user: str | None,
                password_env: str) -> str:
    try:
        body = exc.read(2000).decode("utf-8", "replace")
    except OSError:
        body = ""
    first = next((ln.strip() for ln in body.splitlines() if ln.strip()), "")
    detail = f": {_shorten(first, 160)}" if first else ""
    if exc.code in (401, 403):
        how = (f"check --user {user} and the password in ${password_env}" if user
               else f"pass --user and put the password in ${password_env}")
        return f"{endpoint} refused the upload: HTTP {exc.code} {exc.reason} ({how}){detail}"
    return f"{endpoint} answered HTTP {exc.code} {exc.reason}{detail}"


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            count += block.count(b"\n")
    return count
