"""Read the articles of a build: find and hash the files (:func:`scan`), then parse those
the cache does not hold, in worker processes (:func:`parse`).

Files are read once to be hashed; a file whose size, times and inode are those the last
scan recorded is not read again (its recorded hash is used, as git's index does). Parsed
articles are kept in the cache by content hash, so a rebuild parses the edited files
only. :func:`read_corpus` is the one-call form, without a cache.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat as stat_mode
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from kg.articles import parse_bytes
from kg.engine.cache import BuildCache
from kg.engine.discover import SourceFile, discover
from kg.engine.parallel import Workers
from kg.limits import MAX_FILE_SIZE
from kg.records import Article, Corpus, Problem

RACY_NS = 2_000_000_000
"""A file changed this recently (ns, by its mtime or ctime) before a scan is not trusted by
its stat next time: a write in the same clock tick as the scan's read would leave its
times unchanged."""

PARALLEL_HASH = 4000
"""Files from which half of them are read and hashed by a forked child."""

PARALLEL_MIN = 400
"""Files to parse from which a pool of workers parses them (below, a pool costs more)."""

_Stat = tuple[tuple[int, int, int, int], bytes]
"""A file's ``(size, mtime_ns, ctime_ns, inode)`` and the hash of its bytes."""


@dataclass
class Scan:
    """The files of a build, found and hashed, not parsed yet.

    ``corpus`` holds the reading problems and counts so far; ``pending`` each file with
    its cache key (:func:`file_key`); ``keys`` the sorted keys, which with the problems
    say what the build's output depends on.
    """

    corpus: Corpus
    pending: list[tuple[str, SourceFile]] = field(default_factory=list)
    site_url: str | None = None
    max_file_size: int = MAX_FILE_SIZE

    @property
    def keys(self) -> list[str]:
        return sorted(key for key, _ in self.pending)


@dataclass
class Parsed:
    """What :func:`parse` gave: the corpus, what each concept was read from (slug → its
    files' keys, one a line, for the exports' signatures), and the function that waits
    until the parse cache is written."""

    corpus: Corpus
    inputs: dict[str, str]
    cache_written: Callable[[], Any] = lambda: None


def read_corpus(
    sources: Sequence[str | os.PathLike] | str | os.PathLike = ("articles",),
    *,
    lang: Sequence[str] | str | None = None,
    site_url: str | None = None,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    lang_tags: Mapping[str, str] | Sequence[str] | None = None,
    follow_links: bool = False,
    max_file_size: int = MAX_FILE_SIZE,
) -> Corpus:
    """Read and parse every article of the sources.

    Parameters
    ----------
    sources : path or sequence of paths
        Source folders (flat or one folder per language) or single files.
    lang : str or list of str, optional
        The language of a flat folder; for language folders, the languages to keep.
    site_url : str, optional
        Links under this base URL are internal.
    jobs : int, optional
        Processes that parse; default the number of cores. The result does not depend on it.
    progress : callable, optional
        Called as ``progress(done, total)`` while parsing.
    lang_tags : mapping or list of ``NAME=TAG``, optional
        Language folders retagged (:func:`kg.languages.language_code`).
    follow_links : bool
        Follow links that lead out of the source folders (by default they are reported).
    max_file_size : int
        Bytes of the largest file read (:data:`kg.limits.MAX_FILE_SIZE`).

    Examples
    --------
    >>> corpus = read_corpus("articles")
    >>> [a.slug for a in corpus.articles], corpus.errors
    (['backoffice'], [])
    """
    workers = Workers(jobs)
    found = scan(
        _as_list(sources),
        lang=lang,
        site_url=site_url,
        workers=workers,
        lang_tags=lang_tags,
        follow_links=follow_links,
        max_file_size=max_file_size,
    )
    return parse(found, workers=workers, progress=progress).corpus


def scan(
    sources: Sequence[str | os.PathLike],
    *,
    lang: Sequence[str] | str | None = None,
    site_url: str | None = None,
    cache: BuildCache | None = None,
    workers: Workers | None = None,
    lang_tags: Mapping[str, str] | Sequence[str] | None = None,
    follow_links: bool = False,
    max_file_size: int = MAX_FILE_SIZE,
    exclude: Sequence[str | os.PathLike] = (),
) -> Scan:
    """Find the articles of the sources and hash their bytes, without parsing them.

    With ``cache``, a file whose size, times and inode are those recorded there is not
    read again: its recorded hash is used. A file changed less than :data:`RACY_NS`
    before the scan is always read. Only regular files of at most ``max_file_size``
    bytes are read; the others are errors. ``follow_links`` and ``exclude`` are
    :func:`~kg.engine.discover.discover`'s.
    """
    started = time.time_ns()
    workers = workers or Workers()
    files, problems, skipped = discover(
        sources, lang, lang_tags, follow_links=follow_links, exclude=exclude
    )
    found = Scan(
        Corpus(files=len(files), skipped_languages=skipped),
        site_url=site_url,
        max_file_size=max_file_size,
    )
    found.corpus.warnings.extend(problems)
    if not files:  # nothing to build is a failed input, not an empty success
        where = ", ".join(str(s) for s in sources)
        listed = ", ".join(f"{k} {v}" for k, v in sorted(skipped.items()))
        reason = (
            f"no article in the chosen languages (found: {listed})"
            if skipped
            else "no markdown articles (*.md) here"
        )
        found.corpus.errors.append(Problem(where, 0, reason))
    known = cache.stats() if cache is not None else {}
    stats: dict[str, _Stat] = {}
    parts = workers.in_halves(
        _hash_files,
        files,
        known,
        max_file_size,
        minimum=PARALLEL_HASH,
        what="reading of the files",
    )
    hashed = [result for part in parts for result in part]
    for source, result in zip(files, hashed, strict=True):
        if isinstance(result, Problem):
            found.corpus.errors.append(result)
            continue
        stat, digest = result
        found.pending.append((file_key(digest, source, site_url), source))
        if max(stat[1], stat[2]) < started - RACY_NS:  # mtime and ctime: cp -p keeps the mtime
            stats[source.path] = result
    if cache is not None and stats != known:
        cache.save_stats(stats)
    return found


