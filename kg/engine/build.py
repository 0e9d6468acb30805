"""The whole job in one call: source folders → parsed articles → graph → exports.

:func:`build` is what ``kg build`` runs; :func:`load` is the notebook's way in: it
parses a source folder, or reads a finished build, and returns the graph.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import networkx as nx

from kg.articles import PARSER_VERSION
from kg.engine.cache import load_dict, remove_others, save_dict
from kg.engine.parse import Corpus, parse_corpus, read_corpus, scan_corpus
from kg.engine.exports import FILES, FORMATS, read_build, write_atomic, write_exports
from kg.engine.parallel import one_process
from kg.graph import build_graph
from kg.engine.memory import release_free_memory
from kg.report import make_report
from kg.engine.version import code_digest

CACHE_FOLDER = ".cache"


class BuildResult:
    """What :func:`build` did: the graph, the report's data, where it wrote, time per stage.

    ``seconds`` is the build's wall time; ``timings`` the seconds of each stage, of which
    the exports' overlap (they run in several processes at once).
    ``corpus`` keeps the reading counts (``files``, ``parsed``, ``cached``) and problems;
    its articles are dropped once the graph is built, to bound memory. After a build that
    found nothing changed, ``graph`` and ``report`` are read from the build folder when
    first asked for (the command line only needs the report, a small file).
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
            self._graph = read_build(self.out)
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
        See :func:`kg.engine.exports.write_exports` and :func:`kg.engine.parse.read_corpus`.
    jobs : int, optional
        Parsing processes (default: the number of cores); ``1`` does everything in this one
        process (no fork, no helper): slower, and the build that needs least memory. The
        output does not depend on it.
    cache : bool
        Reuse parsed articles from ``out/.cache`` (False: a cold build).
    formats : iterable of str, optional
        Exports to write (:data:`kg.engine.exports.FORMATS`); default all.

    Examples
    --------
    >>> result = build("articles", "exports")  # doctest: +SKIP
    >>> sorted(result.graph.successors("backoffice"))[:2]  # doctest: +SKIP
    ['client-facing', 'cpa']
    """
    started = time.perf_counter()
    with _no_gc(), one_process(jobs == 1):
        result = _build(sources, out, lang, base_iri, site_url, jobs, cache, formats, progress)
    result.seconds = round(time.perf_counter() - started, 4)
    return result


def _build(
    sources: Sequence[str | os.PathLike] | str | os.PathLike,
    out: str | os.PathLike,
    lang: Sequence[str] | str | None,
    base_iri: str | None,
    site_url: str | None,
    jobs: int | None,
    cache: bool,
    formats: Iterable[str] | None,
    progress: Callable[[int, int], None] | None,
) -> BuildResult:
    sources = [sources] if isinstance(sources, (str, os.PathLike)) else list(sources)
    folder = Path(out)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    cache_dir = folder / CACHE_FOLDER if cache else None
    corpus = scan_corpus(sources, lang=lang, site_url=site_url, cache_dir=cache_dir)
    chosen = sorted(FORMATS if formats is None else set(formats))
    stamp = _fingerprint(corpus, chosen, lang, base_iri, site_url)
    if cache and _unchanged(folder, stamp, chosen):
        timings["read"] = timings["unchanged"] = round(time.perf_counter() - start, 4)
        corpus.cached, corpus.pending = len(corpus.pending), []
        report = None if "report" in chosen else make_report(read_build(folder))
        return BuildResult(None, report, folder, timings, corpus)
    parse_corpus(corpus, jobs=jobs, cache_dir=cache_dir, progress=progress, background=True)
    release_free_memory()  # the pickled chunks, unpickled: gigabytes on the whole wiki
    timings["read"] = round(time.perf_counter() - start, 4)
    start = time.perf_counter()
    mention_cache = load_dict(folder / CACHE_FOLDER / MENTIONS) if cache else None
    G = graph_of(corpus, site_url=site_url, mention_cache=mention_cache)
    if mention_cache is not None:
        save_dict(folder / CACHE_FOLDER / MENTIONS, mention_cache)
        remove_others(folder / CACHE_FOLDER, "mentions-v*.pickle", [MENTIONS])
        del mention_cache  # a set of names per article: not kept through the exports
    corpus.articles = []  # the graph keeps what analysts use; let the bodies go
    corpus.cache_written()
    release_free_memory()  # the prose: about half the process on the whole wiki
    timings["graph"] = round(time.perf_counter() - start, 4)
    (folder / CACHE_FOLDER / STAMP).unlink(missing_ok=True)
    written = write_exports(
        G,
        folder,
        formats=formats,
        base_iri=base_iri,
        parallel=jobs != 1,
        pieces=folder / CACHE_FOLDER / PIECES if cache else None,
        inputs=corpus.inputs,
    )
    for name, seconds in written.items():
        timings[f"export:{name}"] = seconds
    if cache:
        write_atomic(folder / CACHE_FOLDER / STAMP, json.dumps(stamp, indent=1) + "\n")
    report = None if "report" in chosen else make_report(G)  # else read from report.json
    return BuildResult(G, report, folder, timings, corpus)


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cycle collector for a build: it makes millions of acyclic objects, and
    each full collection walks all of them to find nothing (a fifth of the graph stage,
    and more than half of the report's time, went to that)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _fingerprint(
    corpus: Corpus, formats: list[str], lang: Any, base_iri: str | None, site_url: str | None
) -> dict[str, Any]:
    """What a build's output depends on: the files read, the problems met, the options."""
    digest = hashlib.blake2b(digest_size=20)
    for key in corpus.keys:
        digest.update(key.encode())
    for problem in sorted((*corpus.errors, *corpus.warnings), key=lambda p: (p.path, p.line)):
        digest.update(f"{problem.path}\0{problem.line}\0{problem.message}\n".encode())
    return {
        "inputs": digest.hexdigest(),
        "formats": formats,
        "lang": lang if isinstance(lang, (str, type(None))) else sorted(lang),
        "base_iri": base_iri,
        "site_url": site_url,
        "skipped_languages": corpus.skipped_languages,
        "kg": code_digest(),
        "parser": PARSER_VERSION,
    }


