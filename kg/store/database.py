"""The SPARQL store of a build: write it, check it is fresh, open it (or rdflib's graph).

A build folder (``kg build`` → ``exports/``) holds ``graph.nt`` and, beside it,
``store/``: a pyoxigraph (RocksDB) store of the same triples, written by
:func:`write_store`. Queries open the store read-only, which takes milliseconds
whatever the size of the graph, while loading ``graph.nt`` on demand costs seconds
(measured on a 15,000-article build of 1.2 M triples: 0.06 s to open the store
against 4.8 s to load the N-Triples into memory; writing the store takes 8.6 s at
build time). So on-demand loading is only the fall-back when the store is missing
(it is not committed to git) or older than ``graph.nt``: ``store/kg-store.json``
records the ``graph.nt`` the store was loaded from (:func:`store_is_fresh`).

Examples
--------
>>> store = open_store("exports")  # doctest: +SKIP
>>> store_is_fresh("exports")  # doctest: +SKIP
True
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.errors import KgError
from kg.formats.rdf import DEFAULT_BASE_IRI, VOCAB, prefixes

if TYPE_CHECKING:  # pragma: no cover
    import rdflib

_NT = ox.RdfFormat.N_TRIPLES

STORE_DIR = "store"
"""The store's folder inside a build."""

STAMP = "kg-store.json"
"""File inside the store recording which ``graph.nt`` (size, mtime) it was loaded from."""

_CACHE: dict[tuple[Any, ...], Any] = {}
_CACHE_SIZE = 4


def oxigraph_executable() -> str | None:
    """The ``oxigraph`` command (from the ``oxigraph`` package) beside this Python, or on PATH."""
    here = Path(sys.executable).parent / "oxigraph"
    if here.is_file():
        return str(here)
    return shutil.which("oxigraph")


def start_store(
    out_dir: str | os.PathLike[str], changes: tuple[bytes, bytes] | None = None
) -> Callable[[], Path]:
    """Start writing the store of ``out_dir/graph.nt``; return the function that finishes it.

    Small ``changes`` are patched in place at once (see :func:`write_store`). Otherwise the
    ``oxigraph load`` command loads the N-Triples into a temporary folder in its own
    process, so the caller writes its other exports meanwhile; calling the returned function
    waits for it and swaps the store in.

    Examples
    --------
    >>> finish = start_store("exports")  # doctest: +SKIP
    >>> finish()  # doctest: +SKIP
    PosixPath('exports/store')
    """
    out = Path(out_dir)
    nt = out / "graph.nt"
    final = out / STORE_DIR
    if not nt.is_file():
        raise KgError(f"{nt} not found: write the N-Triples export before the store")
    exe = oxigraph_executable()
    if (changes is not None and final.is_dir() and _patch_store(final, nt, changes)) or not exe:
        return lambda: write_store(out) if not store_is_fresh(out) else final
    tmp = Path(tempfile.mkdtemp(prefix=".store-", dir=out))
    failed: list[str] = []
    loader = threading.Thread(target=_load_slices, args=(exe, nt, tmp, failed), daemon=True)
    loader.start()

    def finish() -> Path:
        try:
            loader.join()
            if failed:
                raise KgError(failed[0])
            _install(tmp, nt, final, out)
            return final
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    return finish


SLICE = 96 * 2**20
"""Bytes of N-Triples one ``oxigraph load`` is given at most. Its bulk loader holds about
six times what it reads (0.93 GB for a 150 MB graph.nt, 1.6 GB for 1 GB), so a bigger
graph.nt is loaded in slices, one process after another, into the same store."""