def parse(
    found: Scan,
    *,
    cache: BuildCache | None = None,
    workers: Workers | None = None,
    progress: Callable[[int, int], None] | None = None,
    background: bool = False,
) -> Parsed:
    """Parse the files :func:`scan` found (those in the cache are taken from it).

    A cold cache (none yet) is written while the files are parsed, from the bytes the
    parse workers send. When a rebuild's changes make the whole cache worth writing again,
    ``background`` has a forked child do it while the caller goes on; the caller then
    calls the result's ``cache_written()`` before it is done.
    """
    workers = workers or Workers()
    corpus = found.corpus
    base, added = cache.articles() if cache is not None else ({}, {})
    todo: list[tuple[str, SourceFile]] = []
    done: dict[str, Article] = {}
    for key, source in found.pending:
        hit = base.get(key) or added.get(key)
        if hit is not None:
            done[key] = hit
        else:  # the bytes are read again where they are parsed: the whole wiki's would not fit
            todo.append((key, source))
    found.pending = []
    corpus.cached = len(done)
    corpus.parsed = len(todo)
    cold = cache is not None and not base and not added
    cache_written: Callable[[], Any] = _nothing
    with ExitStack() as stack:
        # a cold build's cache is written as the results come, from the workers' own bytes
        stream = stack.enter_context(cache.parse_stream()) if cold and cache else None
        parsing = _parse_all(todo, (found.site_url, found.max_file_size), workers, progress)
        for pairs, frame in parsing:
            if stream is not None:
                stream.write(frame if frame is not None else pickle.dumps(pairs, protocol=5))
            for key, result in pairs:
                if isinstance(result, Problem):
                    corpus.errors.append(result)
                else:
                    done[key] = result
    if cache is not None and not cold and (todo or len(done) != len(base) + len(added)):
        if background and len(todo) >= PARALLEL_MIN and workers.can_fork():
            cache_written = workers.fork(cache.save_articles, done, base, what="parse cache")
        else:
            cache.save_articles(done, base)
    corpus.articles = _unique(done.values(), corpus.errors)
    return Parsed(corpus, _inputs(corpus.articles, done), cache_written)


def file_key(content: bytes, source: SourceFile, site_url: str | None) -> str:
    """The cache key of a file: the hash of its bytes, its path, slug, language and the
    site URL (each changes what its parse gives)."""
    digest = hashlib.blake2b(content, digest_size=16)
    digest.update(f"\0{source.rel}\0{source.slug}\0{source.lang}\0{site_url or ''}".encode())
    return digest.hexdigest()


# --- helpers -----------------------------------------------------------------------------


def _as_list(sources: Sequence[str | os.PathLike] | str | os.PathLike) -> list[Any]:
    return [sources] if isinstance(sources, (str, os.PathLike)) else list(sources)


def _nothing() -> None:
    return None


def _hash_files(
    files: list[SourceFile], known: dict[str, _Stat], limit: int
) -> list[_Stat | Problem]:
    """Each file's stat and content hash (taken from ``known`` when the stat is the same),
    or the problem that kept it from being read."""
    found: list[_Stat | Problem] = []
    for source in files:
        try:
            st = os.stat(source.path)
            _check_file(st, limit)
            stat = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
            old = known.get(source.path)
            if old.__class__ is tuple and len(old) == 2 and old[0] == stat:
                found.append(old)
                continue
            raw = read_file(source.path, limit)
        except OSError as exc:
            found.append(Problem(source.rel, 0, f"cannot read: {exc.strerror or exc}"))
            continue
        except Unreadable as exc:
            found.append(Problem(source.rel, 0, str(exc)))
            continue
        found.append((stat, hashlib.blake2b(raw, digest_size=16).digest()))
    return found


class Unreadable(Exception):
    """A file kg does not read: not a regular file, or too big."""


