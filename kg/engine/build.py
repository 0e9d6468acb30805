"""The whole job in one call: source folders → parsed articles → graph → exports.

:func:`build` is what ``kg build`` runs; :func:`load` is the notebook's way in: it
parses a source folder, or reads a finished build, and returns the graph. A build's
state (its cache, the processes it may use, its timings) lives in the objects it makes,
never in module globals. A build locks its output folder, writes a fresh one and swaps
it in whole (:mod:`kg.engine.folder`).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from kg.articles import PARSER_VERSION
from kg.atomic import failure
from kg.engine.cache import BuildCache
from kg.engine.exports import write_exports
from kg.engine.folder import BuildFolder
from kg.engine.memory import no_gc, release_free_memory
from kg.engine.mentions import start_scan
from kg.engine.parallel import Workers
from kg.engine.parse import Parsed, Scan, parse, read_corpus, scan
from kg.errors import BadInput, InvalidArgument, WriteFailed
from kg.formats import FILES, FORMATS
from kg.formats.nodelink import FILE as GRAPH_FILE
from kg.formats.nodelink import read_graph
from kg.graph import build_graph, set_unlinked_mentions
from kg.labels import check_display_lang
from kg.limits import MAX_FILE_SIZE
from kg.records import Corpus
from kg.report import make_report
from kg.store.database import store_is_fresh
from kg.version import code_digest

SITE = "site"
"""The folder of the concept site in a build folder (``kg build --site``)."""


class BuildResult:
    """What :func:`build` did: the graph, the report's data, where it wrote, time per stage.

    ``seconds`` is the build's wall time; ``timings`` the seconds of each stage, of which
    the exports' overlap (they run in several processes at once). ``corpus`` keeps the
    reading counts (``files``, ``parsed``, ``cached``) and problems; its articles are
    dropped once the graph is built, to bound memory. After a build that found nothing
    changed, ``graph`` and ``report`` are read from the build folder when first asked for
    (the command line only needs the report, a small file). ``notices`` say what the
    build met that is no input's fault (a damaged cache file, not used).
    """

    def __init__(
        self,
        graph: nx.DiGraph | None,
        report: dict[str, Any] | None,
        out: Path,
        timings: dict[str, float] | None = None,
        corpus: Corpus | None = None,
        notices: list[str] | None = None,
    ) -> None:
        self._graph = graph
        self._report = report
        self.out = out
        self.timings = timings if timings is not None else {}
        self.corpus = corpus
        self.notices = notices if notices is not None else []
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
    lang_tags: Mapping[str, str] | Sequence[str] | None = None,
    follow_links: bool = False,
    max_file_size: int = MAX_FILE_SIZE,
    wait: bool = True,
    on_wait: Callable[[str], None] | None = None,
    site: bool = False,
    display_lang: str | None = None,
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
    progress : callable, optional
        Called as ``progress(done, total)`` while parsing.
    lang_tags : mapping or list of ``NAME=TAG``, optional
        Language folders retagged: ``{"Chinese": "zh-Hant"}`` (:mod:`kg.languages`).
    follow_links : bool
        Follow links (to files or folders) that lead out of the source folders; by
        default they are reported and not read.
    max_file_size : int
        Bytes of the largest file read as an article (:data:`kg.limits.MAX_FILE_SIZE`).
    wait : bool
        When another build is writing ``out``, wait for it (``on_wait`` is called with a
        message first); False raises :class:`~kg.errors.BuildLocked` instead.
    site : bool
        Also write the browsable concept site into ``out/site`` (:func:`kg.write_site`):
        only its pages that changed are written, and it is swapped in with the exports.
    display_lang : str, optional
        The language the site names concepts in (default: English, else any).

    Raises
    ------
    BadInput
        When the sources hold no article (in the chosen languages): nothing is written.
    InvalidArgument
        When ``out`` is a source folder or holds one.
    WriteFailed
        When the build cannot be written (a full disk, a read-only folder): the last
        build in ``out`` is kept as it was.

    Examples
    --------
    >>> result = build("articles", "exports")  # doctest: +SKIP
    >>> sorted(result.graph.successors("backoffice"))[:2]  # doctest: +SKIP
    ['client-facing', 'cpa']
    """
    started = time.perf_counter()
    job = _Build(out, lang, base_iri, site_url, jobs, cache, formats, lang_tags)
    job.follow_links, job.max_file_size = follow_links, max_file_size
    job.wait, job.on_wait = wait, on_wait
    job.site, job.display_lang = site, check_display_lang(display_lang)
    with no_gc():
        result = job.run(_as_list(sources), progress)
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
        lang_tags: Mapping[str, str] | Sequence[str] | None = None,
    ) -> None:
        self.folder = Path(out)
        self.lang = lang
        self.lang_tags = lang_tags
        self.base_iri = base_iri
        self.site_url = site_url
        self.workers = Workers(jobs)
        self.cache = BuildCache(self.folder) if cache else None
        self.formats = sorted(FORMATS if formats is None else set(formats))
        self.timings: dict[str, float] = {}
        self.follow_links = False
        self.max_file_size = MAX_FILE_SIZE
        self.wait = True
        self.site = False
        self.display_lang: str | None = None
        self.on_wait: Callable[[str], None] | None = None

    def run(self, sources: list[Any], progress: Callable[[int, int], None] | None) -> BuildResult:
        self._check_out(sources)
        with BuildFolder(self.folder, wait=self.wait, on_wait=self.on_wait) as folder:
            try:
                return self._run(folder, sources, progress)
            except OSError as exc:  # what no writer said more precisely
                raise WriteFailed(failure(exc, f"building into {self.folder}")) from exc

    def _run(
        self,
        folder: BuildFolder,
        sources: list[Any],
        progress: Callable[[int, int], None] | None,
    ) -> BuildResult:
        timings, cache = self.timings, self.cache
        notices = cache.notices if cache is not None else []
        start = time.perf_counter()
        found = scan(
            sources,
            lang=self.lang,
            site_url=self.site_url,
            cache=cache,
            workers=self.workers,
            lang_tags=self.lang_tags,
            follow_links=self.follow_links,
            max_file_size=self.max_file_size,
            exclude=[folder.path],
        )
        if not found.corpus.files:  # nothing to build: say so, write nothing
            problem = found.corpus.errors[-1]
            folder.discard()
            raise BadInput(f"{problem.path}: {problem.message}")
        stamp = self._fingerprint(found)
        if cache is not None and self._unchanged(folder, stamp):
            timings["read"] = timings["unchanged"] = round(time.perf_counter() - start, 4)
            found.corpus.cached, found.pending = len(found.pending), []
            report = None if "report" in self.formats else make_report(read_graph(self.folder))
            return BuildResult(None, report, self.folder, timings, found.corpus, notices)
        parsed = parse(found, cache=cache, workers=self.workers, progress=progress, background=True)
        release_free_memory()  # the pickled chunks, unpickled: gigabytes on the whole wiki
        timings["read"] = round(time.perf_counter() - start, 4)
        start = time.perf_counter()
        G = self._graph(parsed)
        parsed.cache_written()
        release_free_memory()  # the prose: about half the process on the whole wiki
        timings["graph"] = round(time.perf_counter() - start, 4)
        records: dict[str, list[int]] = {}
        stage = folder.stage()
        written = write_exports(
            G,
            stage,
            formats=self.formats,
            base_iri=self.base_iri,
            workers=self.workers,
            cache=cache,
            inputs=parsed.inputs,
            previous=folder.path,
            records=records,
        )
        for name, seconds in written.items():
            timings[f"export:{name}"] = seconds
        drop = self._site(G, folder, stage)
        start = time.perf_counter()
        folder.publish(stamp, records, drop=drop)
        timings["publish"] = round(time.perf_counter() - start, 4)
        report = None if "report" in self.formats else make_report(G)  # else read from file
        return BuildResult(G, report, self.folder, timings, parsed.corpus, notices)

    def _check_out(self, sources: list[Any]) -> None:
        """Refuse an output folder that is a source folder or holds one (the build would
        replace it); one inside a source is left out of the sources."""
        out = os.path.realpath(self.folder)
        for source in sources:
            real = os.path.realpath(source)
            if real == out or real.startswith(out.rstrip(os.sep) + os.sep):
                raise InvalidArgument(
                    "out",
                    f"{self.folder} is the source {source} or holds it; "
                    "build into a folder outside the sources",
                )

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

    def _site(self, G: nx.DiGraph, folder: BuildFolder, stage: Path) -> tuple[str, ...]:
        """Write the site into ``stage/site`` when asked, starting from a hard-linked copy
        of the last one so that only changed pages are written; return the entries of
        ``OUT`` not to bring over (the last build's site, when this build has none)."""
        if not self.site:
            last = (folder.record() or {}).get("stamp") or {}
            return (SITE,) if isinstance(last, dict) and last.get("site") else ()
        from kg.site import write_site

        start = time.perf_counter()
        old = folder.path / SITE
        if old.is_dir() and not old.is_symlink():  # a link would write into its target
            folder.carry(SITE)
        write_site(
            G,
            stage / SITE,
            display_lang=self.display_lang,
            site_url=self.site_url,
            base_iri=self.base_iri,
        )
        self.timings["export:site"] = round(time.perf_counter() - start, 4)
        return ()

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
            "follow_links": self.follow_links,
            "max_file_size": self.max_file_size,
            "site": self.site,
            "display_lang": self.display_lang,
        }

    def _unchanged(self, folder: BuildFolder, stamp: dict[str, Any]) -> bool:
        """True when the last build in the folder had the same inputs and its files are the
        files it wrote (none edited, cut or removed since; the store holds graph.nt; the
        site, when asked for, is there)."""
        files = [name for fmt in self.formats if fmt != "store" for name in FILES[fmt]]
        return (
            folder.unchanged(stamp, files)
            and (folder.path / GRAPH_FILE).exists()
            and ("store" not in self.formats or store_is_fresh(folder.path))
            and (not self.site or (folder.path / SITE / "index.html").is_file())
        )


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
    lang_tags: Mapping[str, str] | Sequence[str] | None = None,
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
    corpus = read_corpus([path], lang=lang, site_url=site_url, jobs=jobs, lang_tags=lang_tags)
    return graph_of(corpus, site_url)


def _as_list(sources: Sequence[str | os.PathLike] | str | os.PathLike) -> list[Any]:
    return [sources] if isinstance(sources, (str, os.PathLike)) else list(sources)