def _slices(nt: Path, size: int) -> list[tuple[int, int]]:
    """Byte ranges ``(start, end)`` covering ``nt``, each about ``size`` long, cut after a
    line end (an N-Triples statement is one line).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "graph.nt"
    >>> _ = path.write_bytes(b"<a> <b> <c> .\\n" * 5)
    >>> _slices(path, 20)
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


def _load_slices(exe: str, nt: Path, location: Path, failed: list[str]) -> None:
    """Load ``nt`` into the store at ``location`` with ``oxigraph load``, a slice at a time
    (see :data:`SLICE`); on failure, append the message (naming the file and line) to
    ``failed`` and stop.

    ``--lenient`` skips the IRI checks (a sixth of the loader's CPU): graph.nt is kg's own
    output, written from terms it escaped itself. A lenient load skips a statement it cannot
    parse and goes on, so its log is read for that too.
    """
    cmd = [exe, "load", "--location", str(location), "--format", "nt", "--lenient"]
    ranges = _slices(nt, SLICE)
    with nt.open("rb") as source, tempfile.TemporaryFile() as log:
        for start, end in ranges:
            log.seek(0)
            log.truncate()
            if len(ranges) == 1:  # the loader reads the file itself
                whole = [*cmd, "--file", str(nt)]
                code = subprocess.call(whole, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
            else:
                proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=log, stderr=log)
                assert proc.stdin is not None
                _copy_range(source, start, end, proc.stdin)
                code = proc.wait()
            log.seek(0)
            text = log.read().decode("utf-8", "replace")
            if code or "Parsing error" in text:
                failed.append(_load_error(nt, source, start, text, code))
                return


def _copy_range(source: Any, start: int, end: int, sink: Any) -> None:
    """Copy bytes ``start:end`` of ``source`` into the pipe ``sink`` and close it."""
    source.seek(start)
    try:
        left = end - start
        while left:
            block = source.read(min(left, 8 * 2**20))
            sink.write(block)
            left -= len(block)
        sink.close()
    except BrokenPipeError:  # the loader stopped: its log says why
        pass


def _load_error(nt: Path, source: Any, start: int, log: str, code: int) -> str:
    """The message of a failed load: ``graph.nt:LINE: what the parser said``."""
    found = re.search(r"(?:Parsing error|Error while loading)[^:]*: (.*at line (\d+).*)", log)
    if not found:
        lines = log.strip().splitlines()
        return f"oxigraph load {nt} failed: {lines[-1] if lines else f'exit code {code}'}"
    line = _first_line(source, start) + int(found.group(2)) - 1
    return f"{nt}:{line}: oxigraph load failed: {found.group(1)}"


def _first_line(source: Any, start: int) -> int:
    """The number of the line that begins at byte ``start`` of the file ``source``."""
    source.seek(0)
    return source.read(start).count(b"\n") + 1


def write_store(
    out_dir: str | os.PathLike[str], changes: tuple[bytes, bytes] | None = None
) -> Path:
    """Load ``out_dir/graph.nt`` into a fresh pyoxigraph store at ``out_dir/store``.

    The store is written beside under a temporary name and swapped in, so a reader
    never sees half a store. ``store/kg-store.json`` records the size and time of the
    ``graph.nt`` it holds; :func:`open_store` ignores a store that no longer matches.

    With ``changes``, the N-Triples lines the existing store must lose and gain to hold
    ``graph.nt``, a small change is applied to the store in place instead of a full
    reload: an incremental build then costs milliseconds here instead of seconds.

    Parameters
    ----------
    out_dir : path
        A build folder holding ``graph.nt``.
    changes : (bytes, bytes), optional
        The lines removed from and added to ``graph.nt`` since ``store/`` was made.

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
    if changes is not None and final.is_dir() and _patch_store(final, nt, changes):
        return final
    tmp = Path(tempfile.mkdtemp(prefix=".store-", dir=out))
    try:
        _load_in_slices(tmp, nt)
        _install(tmp, nt, final, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return final


def _load_in_slices(location: Path, nt: Path) -> None:
    """Load ``nt`` into a new store at ``location`` in this process, a slice at a time (as
    :func:`start_store` does, so the loader stays bounded); closed when this returns."""
    store = ox.Store(str(location))
    problem = None
    with nt.open("rb") as source:
        for start, end in _slices(nt, SLICE):
            source.seek(start)
            try:
                store.bulk_load(input=source.read(end - start), format=_NT)
            except SyntaxError as exc:
                where = f" (from line {_first_line(source, start)})" if start else ""
                problem = f"{nt}{where}: {exc}"
                break
    if problem is None:
        store.flush()
    del store  # closes RocksDB: before its folder is renamed, or removed after a failure
    if problem is not None:
        raise KgError(problem)


def open_store(data: str | os.PathLike[str] = "exports") -> ox.Store:
    """Open the build in ``data`` for querying: its store read-only, else ``graph.nt`` in memory.

    Stores are cached per build (and reopened when the build changes), so a notebook
    calling :func:`kg.sparql` many times pays the opening once.

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
        stamp = _read_stamp(Path(data) / STORE_DIR)
        if stamp and store_is_fresh(data):
            return stamp.get("base_iri") or DEFAULT_BASE_IRI
        return _base_from_store(open_store(data))
    if isinstance(data, ox.Store):
        return _base_from_store(data)
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


PATCH_LIMIT = 0.2
"""Past this share of graph.nt's bytes changed, a full reload is cheaper than patching."""


def _patch_store(store_dir: Path, nt: Path, changes: tuple[bytes, bytes]) -> bool:
    """Remove and add the triples of ``changes`` (N-Triples lines); False if too big."""
    if sum(map(len, changes)) > PATCH_LIMIT * max(nt.stat().st_size, 1):
        return False
    (store_dir / STAMP).unlink(missing_ok=True)  # stale until the patch is complete
    store = ox.Store(str(store_dir))
    for text, apply in zip(changes, (store.remove, store.add), strict=True):
        for triple in ox.parse(text, format=ox.RdfFormat.N_TRIPLES):
            apply(ox.Quad(triple.subject, triple.predicate, triple.object))
    store.flush()
    base = _base_from_store(store)
    del store
    _write_stamp(store_dir, nt, base)
    _CACHE.clear()
    return True


def _install(tmp: Path, nt: Path, final: Path, out: Path) -> None:
    """Stamp the store loaded into ``tmp`` with the ``graph.nt`` it holds and swap it in."""
    store = ox.Store(str(tmp))
    base = _base_from_store(store)
    del store  # closes RocksDB before the folder is renamed
    _write_stamp(tmp, nt, base)
    _swap_in(tmp, final, out)


def _swap_in(tmp: Path, final: Path, out: Path) -> None:
    """Replace ``final`` by the finished store ``tmp`` (a rename each: readers never see half)."""
    old = None
    if final.exists():
        old = out / f".store-old-{os.getpid()}"
        final.rename(old)
    tmp.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    _CACHE.clear()


def _write_stamp(store_dir: Path, nt: Path, base: str) -> None:
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
    stamp = _read_stamp(store_dir)
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
        raise KgError(f"{nt}: {exc}") from None
    return store


def _base_from_store(store: ox.Store) -> str:
    found = store.quads_for_pattern(None, ox.NamedNode(VOCAB + "baseIri"), None)
    for quad in found:
        return quad.object.value
    return DEFAULT_BASE_IRI


def _is_nx(data: Any) -> bool:
    return hasattr(data, "nodes") and hasattr(data, "graph") and hasattr(data, "edges")
