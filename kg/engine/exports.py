"""The graph → every file of a build, fast: :func:`write_exports`.

The files are those of the format writers (:mod:`kg.formats`, :func:`kg.viz.write_html`,
:func:`kg.report.write_report`, the store), byte for byte; what this module adds is how
they are written:

* in passes (:data:`UNITS`): formats that share an item's work are written together,
  keeping only the item they are on (the three RDF formats share each subject's triples,
  the flat formats each node's row);
* incrementally: with the build's cache, the pieces of nodes that did not change are
  copied from the last build's files (:mod:`kg.engine.incremental`), and the store is
  patched with the triples that changed (:mod:`kg.engine.store`);
* in several processes: N-Triples is written first and the ``oxigraph`` command loads the
  store from it while the rest is written; a forked child writes the flat formats and
  the HTML while this process writes the RDF; graph.json, the one writer that reads the
  links' sentences (most of a big graph's memory), waits until the child is done, so
  that no page of them is copied for two processes.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import networkx as nx

from kg.engine.cache import BuildCache
from kg.engine.incremental import Reuse, write_together
from kg.engine.parallel import Workers
from kg.errors import InvalidArgument
from kg.formats import FILES, FORMATS
from kg.formats.pieces import Layout
from kg.formats.rdf import DEFAULT_BASE_IRI

UNITS = (
    ("nt",),
    ("store",),
    ("ttl", "jsonld"),
    ("graphml", "gexf", "csv"),
    ("json",),
    ("html",),
    ("report",),
)
"""The writers in the order they run, formats written in one pass together: N-Triples
first, so the store can load it in another process while the rest are written; Turtle and
JSON-LD from each subject's triples made once; the flat formats from each node's row made
once. A pass keeps only the item it is on (see :func:`kg.engine.incremental.write_together`)."""

FORKED = frozenset({"graphml", "gexf", "csv", "html"})
"""Writers run in a forked child while this process writes the RDF."""

AFTER_FORK = frozenset({"json"})
"""Writers that read the links' sentences: they run once no forked child shares this
process's pages (a page read here while a child maps it is copied: both would hold the
sentences, which are most of a multilingual wiki's graph)."""

LAYOUT_FORMATS = frozenset({"nt", "ttl", "jsonld", "graphml", "gexf", "csv", "json"})
"""The formats made of per-node pieces (:class:`kg.formats.pieces.Layout`)."""


def write_exports(
    G: nx.DiGraph,
    out: str | os.PathLike = "exports",
    *,
    formats: Iterable[str] | None = None,
    base_iri: str | None = None,
    workers: Workers | None = None,
    cache: BuildCache | None = None,
    inputs: Mapping[str, str] | None = None,
    previous: str | os.PathLike | None = None,
    records: dict[str, list[int]] | None = None,
) -> dict[str, float]:
    """Write the chosen exports of ``G`` into ``out``; return the seconds of each pass of
    writers (a format, or formats written together such as ``ttl+jsonld``).

    Parameters
    ----------
    G : networkx.DiGraph
        A graph from :func:`kg.build_graph` (or :func:`kg.read_graph`).
    out : path
        The build folder (created if needed).
    formats : iterable of str, optional
        Names from :data:`kg.formats.FORMATS`; default all.
    base_iri : str, optional
        Base of the RDF IRIs; default :data:`kg.formats.rdf.DEFAULT_BASE_IRI`. Kept in
        ``G.graph``.
    workers : Workers, optional
        What may run in other processes (default: forks where possible).
    cache : BuildCache, optional
        The build's cache: the pieces of nodes that did not change are copied from the
        last build's files instead of being made again; the files are the same.
    inputs : mapping, optional
        Node → what its articles were read from (:class:`kg.engine.parse.Parsed`), which
        makes the nodes' signatures cheap (:func:`kg.engine.incremental.signatures`).
    previous : path, optional
        The folder of the last build, whose pieces and store may be reused (default
        ``out``: a build writes a fresh folder, :mod:`kg.engine.folder`).
    records : dict, optional
        Filled with each file written and its :func:`kg.engine.folder.file_record`.

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> import tempfile
    >>> G = build_graph([parse_article("See [b](/b).", slug="a")])
    >>> sorted(write_exports(G, tempfile.mkdtemp(), formats=["json", "csv"]))
    ['csv', 'json']
    """
    chosen = list(FORMATS) if formats is None else list(dict.fromkeys(formats))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown:
        raise InvalidArgument(
            "formats",
            f"unknown export format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}",
            prefix=False,
        )
    if "store" in chosen and "nt" not in chosen:
        chosen.insert(chosen.index("store"), "nt")
    G.graph["base_iri"] = base_iri or G.graph.get("base_iri") or DEFAULT_BASE_IRI
    run = ExportRun(G, Path(out), workers or Workers(), cache, inputs)
    run.previous = Path(previous) if previous is not None else run.folder
    run.records = records
    return run.write(chosen)