def _unchanged(folder: Path, stamp: dict[str, Any], formats: list[str]) -> bool:
    """True when the last build in ``folder`` had the same inputs and all its files are there."""
    try:
        previous = json.loads((folder / CACHE_FOLDER / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if previous != stamp:
        return False
    files = [n for f in formats for n in _OUTPUTS.get(f, ())]
    return all((folder / name).exists() for name in ["graph.json", *files])


MENTIONS = f"mentions-v{PARSER_VERSION}.2.pickle"
"""In ``OUT/.cache``: what the unlinked-mention scan found per article text and language
(``.2``: sorted tuples of concepts, which replaced frozensets)."""

PIECES = "pieces.pickle"
"""In ``OUT/.cache``: each node's signature and where its pieces stand in the exports."""

STAMP = "build.json"
"""In ``OUT/.cache``: the fingerprint of the build that wrote the folder."""

_OUTPUTS = {
    **{fmt: (name,) for fmt, name in FILES.items()},
    "csv": ("nodes.csv", "edges.csv"),
    "report": ("report.json", "report.md"),
    "store": ("store",),
}


def graph_of(
    corpus: Corpus, site_url: str | None = None, mention_cache: dict[str, Any] | None = None
) -> nx.DiGraph:
    """The graph of a read corpus, with its reading problems kept in ``G.graph``; the
    articles' texts are let go as they are scanned (the graph does not keep them)."""
    G = build_graph(
        corpus.articles,
        errors=corpus.errors,
        warnings=corpus.warnings,
        site_url=site_url,
        mention_cache=mention_cache,
        release_texts=True,
    )
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
    >>> G = load("articles")          # doctest: +SKIP
    >>> G.nodes["backoffice"]["labels"]  # doctest: +SKIP
    {'sv': 'back office'}
    """
    if (Path(path) / "graph.json").is_file():
        return read_build(path)
    return graph_of(read_corpus([path], lang=lang, site_url=site_url, jobs=jobs), site_url)
