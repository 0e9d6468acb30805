"""The SPARQL store of a build: write it, check it is fresh, open it (or rdflib's graph).

A build folder (``kg build`` → ``exports/``) holds ``graph.nt`` and, beside it,
``store/``: a pyoxigraph (RocksDB) store of the same triples, written by
:func:`write_store`. Queries open the store read-only, which takes milliseconds
whatever the size of the graph, while loading ``graph.nt`` on demand costs seconds
(``benchmarks/bench_sparql.py`` measures both). So on-demand loading is only the
fall-back when the store is missing (it is not committed to git) or older than
``graph.nt``: ``store/kg-store.json`` records the ``graph.nt`` the store was loaded
from (:func:`store_is_fresh`).

Examples
--------
>>> store = open_store("exports")  # doctest: +SKIP
>>> store_is_fresh("exports")  # doctest: +SKIP
True
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.errors import BadInput, BuildNotFound
from kg.formats.rdf import DEFAULT_BASE_IRI, VOCAB, prefixes

if TYPE_CHECKING:  # pragma: no cover
    import rdflib

_NT = ox.RdfFormat.N_TRIPLES

STORE_DIR = "store"
"""The store's folder inside a build."""

STAMP = "kg-store.json"
"""File inside the store recording which ``graph.nt`` (size, mtime) it was loaded from."""

NT_FILE = "graph.nt"
"""The N-Triples file of a build, which the store holds."""


def oxigraph_executable() -> str | None:
    """The ``oxigraph`` command (from the ``oxigraph`` package) beside this Python, or on PATH."""
    here = Path(sys.executable).parent / "oxigraph"
    if here.is_file():
        return str(here)
    return shutil.which("oxigraph")