def read_file(path: str, limit: int = MAX_FILE_SIZE) -> bytes:
    """The bytes of the regular file ``path``, of at most ``limit`` bytes.

    Opened without waiting (a FIFO would block an ordinary open) and checked once open,
    so that what was checked is what is read; never more than ``limit`` bytes are read
    (a device such as ``/dev/zero`` has no end).

    Raises
    ------
    Unreadable
        For a FIFO, a device or a socket, or a file of more than ``limit`` bytes.
    OSError
        When the file cannot be opened or read.

    Examples
    --------
    >>> read_file("/dev/zero")
    Traceback (most recent call last):
    ...
    kg.engine.parse.Unreadable: not a regular file (a character device); not read
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    with open(fd, "rb", buffering=0) as handle:
        st = os.fstat(fd)
        _check_file(st, limit)
        # its size and one byte more (a file that grew since is read on, to the limit); a
        # read of limit + 1 bytes at once would allocate the whole limit for every file
        data = handle.read(st.st_size + 1)
        if len(data) > st.st_size:
            data += handle.read(limit + 1 - len(data))
    if len(data) > limit:
        raise Unreadable(_too_big(len(data), limit))
    return data


_KINDS = (
    (stat_mode.S_ISFIFO, "a FIFO"),
    (stat_mode.S_ISCHR, "a character device"),
    (stat_mode.S_ISBLK, "a block device"),
    (stat_mode.S_ISSOCK, "a socket"),
    (stat_mode.S_ISDIR, "a folder"),
)


def _check_file(st: os.stat_result, limit: int) -> None:
    """Raise :class:`Unreadable` unless ``st`` is a regular file of at most ``limit`` bytes."""
    if not stat_mode.S_ISREG(st.st_mode):
        kind = next((name for test, name in _KINDS if test(st.st_mode)), "a special file")
        raise Unreadable(f"not a regular file ({kind}); not read")
    if st.st_size > limit:
        raise Unreadable(_too_big(st.st_size, limit))


def _too_big(size: int, limit: int) -> str:
    return (
        f"a file of {size / 2**20:,.1f} MB, over the {limit / 2**20:,.4g} MB limit "
        "(max_file_size); not read"
    )


def _inputs(articles: list[Article], done: dict[str, Article]) -> dict[str, str]:
    """Slug → the cache keys of its articles (one line each, in language order)."""
    key_of = {id(article): key for key, article in done.items()}
    found: dict[str, list[str]] = {}
    for article in sorted(articles, key=lambda a: (a.slug, a.lang)):
        found.setdefault(article.slug, []).append(key_of[id(article)])
    return {slug: "\n".join(keys) for slug, keys in found.items()}


def _parse_one(
    item: tuple[str, SourceFile], options: tuple[str | None, int]
) -> tuple[str, Article | Problem]:
    key, source = item
    site_url, limit = options
    try:
        raw = read_file(source.path, limit)
        return key, parse_bytes(raw, source.rel, source.slug, source.lang, site_url)
    except OSError as exc:
        return key, Problem(source.rel, 0, f"cannot read: {exc.strerror or exc}")
    except (ValueError, Unreadable) as exc:
        return key, Problem(source.rel, 0, str(exc))
    except RecursionError:
        return key, Problem(source.rel, 0, "too deeply nested to parse")


def _parse_chunk(items: list[tuple[str, SourceFile]], options: tuple[str | None, int]) -> bytes:
    """A chunk's ``(key, Article or Problem)`` pairs, pickled here: the parent keeps these
    very bytes as a frame of the parse cache, and reads them back."""
    return pickle.dumps([_parse_one(item, options) for item in items], protocol=5)


_Chunk = tuple[list[tuple[str, Article | Problem]], bytes | None]
"""A chunk of results, with its pickled bytes when a worker sent them."""


def _parse_all(
    todo: list[tuple[str, SourceFile]],
    options: tuple[str | None, int],
    workers: Workers,
    progress: Callable[[int, int], None] | None,
) -> Iterator[_Chunk]:
    total = len(todo)
    if workers.jobs == 1 or total < PARALLEL_MIN:
        for start in range(0, total, 200):
            yield [_parse_one(item, options) for item in todo[start : start + 200]], None
            if progress:
                progress(min(start + 200, total), total)
        return
    size = max(50, min(1000, total // (workers.jobs * 8) or 1))
    chunks = [todo[i : i + size] for i in range(0, total, size)]
    finished = 0
    for frame in workers.map(_parse_chunk, chunks, options):
        pairs = pickle.loads(frame)
        yield pairs, frame
        finished += len(pairs)
        if progress:
            progress(finished, total)


def _unique(articles: Iterable[Article], errors: list[Problem]) -> list[Article]:
    """Sort by (language, slug, path); a second file with the same slug and language is an error."""
    out: list[Article] = []
    seen: dict[tuple[str, str], str] = {}
    for article in sorted(articles, key=lambda a: (a.lang, a.slug, a.path)):
        first = seen.get((article.lang, article.slug))
        if first is not None:
            errors.append(
                Problem(
                    article.path,
                    0,
                    f"duplicate slug '{article.slug}' in language {article.lang}: "
                    f"{first} is used, this file is left out",
                )
            )
            continue
        seen[(article.lang, article.slug)] = article.path
        out.append(article)
    return out
