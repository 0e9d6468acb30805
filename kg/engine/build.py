"""The whole job in one call: source folders → parsed articles → graph → exports.

:func:`build` is what ``kg build`` runs; :func:`load` is the notebook's way in: it
parses a source folder, or reads a finished build, and returns the graph. A build's
state (its cache, the processes it may use, its timings) lives in the objects it makes,
never in module globals.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from kg.articles import PARSER_VERSION
from kg.engine.cache import BuildCache
from kg.engine.exports import write_exports
from kg.engine.memory import no_gc, release_free_memory
from kg.engine.mentions import start_scan
from kg.engine.parallel import Workers
from kg.engine.parse import Parsed, Scan, parse, read_corpus, scan
from kg.formats import FILES, FORMATS
from kg.formats.nodelink import FILE as GRAPH_FILE
from kg.formats.nodelink import read_graph
from kg.graph import build_graph, set_unlinked_mentions
from kg.records import Corpus
from kg.report import make_report
from kg.version import code_digest


class BuildResult:
    """What :func:`build` did: the graph, the report's data, where it wrote, time per stage.

    ``seconds`` is the build's wall time; ``timings`` the seconds of each stage, of which
    the exports' overlap (they run in several processes at once). ``corpus`` keeps the
    reading counts (``files``, ``parsed``, ``cached``) and problems; its articles are
    dropped once the graph is built, to bound memory. After a build that found nothing
    changed, ``graph`` and ``report`` are read from the build folder when first asked for
    (the command line only needs the report, a small file).
    """

    def __init__(
        self,
        graph: nx.DiGraph | None,
        report: dict[str, Any] | None,
        out: Path,
        timings: dict[str, float] | None = None,
        corpus: Corpus | None = None,
    ) -> None:
        self._graph = graph
        self._report = report
        self.out = out
        self.timings = timings if timings is not None else {}
        self.corpus = corpus
        self.seconds = 0.0

    @property
    def graph(self) -> nx.DiGraph:
        """The graph of the build (read from ``graph.json`` after an unchanged build)."""
        if self._graph is None:
            self._graph = read_graph(self.out)
        return self._graph

    @property
    def report(self) -> dict[str, Any]:
        """The data of ``report.json`` (:func:`kg.report.make_report`)."""
        if self._report is None:
            try:
                self._report = json.loads((self.out / "report.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self._report = make_report(self.graph)
        return self._report

    @property
    def failed(self) -> bool:
        """True when files were lost (errors): such a build exits 1."""
        return bool(self.report["errors"])

    def __repr__(self) -> str:
        return f"BuildResult(out={str(self.out)!r}, seconds={self.seconds!r})"


def build(
    sources: Sequence[str | os.PathLike] | str | os.PathLike = ("articles",),
    out: str | os.PathLike = "exports",
    *,
    lang: Sequence[str] | str | None = None,
    base_iri: str | None = None,
    site_url: str | None = None,
    jobs: int | None = None,
    cache: bool = True,
    formats: Iterable[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BuildResult:
    """Parse the sources, build the graph and write every export into ``out``.

    Parameters
    ----------
    sources : path or sequence of paths
        Source folders (flat, or one folder per language) or files; default ``articles``.
    out : path
        The build folder; default ``exports``. Its ``.cache`` keeps parsed articles.
    lang : str or list of str, optional
        Language of a flat folder; with language folders, the languages to keep.
    base_iri, site_url : str, optional
        The base of the RDF IRIs (:mod:`kg.formats.rdf`); links under ``site_url`` are
        internal (:mod:`kg.links`).
    jobs : int, optional
        Parsing processes (default: the number of cores); ``1`` does everything in this one
        process (no fork, no helper): slower, and the build that needs least memory. The
        output does not depend on it.
    cache : bool
        Reuse parsed articles from ``out/.cache`` (False: a cold build).
    formats : iterable of str, optional
        Exports to write (:data:`kg.formats.FORMATS`); default all.

    Examples
    --------
    >>> result = build("articles", "exports")  # doctest: +SKIP
    >>> sorted(result.graph.successors("backoffice"))[:2]  # doctest: +SKIP
    ['client-facing', 'cpa']
    """
    started = time.perf_counter()
    with no_gc():
        result = _Build(out, lang, base_iri, site_url, jobs, cache, formats).run(
            _as_list(sources), progress
        )
    result.seconds = round(time.perf_counter() - started, 4)
    return result


class _Build:
    """One build: its options, its cache, the processes it may use, its timings."""

    def __init__(
        self,
        out: str | os.PathLike,
        lang: Sequence[str] | str | None,
        base_iri: str | None,
        site_url: str | None,
        jobs: int | None,
        cache: bool,
        formats: Iterable[str] | None,
    ) -> None:
        self.folder = Path(out)
        self.lang = lang
        self.base_iri = base_iri
        self.site_url = site_url
        self.workers = Workers(jobs)
        self.cache = BuildCache(self.folder) if cache else None
        self.formats = sorted(FORMATS if formats is None else set(formats))
        self.timings: dict[str, float] = {}

    def run(self, sources: list[Any], progress: Callable[[int, int], None] | None) -> BuildResult:
        timings, cache = self.timings, self.cache
        start = time.perf_counter()
        found = scan(
            sources, lang=self.lang, site_url=self.site_url, cache=cache, workers=self.workers
        )
        stamp = self._fingerprint(found)
        if cache is not None and self._unchanged(stamp):
            timings["read"] = timings["unchanged"] = round(time.perf_counter() - start, 4)
            found.corpus.cached, found.pending = len(found.pending), []
            report = None if "report" in self.formats else make_report(read_graph(self.folder))
            return BuildResult(None, report, self.folder, timings, found.corpus)
        parsed = parse(found, cache=cache, workers=self.workers, progress=progress, background=True)
        release_free_memory()  # the pickled chunks, unpickled: gigabytes on the whole wiki
        timings["read"] = round(time.perf_counter() - start, 4)
        start = time.perf_counter()
        G = self._graph(parsed)
        parsed.cache_written()
        release_free_memory()  # the prose: about half the process on the whole wiki
        timings["graph"] = round(time.perf_counter() - start, 4)
        (cache or BuildCache(self.folder)).clear_stamp()  # whatever wrote it, it is stale now
        written = write_exports(
            G,
            self.folder,
            formats=self.formats,
            base_iri=self.base_iri,
            workers=self.workers,
            cache=cache,
            inputs=parsed.inputs,
        )
        for name, seconds in written.items():
            timings[f"export:{name}"] = seconds
        if cache is not None:
            cache.save_stamp(stamp)
        report = None if "report" in self.formats else make_report(G)  # else read from file
        return BuildResult(G, report, self.folder, timings, parsed.corpus)

    def _graph(self, parsed: Parsed) -> nx.DiGraph:
        """The graph of the parsed corpus, its unlinked mentions scanned (from the cache,
        and by a helper process while the graph is built); the articles let go after."""
        corpus = parsed.corpus
        mention_cache = self.cache.mentions() if self.cache is not None else None
        finish = start_scan(corpus.articles, mention_cache, self.workers)
        G = graph_of(corpus, self.site_url, mentions=False)
        set_unlinked_mentions(G, finish(G))
        if self.cache is not None and mention_cache is not None:
            self.cache.save_mentions(mention_cache)
        corpus.articles = []  # the graph keeps what analysts use; let the bodies go
        return G

    def _fingerprint(self, found: Scan) -> dict[str, Any]:
        """What a build's output depends on: the files read, the problems met, the options."""
        digest = hashlib.blake2b(digest_size=20)
        for key in found.keys:
            digest.update(key.encode())
        problems = sorted(
            (*found.corpus.errors, *found.corpus.warnings), key=lambda p: (p.path, p.line)
        )
        for problem in problems:
            digest.update(f"{problem.path}\0{problem.line}\0{problem.message}\n".encode())
        lang = self.lang
        return {
            "inputs": digest.hexdigest(),
            "formats": self.formats,
            "lang": lang if isinstance(lang, (str, type(None))) else sorted(lang),
            "base_iri": self.base_iri,
            "site_url": self.site_url,
            "skipped_languages": found.corpus.skipped_languages,
            "kg": code_digest(),
            "parser": PARSER_VERSION,
        }

    def _unchanged(self, stamp: dict[str, Any]) -> bool:
        """True when the last build in the folder had the same inputs and all its files are
        there."""
        assert self.cache is not None
        if self.cache.stamp() != stamp:
            return False
        files = [name for fmt in self.formats for name in FILES.get(fmt, ())]
        return all((self.folder / name).exists() for name in [GRAPH_FILE, *files])


def graph_of(corpus: Corpus, site_url: str | None = None, mentions: bool = True) -> nx.DiGraph:
    """The graph of a read corpus, with its reading problems kept in ``G.graph``."""
    G = build_graph(corpus, site_url=site_url, mentions=mentions)
    if corpus.skipped_languages:
        G.graph["skipped_languages"] = dict(sorted(corpus.skipped_languages.items()))
    return G


def load(
    path: str | os.PathLike = "articles",
    *,
    lang: Sequence[str] | str | None = None,
    site_url: str | None = None,
    jobs: int | None = None,
) -> nx.DiGraph:
    """The graph of a build folder (one holding ``graph.json``) or of a source folder.

    Examples
    --------
    >>> G = load("articles")
    >>> G.nodes["backoffice"]["labels"]
    {'sv': 'back office'}
    """
    if (Path(path) / GRAPH_FILE).is_file():
        return read_graph(path)
    return graph_of(read_corpus([path], lang=lang, site_url=site_url, jobs=jobs), site_url)


def _as_list(sources: Sequence[str | os.PathLike] | str | os.PathLike) -> list[Any]:
    return [sources] if isinstance(sources, (str, os.PathLike)) else list(sources)