def write_store(out_dir: str | os.PathLike[str]) -> Path:
    """Load ``out_dir/graph.nt`` into a fresh pyoxigraph store at ``out_dir/store``.

    The store is written beside under a temporary name and swapped in, so a reader
    never sees half a store. ``store/kg-store.json`` records the size and time of the
    ``graph.nt`` it holds; :func:`open_store` ignores a store that no longer matches.

    ``graph.nt`` is loaded in slices of :data:`SLICE` bytes, which bounds the loader's
    memory. (``kg build`` loads it with the ``oxigraph`` command in another process
    while it writes its other exports, and patches it after a small change:
    :mod:`kg.engine.store`.)

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
    nt = require_build(out, NT_FILE)
    final = out / STORE_DIR
    tmp = Path(tempfile.mkdtemp(prefix=".store-", dir=out))
    try:
        _load_in_slices(tmp, nt)
        install_store(tmp, nt, final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return final


def _load_in_slices(location: Path, nt: Path) -> None:
    """Load ``nt`` into a new store at ``location`` in this process, a slice at a time (so
    the loader stays bounded); closed when this returns."""
    store = ox.Store(str(location))
    problem = None
    with nt.open("rb") as source:
        for start, end in slices(nt, SLICE):
            source.seek(start)
            try:
                store.bulk_load(input=source.read(end - start), format=_NT)
            except SyntaxError as exc:
                where = f" (from line {first_line(source, start)})" if start else ""
                problem = f"{nt}{where}: {exc}"
                break
    if problem is None:
        store.flush()
    del store  # closes RocksDB: before its folder is renamed, or removed after a failure
    if problem is not None:
        raise BadInput(problem)


def open_store(data: str | os.PathLike[str] = "exports") -> ox.Store:
    """Open the build in ``data`` for querying: its store read-only, else ``graph.nt`` in memory.

    Stores are kept open per build (and opened again when the build changes), so a
    notebook calling :func:`kg.sparql` many times pays the opening once.

    Examples
    --------
    >>> store = open_store("exports")  # doctest: +SKIP
    >>> len(store) > 0  # doctest: +SKIP
    True
    """
    folder = Path(data)
    nt = require_build(folder, NT_FILE)
    st = nt.stat()
    fresh = _store_is_fresh(folder / STORE_DIR, st)
    return _opened(str(folder.resolve()), st.st_size, st.st_mtime_ns, fresh)


@functools.lru_cache(maxsize=4)
def _opened(folder: str, size: int, mtime_ns: int, fresh: bool) -> ox.Store:
    """The store of a build as it is now (the arguments past ``folder`` name its state)."""
    nt = Path(folder) / NT_FILE
    if fresh:
        try:
            return ox.Store.read_only(str(Path(folder) / STORE_DIR))
        except OSError:
            pass
    return _load_memory(nt)


def query_prefixes(data: Any = "exports") -> dict[str, str]:
    """The prefixes declared for every query on ``data`` (fixed ones plus the build's base).

    Examples
    --------
    >>> sorted(query_prefixes("exports"))  # doctest: +SKIP
    ['base', 'concept', 'dct', 'keyword', 'kgv', 'link', 'rdf', 'rdfs', 'skos', 'xsd']
    """
    return prefixes(base_iri(data))


# --- running queries -------------------------------------------------------------------


def require_build(folder: str | os.PathLike[str], name: str = NT_FILE) -> Path:
    """The file ``name`` of the build in ``folder``; :class:`~kg.errors.BuildNotFound` when
    it is not there.

    Examples
    --------
    >>> require_build("no-such-build")
    Traceback (most recent call last):
    ...
    kg.errors.BuildNotFound: no-such-build: no kg build here (no graph.nt)
    """
    path = Path(folder) / name
    if not path.is_file():
        raise BuildNotFound(str(folder), name)
    return path


def store_is_fresh(data: str | os.PathLike[str] = "exports") -> bool:
    """Whether the build in ``data`` has a store holding its current ``graph.nt``.

    A store is fresh when ``store/kg-store.json`` names the size and modification time
    of ``graph.nt`` and the pyoxigraph version that wrote it; :func:`open_store` falls
    back to loading ``graph.nt`` into memory when it is not.

    Examples
    --------
    >>> store_is_fresh("no-such-build")
    False
    >>> store_is_fresh("exports")  # doctest: +SKIP
    True
    """
    nt = Path(data) / "graph.nt"
    return nt.is_file() and _store_is_fresh(Path(data) / STORE_DIR, nt.stat())


def as_store(data: Any = "exports") -> ox.Store:
    """The pyoxigraph store to query for ``data``.

    A ``pyoxigraph.Store`` is returned as it is, a ``networkx`` graph is converted into
    a new in-memory store (with :func:`kg.formats.rdf.to_rdf_triples`), and anything else is a
    build folder for :func:`open_store`.

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> G = build_graph([parse_article("# Lease\\n", slug="lease", lang="en", path="lease.md")])
    >>> store = as_store(G)
    >>> len(store) > 0
    True
    >>> as_store(store) is store
    True
    """
    if isinstance(data, ox.Store):
        return data
    if _is_nx(data):
        from kg.formats.rdf import to_rdf_triples

        store = ox.Store()
        store.extend([ox.Quad(t.subject, t.predicate, t.object) for t in to_rdf_triples(data)])
        return store
    return open_store(data)


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
        stamp = read_stamp(Path(data) / STORE_DIR)
        if stamp and store_is_fresh(data):
            return stamp.get("base_iri") or DEFAULT_BASE_IRI
        return base_of(open_store(data))
    if isinstance(data, ox.Store):
        return base_of(data)
    if hasattr(data, "objects"):  # an rdflib graph
        import rdflib

        found = next(data.objects(None, rdflib.URIRef(VOCAB + "baseIri")), None)
        return str(found) if found is not None else DEFAULT_BASE_IRI
    return DEFAULT_BASE_IRI


def to_rdflib(data: Any = "exports") -> rdflib.Graph:
    """The build as an ``rdflib.Graph`` (parsed from ``graph.nt``), prefixes bound.

    rdflib is slow on big graphs (see ``benchmarks/bench_sparql.py``); use it for
    its ecosystem, :func:`kg.sparql` for answers.

    Examples
    --------
    >>> g = to_rdflib("exports")  # doctest: +SKIP
    >>> g.value(None, g.namespace_manager.expand_curie("dct:identifier"), None)  # doctest: +SKIP
    """
    import rdflib

    if isinstance(data, rdflib.Graph):
        return data
    if _is_nx(data):
        from kg.formats.rdf import rdf_bytes

        g = rdflib.Graph()
        g.parse(data=rdf_bytes(data, "nt"), format="nt")
        pre = prefixes(base_iri(data))
    elif isinstance(data, ox.Store):
        g = rdflib.Graph()
        nt = data.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        g.parse(data=nt, format="nt")
        pre = prefixes(base_iri(data))
    else:
        nt_path = require_build(data, NT_FILE)
        st = nt_path.stat()
        return _parsed(str(nt_path.resolve()), st.st_size, st.st_mtime_ns, base_iri(data))
    return _bound(g, pre)


@functools.lru_cache(maxsize=2)
def _parsed(nt: str, size: int, mtime_ns: int, base: str) -> rdflib.Graph:
    """``graph.nt`` parsed by rdflib, as it is now (``size`` and ``mtime_ns`` name it)."""
    import rdflib

    g = rdflib.Graph()
    g.parse(nt, format="nt")
    return _bound(g, prefixes(base))


def _bound(g: rdflib.Graph, pre: dict[str, str]) -> rdflib.Graph:
    for name, iri in pre.items():
        g.bind(name, iri, override=True, replace=True)
    return g


SLICE = 96 * 2**20
"""Bytes of N-Triples one ``oxigraph load`` is given at most. Its bulk loader holds about
six times what it reads (0.93 GB for a 150 MB graph.nt, 1.6 GB for 1 GB), so a bigger
graph.nt is loaded in slices, one process after another, into the same store."""


def slices(nt: Path, size: int) -> list[tuple[int, int]]:
    """Byte ranges ``(start, end)`` covering ``nt``, each about ``size`` long, cut after a
    line end (an N-Triples statement is one line).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "graph.nt"
    >>> _ = path.write_bytes(b"<a> <b> <c> .\\n" * 5)
    >>> slices(path, 20)
    [(0, 28), (28, 56), (56, 70)]
    """
    total = nt.stat().st_size
    ranges, start = [], 0
    with nt.open("rb") as f:
        while start < total:
            f.seek(min(start + size, total))
            f.readline()
            end = min(f.tell(), total) if start + size < total else total
            ranges.append((start, end))
            start = end
    return ranges


def first_line(source: Any, start: int) -> int:
    """The number of the line that begins at byte ``start`` of the file ``source``."""
    source.seek(0)
    return source.read(start).count(b"\n") + 1


# --- helpers --------------------------------------------------------------------------------


def read_stamp(store_dir: Path) -> dict[str, Any] | None:
    """What ``store/kg-store.json`` says (None when it is not readable)."""
    try:
        return json.loads((store_dir / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def install_store(tmp: Path, nt: Path, final: Path) -> None:
    """Stamp the store loaded into ``tmp`` with the ``graph.nt`` it holds and put it in the
    place of ``final`` (a rename each: readers never see half a store)."""
    store = ox.Store(str(tmp))
    base = base_of(store)
    del store  # closes RocksDB before the folder is renamed
    write_stamp(tmp, nt, base)
    old = None
    if final.exists():
        old = final.parent / f".store-old-{os.getpid()}"
        final.rename(old)
    tmp.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_stamp(store_dir: Path, nt: Path, base: str) -> None:
    """Record in the store which ``graph.nt`` (size, time) it holds, and its base IRI."""
    st = nt.stat()
    stamp = {
        "source": nt.name,
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "base_iri": base,
        "pyoxigraph": ox.__version__,
    }
    (store_dir / STAMP).write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")


def _store_is_fresh(store_dir: Path, st: os.stat_result) -> bool:
    stamp = read_stamp(store_dir)
    return (
        bool(stamp)
        and stamp.get("size") == st.st_size
        and stamp.get("mtime_ns") == st.st_mtime_ns
        and stamp.get("pyoxigraph") == ox.__version__
    )


def _load_memory(nt: Path) -> ox.Store:
    store = ox.Store()
    try:
        store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    except SyntaxError as exc:
        raise BadInput(f"{nt}: {exc}") from None
    return store


def base_of(store: ox.Store) -> str:
    """The base IRI a store states (``kgv:baseIri`` of its concept scheme)."""
    found = store.quads_for_pattern(None, ox.NamedNode(VOCAB + "baseIri"), None)
    for quad in found:
        return quad.object.value
    return DEFAULT_BASE_IRI


def _is_nx(data: Any) -> bool:
    return hasattr(data, "nodes") and hasattr(data, "graph") and hasattr(data, "edges")