class ExportRun:
    """The state of one :func:`write_exports` call: what its writers share (the RDF items,
    the flat rows), what may be copied from the last build, what changed in graph.nt."""

    def __init__(
        self,
        G: nx.DiGraph,
        folder: Path,
        workers: Workers,
        cache: BuildCache | None,
        inputs: Mapping[str, str] | None,
    ) -> None:
        self.G = G
        self.folder = folder
        self.workers = workers
        self.cache = cache
        self.inputs = inputs
        self.shared: dict[str, Any] = {}
        self.reuse: Reuse | None = None
        self.nt_changes: tuple[bytes, bytes] | None = None
        self.timings: dict[str, float] = {}
        self.previous = folder  # the last build's folder
        self.records: dict[str, list[int]] | None = None
        self.forked: Any = None  # the forked child's result, until it is waited for
        self.finishers: list[tuple[str, Callable[[], Any]]] = []  # the same, run here

    def write(self, chosen: list[str]) -> dict[str, float]:
        """Write the ``chosen`` formats; return the seconds of each pass. When a writer
        fails, what runs beside it (a forked child, the store's loader) is stopped or
        waited for before the error goes on: nothing writes into the folder after."""
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            return self._write(chosen)
        except BaseException:
            if self.forked is not None:
                self.forked.cancel()
            for _, finish in self.finishers:
                with contextlib.suppress(Exception):
                    finish()
            raise

    def _write(self, chosen: list[str]) -> dict[str, float]:
        timings = self.timings
        finishers = self.finishers
        if self.cache is not None:
            start = time.perf_counter()
            self.reuse = Reuse(self.G, self.cache.pieces(), self.inputs, self.previous)
            timings["signatures"] = round(time.perf_counter() - start, 4)
        units = [tuple(f for f in unit if f in chosen) for unit in UNITS]
        order = [unit for unit in units if unit]
        forked = None
        side = [unit for unit in order if set(unit) <= FORKED]
        if side and len(side) < len(order) and self.workers.can_fork():  # the other core
            forked = self.forked = self.workers.fork(self._run_in_child, side, what="flat exports")
            order = [unit for unit in order if unit not in side]
        later = [unit for unit in order if set(unit) <= AFTER_FORK] if forked is not None else []
        order = [unit for unit in order if unit not in later]
        self.run_units(order, None if self.workers.single else finishers)
        if self.reuse is not None:  # a cold build's signatures, made while the others work
            start = time.perf_counter()
            self.reuse.prepare()
            timings["signatures"] = round(timings["signatures"] + time.perf_counter() - start, 4)
        if forked is not None:
            self.forked = None  # waited for: nothing to stop after
            child_timings, child_pieces, child_records = forked()
            timings.update(child_timings)
            if self.reuse is not None:
                self.reuse.new.update(child_pieces)
            if self.records is not None:
                self.records.update(child_records)
        self.run_units(later)
        while finishers:  # what ran in the background: wait for it now
            name, finish = finishers.pop(0)
            start = time.perf_counter()
            finish()
            timings[name] = round(timings[name] + time.perf_counter() - start, 4)
        if self.reuse is not None and self.cache is not None:
            self.cache.save_pieces(self.reuse.state())
        names = ["signatures", *("+".join(unit) for unit in units if unit)]
        return {name: timings[name] for name in names if name in timings}

    def run_units(
        self,
        units: list[tuple[str, ...]],
        background: list[tuple[str, Callable[[], Any]]] | None = None,
    ) -> None:
        """Run writers, recording their timings. With ``background``, the store is started
        in another process and the function that waits for it is added to ``background``."""
        for i, unit in enumerate(units):
            start = time.perf_counter()
            name = "+".join(unit)
            if unit == ("store",) and background is not None:
                background.append((name, self._start_store()))
            elif unit[0] in LAYOUT_FORMATS:
                self._write_layouts(unit)
            else:
                self._write_other(unit[0])
            self._free_shared(units[i + 1 :])
            self._record(unit)
            self.timings[name] = round(time.perf_counter() - start, 4)

    def _record(self, unit: tuple[str, ...]) -> None:
        """Keep the :func:`~kg.engine.folder.file_record` of the files ``unit`` wrote (the
        store is checked otherwise), taken in the process that wrote them."""
        if self.records is None:
            return
        from kg.engine.folder import file_record

        for fmt in unit:
            if fmt != "store":
                for name in FILES[fmt]:
                    self.records[name] = file_record(self.folder / name)

    def _run_in_child(self, units: list[tuple[str, ...]]) -> tuple[dict[str, float], dict, dict]:
        """(In a forked child.) Run ``units``; their timings, the pieces and the files
        they wrote."""
        self.timings = {}
        if self.records is not None:
            self.records = {}
        self.run_units(units)
        pieces = self.reuse.new if self.reuse is not None else {}
        return self.timings, pieces, self.records or {}

    def _layouts(self, fmt: str) -> list[tuple[Path, Layout]]:
        """The files of a format made of pieces, and their layouts."""
        G, folder = self.G, self.folder
        if fmt in ("nt", "ttl", "jsonld"):
            from kg.formats import rdf

            items = self._shared("rdf", lambda: rdf.RdfItems(G, G.graph["base_iri"]))
            return [(folder / FILES[fmt][0], rdf.layout(G, fmt, items))]
        if fmt == "json":
            from kg.formats import nodelink

            return [(folder / FILES[fmt][0], nodelink.layout(G))]
        from kg.formats import gexf, graphml, tables
        from kg.formats.flat import FlatRows

        rows = self._shared("flat", lambda: FlatRows(G))
        if fmt == "csv":
            nodes, edges = FILES["csv"]
            return [
                (folder / nodes, tables.nodes_layout(rows)),
                (folder / edges, tables.edges_layout(rows)),
            ]
        module = graphml if fmt == "graphml" else gexf
        return [(folder / FILES[fmt][0], module.layout(rows))]

    def _write_layouts(self, unit: tuple[str, ...]) -> None:
        """Write the files of ``unit``'s formats in one pass; with N-Triples, when a store
        holds the last graph.nt and pieces were copied from it, keep the lines removed and
        added, so that the store is patched instead of loaded again."""
        from kg.store.database import store_is_fresh

        files = [pair for fmt in unit for pair in self._layouts(fmt)]
        if self.reuse is None:
            write_together([path for path, _ in files], [layout for _, layout in files])
            return
        nt = self.folder / FILES["nt"][0]
        store_holds_last = "nt" in unit and store_is_fresh(self.previous)  # before nt is replaced
        changes: list[tuple[bytes, bytes]] = []
        copied = self.reuse.write_together(files, {nt: changes} if store_holds_last else {})
        if store_holds_last and copied.get(nt):
            old = {line for before, _ in changes for line in before.splitlines()}
            new = {line for _, after in changes for line in after.splitlines()}
            self.nt_changes = (b"\n".join(sorted(old - new)), b"\n".join(sorted(new - old)))

    def _write_other(self, fmt: str) -> None:
        """The formats not made of pieces: the HTML view, the reports, the store."""
        if fmt == "html":
            from kg.viz import write_html

            write_html(self.G, self.folder / FILES["html"][0])
        elif fmt == "report":
            from kg.report import write_report

            write_report(self.G, self.folder)
        elif fmt == "store":
            from kg.engine.store import patch_or_write

            patch_or_write(self.folder, self.nt_changes, self.previous)

    def _start_store(self) -> Callable[[], Any]:
        from kg.engine.store import start_store

        return start_store(self.folder, changes=self.nt_changes, previous=self.previous)

    def _shared(self, name: str, make: Callable[[], Any]) -> Any:
        """What several writers share, made once (see :data:`_SHARED_BY`)."""
        if name not in self.shared:
            self.shared[name] = make()
        return self.shared[name]

    def _free_shared(self, rest: list[tuple[str, ...]]) -> None:
        """Drop what several writers share once no writer still to run needs it."""
        formats = {f for unit in rest for f in unit}
        for shared, users in _SHARED_BY.items():
            if not users.intersection(formats):
                self.shared.pop(shared, None)


_SHARED_BY = {"rdf": {"nt", "ttl", "jsonld"}, "flat": {"graphml", "gexf", "csv"}}
"""What several writers share (made once per run) and which writers use it."""
