"""Folders → languages → files → :class:`~kg.articles.Article` records.

A source folder is either flat (``*.md``, language from ``lang``) or holds one folder
per language, named by its code (``sv/``, ``pt-BR/``) or by its English name as in
investors.wiki (``Swedish/``). Files are read once; their parse is cached by content
hash in the build folder, and parsing runs in a process pool.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from kg.articles import PARSER_VERSION, Article, Problem, parse_bytes
from kg.atomic import atomic_file
from kg.engine.cache import load_dict, remove_others, save_dict
from kg.engine.parallel import can_fork, fork, in_halves

DEFAULT_LANG = "en"
LANGUAGE_NAMES = {
    "arabic": "ar",
    "bengali": "bn",
    "bulgarian": "bg",
    "catalan": "ca",
    "chinese": "zh",
    "croatian": "hr",
    "czech": "cs",
    "danish": "da",
    "dutch": "nl",
    "english": "en",
    "estonian": "et",
    "filipino": "tl",
    "finnish": "fi",
    "french": "fr",
    "german": "de",
    "greek": "el",
    "hebrew": "he",
    "hindi": "hi",
    "hungarian": "hu",
    "icelandic": "is",
    "indonesian": "id",
    "italian": "it",
    "japanese": "ja",
    "korean": "ko",
    "latvian": "lv",
    "lithuanian": "lt",
    "malay": "ms",
    "norwegian": "no",
    "persian": "fa",
    "polish": "pl",
    "portuguese": "pt",
    "romanian": "ro",
    "russian": "ru",
    "serbian": "sr",
    "slovak": "sk",
    "slovenian": "sl",
    "spanish": "es",
    "swedish": "sv",
    "thai": "th",
    "turkish": "tr",
    "ukrainian": "uk",
    "urdu": "ur",
    "vietnamese": "vi",
}
_ISO_639_1 = set(
    [
        "aa",
        "ab",
        "ae",
        "af",
        "ak",
        "am",
        "an",
        "ar",
        "as",
        "av",
        "ay",
        "az",
        "ba",
        "be",
        "bg",
        "bh",
        "bi",
        "bm",
        "bn",
        "bo",
        "br",
        "bs",
        "ca",
        "ce",
        "ch",
        "co",
        "cr",
        "cs",
        "cu",
        "cv",
        "cy",
        "da",
        "de",
        "dv",
        "dz",
        "ee",
        "el",
        "en",
        "eo",
        "es",
        "et",
        "eu",
        "fa",
        "ff",
        "fi",
        "fj",
        "fo",
        "fr",
        "fy",
        "ga",
        "gd",
        "gl",
        "gn",
        "gu",
        "gv",
        "ha",
        "he",
        "hi",
        "ho",
        "hr",
        "ht",
        "hu",
        "hy",
        "hz",
        "ia",
        "id",
        "ie",
        "ig",
        "ii",
        "ik",
        "io",
        "is",
        "it",
        "iu",
        "ja",
        "jv",
        "ka",
        "kg",
        "ki",
        "kj",
        "kk",
        "kl",
        "km",
        "kn",
        "ko",
        "kr",
        "ks",
        "ku",
        "kv",
        "kw",
        "ky",
        "la",
        "lb",
        "lg",
        "li",
        "ln",
        "lo",
        "lt",
        "lu",
        "lv",
        "mg",
        "mh",
        "mi",
        "mk",
        "ml",
        "mn",
        "mr",
        "ms",
        "mt",
        "my",
        "na",
        "nb",
        "nd",
        "ne",
        "ng",
        "nl",
        "nn",
        "no",
        "nr",
        "nv",
        "ny",
        "oc",
        "oj",
        "om",
        "or",
        "os",
        "pa",
        "pi",
        "pl",
        "ps",
        "pt",
        "qu",
        "rm",
        "rn",
        "ro",
        "ru",
        "rw",
        "sa",
        "sc",
        "sd",
        "se",
        "sg",
        "si",
        "sk",
        "sl",
        "sm",
        "sn",
        "so",
        "sq",
        "sr",
        "ss",
        "st",
        "su",
        "sv",
        "sw",
        "ta",
        "te",
        "tg",
        "th",
        "ti",
        "tk",
        "tl",
        "tn",
        "to",
        "tr",
        "ts",
        "tt",
        "tw",
        "ty",
        "ug",
        "uk",
        "ur",
        "uz",
        "ve",
        "vi",
        "vo",
        "wa",
        "wo",
        "xh",
        "yi",
        "yo",
        "za",
        "zh",
        "zu",
    ]
)
_CODE = re.compile(r"^([A-Za-z]{2})(?:[-_]([A-Za-z]{2}|[A-Za-z]{4}|\d{3}))?$")
CACHE_NAME = f"parse-v{PARSER_VERSION}.pickle"
DELTA_NAME = f"parse-v{PARSER_VERSION}.delta.pickle"
_PARALLEL_MIN = 400  # below this many files to parse, a pool costs more than it saves


@dataclass(slots=True)
class SourceFile:
    """One markdown file to read: where it is, how reports name it, its slug and language."""

    path: str
    rel: str
    slug: str
    lang: str


@dataclass
class Corpus:
    """What reading a set of source folders gave: articles plus every problem met.

    ``errors`` name files that are not in the graph (binary, unreadable, duplicate);
    ``warnings`` name files read with a repair (bad YAML, not UTF-8, a folder named ``x.md``).
    """

    articles: list[Article] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    files: int = 0
    parsed: int = 0
    cached: int = 0
    skipped_languages: dict[str, int] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)
    """Content hashes of the files read (with their path, slug and language), sorted."""
    site_url: str | None = None
    inputs: dict[str, str] = field(default_factory=dict)
    """Slug → the keys of the files its articles were parsed from (for the exports' reuse)."""
    pending: list[tuple[str, SourceFile]] = field(default_factory=list)
    """Files found and hashed by :func:`scan_corpus`, not yet parsed."""
    cache_written: Callable[[], Any] = field(default=lambda: None, repr=False)
    """Waits until the parse cache is on disk (see :func:`parse_corpus`'s ``background``)."""


def language_code(folder_name: str) -> str | None:
    """The language a folder stands for, or None.

    Examples
    --------
    >>> language_code("Swedish"), language_code("sv"), language_code("pt_BR"), language_code("img")
    ('sv', 'sv', 'pt-BR', None)
    """
    named = LANGUAGE_NAMES.get(folder_name.casefold())
    if named:
        return named
    match = _CODE.match(folder_name)
    if not match or match.group(1).lower() not in _ISO_639_1:
        return None
    base, region = match.group(1).lower(), match.group(2)
    if not region:
        return base
    return f"{base}-{region.upper() if len(region) == 2 else region.title()}"


def discover(
    sources: Sequence[str | os.PathLike], lang: Sequence[str] | str | None = None
) -> tuple[list[SourceFile], list[Problem], dict[str, int]]:
    """List the markdown files of the sources with slug and language.

    Returns ``(files, problems, skipped)``: problems for missing sources and folders named
    like articles; ``skipped`` counts files left out by the language filter, per language.
    A missing source raises :class:`~kg.errors.KgError`.
    """
    from kg.errors import KgError

    langs = [lang] if isinstance(lang, str) else list(lang or [])
    langs = [code for item in langs for code in item.split(",") if code]
    flat_lang = langs[0] if langs else DEFAULT_LANG
    files: list[SourceFile] = []
    problems: list[Problem] = []
    skipped: dict[str, int] = {}
    for source in sources:
        root = os.fspath(source)
        if os.path.isfile(root):
            name = os.path.basename(root)
            files.append(SourceFile(root, name, _slug(name), flat_lang))
            continue
        if not os.path.isdir(root):
            raise KgError(f"{source}: no such folder (give a folder of markdown articles)")
        for folder, code in _language_folders(root, flat_lang):
            listed = _markdown_files(folder, root, problems, top_only=folder == root)
            if folder != root and langs and code not in langs:
                skipped[code] = skipped.get(code, 0) + sum(1 for _ in listed)
                continue
            files.extend(SourceFile(path, rel, _slug(rel), code) for path, rel in listed)
    return files, problems, skipped


def read_corpus(
    sources: Sequence[str | os.PathLike] = ("articles",),
    *,
    lang: Sequence[str] | str | None = None,
    site_url: str | None = None,
    jobs: int | None = None,
    cache_dir: str | os.PathLike | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Corpus:
    """Read and parse every article of the sources: :func:`scan_corpus`, then
    :func:`parse_corpus`.

    Parameters
    ----------
    sources : sequence of paths
        Source folders (flat or one folder per language) or single files.
    lang : str or list of str, optional
        The language of a flat folder; for language folders, the languages to keep.
    site_url : str, optional
        Links under this base URL are internal.
    jobs : int, optional
        Processes that parse; default the number of cores. The result does not depend on it.
    cache_dir : path, optional
        Where to keep parsed articles by content hash, for incremental rebuilds.
    progress : callable, optional
        Called as ``progress(done, total)`` while parsing.

    Examples
    --------
    >>> corpus = read_corpus(["articles"])  # doctest: +SKIP
    >>> [a.slug for a in corpus.articles]   # doctest: +SKIP
    ['backoffice']
    """
    corpus = scan_corpus(sources, lang=lang, site_url=site_url)
    return parse_corpus(corpus, jobs=jobs, cache_dir=cache_dir, progress=progress)


def scan_corpus(
    sources: Sequence[str | os.PathLike] = ("articles",),
    *,
    lang: Sequence[str] | str | None = None,
    site_url: str | None = None,
    cache_dir: str | os.PathLike | None = None,
) -> Corpus:
    """Find the articles of the sources and hash their bytes, without parsing them.

    The result's ``keys`` say what the build's output depends on (with its problems), so
    a build can tell that nothing changed before it parses or loads anything;
    :func:`parse_corpus` then gives the articles.

    With ``cache_dir``, a file whose size, times and inode are those recorded there
    (:data:`STATS_NAME`) is not read again: its recorded hash is used, as git's index does.
    A file changed less than :data:`RACY_NS` before the scan is always read.
    """
    started = time.time_ns()
    files, problems, skipped = discover(sources, lang)
    corpus = Corpus(files=len(files), skipped_languages=skipped, site_url=site_url)
    corpus.warnings.extend(problems)
    if not files:  # nothing to build is a failed input, not an empty success
        where = ", ".join(str(s) for s in sources)
        found = ", ".join(f"{k} {v}" for k, v in sorted(skipped.items()))
        reason = (
            f"no article in the chosen languages (found: {found})"
            if skipped
            else "no markdown articles (*.md) here"
        )
        corpus.errors.append(Problem(where, 0, reason))
    known = load_dict(Path(cache_dir) / STATS_NAME) if cache_dir is not None else {}
    stats: dict[str, _Stat] = {}
    for source, found in zip(files, _hash_files(files, known), strict=True):
        if isinstance(found, Problem):
            corpus.errors.append(found)
            continue
        stat, digest = found
        corpus.pending.append((_key(digest, source, site_url), source))
        if max(stat[1], stat[2]) < started - RACY_NS:  # mtime and ctime: cp -p keeps the mtime
            stats[source.path] = found
    corpus.keys = sorted(key for key, _ in corpus.pending)
    if cache_dir is not None and stats != known:
        save_dict(Path(cache_dir) / STATS_NAME, stats)
    return corpus


STATS_NAME = "files-v1.pickle"
"""In the cache folder: each file's ``(size, mtime, ctime, inode)`` and content hash."""

RACY_NS = 2_000_000_000
"""A file changed this recently (ns, by its mtime or ctime) before a scan is not trusted by
its stat next time: a write in the same clock tick as the scan's read would leave its
times unchanged."""

_Stat = tuple[tuple[int, int, int, int], bytes]
"""A file's ``(size, mtime_ns, ctime_ns, inode)`` and the hash of its bytes."""

_PARALLEL_HASH = 4000  # files from which half of them are read and hashed by a forked child


def _hash_files(files: list[SourceFile], known: dict[str, _Stat]) -> list[_Stat | Problem]:
    """Each file's stat and content hash (taken from ``known`` when the stat is the same),
    or the problem that kept it from being read; half of the files in a forked child when
    there are many (a no-op rebuild is mostly this)."""
    parts = in_halves(_hash_here, files, known, minimum=_PARALLEL_HASH, what="reading of the files")
    return [found for part in parts for found in part]


def _hash_here(files: list[SourceFile], known: dict[str, _Stat]) -> list[_Stat | Problem]:
    found: list[_Stat | Problem] = []
    for source in files:
        try:
            st = os.stat(source.path)
            stat = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
            old = known.get(source.path)
            if old.__class__ is tuple and len(old) == 2 and old[0] == stat:
                found.append(old)
                continue
            with open(source.path, "rb") as handle:
                raw = handle.read()
        except OSError as exc:
            found.append(Problem(source.rel, 0, f"cannot read: {exc.strerror or exc}"))
            continue
        found.append((stat, hashlib.blake2b(raw, digest_size=16).digest()))
    return found


def parse_corpus(
    corpus: Corpus,
    *,
    jobs: int | None = None,
    cache_dir: str | os.PathLike | None = None,
    progress: Callable[[int, int], None] | None = None,
    background: bool = False,
) -> Corpus:
    """Parse the files :func:`scan_corpus` found (those in the cache are taken from it);
    return ``corpus`` with its articles, counts and parse problems.

    A cold cache (none yet) is written while the files are parsed, from the bytes the
    parse workers send. When a rebuild's changes make the whole cache worth writing again,
    ``background`` has a forked child do it while the caller goes on; the caller then
    calls ``corpus.cache_written()`` before it is done.
    """
    base, added = _load_cache(cache_dir)
    todo: list[tuple[str, SourceFile]] = []
    done: dict[str, Article] = {}
    for key, source in corpus.pending:
        hit = base.get(key) or added.get(key)
        if hit is not None:
            done[key] = hit
        else:  # the bytes are read again where they are parsed: the whole wiki's would not fit
            todo.append((key, source))
    corpus.pending = []
    corpus.cached = len(done)
    corpus.parsed = len(todo)
    cold = cache_dir is not None and not base and not added
    with ExitStack() as stack:
        # a cold build's cache is written as the results come, from the workers' own bytes
        stream = stack.enter_context(atomic_file(Path(cache_dir) / CACHE_NAME)) if cold else None
        for pairs, frame in _parse_all(todo, corpus.site_url, jobs, progress):
            if stream is not None:
                stream.write(frame if frame is not None else pickle.dumps(pairs, protocol=5))
            for key, result in pairs:
                if isinstance(result, Problem):
                    corpus.errors.append(result)
                else:
                    done[key] = result
    if cold:  # other parser versions' caches, and the delta of an older whole file
        remove_others(Path(cache_dir), "parse-v*.pickle", [CACHE_NAME])
    elif cache_dir is not None and (todo or len(done) != len(base) + len(added)):
        if background and len(todo) >= _PARALLEL_MIN and can_fork():
            corpus.cache_written = fork(_save_cache, cache_dir, done, base, what="parse cache")
        else:
            _save_cache(cache_dir, done, base)
    corpus.articles = _unique(done.values(), corpus.errors)
    corpus.inputs = _inputs(corpus.articles, done)
    return corpus


def _inputs(articles: list[Article], done: dict[str, Article]) -> dict[str, str]:
    """Slug → the cache keys of its articles (one line each, in language order)."""
    key_of = {id(article): key for key, article in done.items()}
    found: dict[str, list[str]] = {}
    for article in sorted(articles, key=lambda a: (a.slug, a.lang)):
        found.setdefault(article.slug, []).append(key_of[id(article)])
    return {slug: "\n".join(keys) for slug, keys in found.items()}


# --- discovery ---------------------------------------------------------------------------


def _slug(rel: str) -> str:
    name = rel.rpartition("/")[2]
    return name[:-3] if name.lower().endswith(".md") else os.path.splitext(name)[0]


def _language_folders(root: str, flat_lang: str) -> list[tuple[str, str]]:
    """``(folder, language)``: the root (its own files, in ``flat_lang``), then language folders."""
    found = [(root, flat_lang)]
    for name in sorted(os.listdir(root)):
        child = os.path.join(root, name)
        code = language_code(name) if os.path.isdir(child) else None
        if code:
            found.append((child, code))
    return found


def _markdown_files(
    folder: str, root: str, problems: list[Problem], top_only: bool = False
) -> Iterable[tuple[str, str]]:
    """``(path, path relative to root)`` of the markdown files (``*.md``, any case) below
    ``folder``, sorted; the relative path with ``/`` whatever the system.

    Hidden files (``.x.md``), folders named like articles (``x.md/``) and folder links that
    loop back are reported in ``problems``; hidden folders (``.git``) are not searched.
    With ``top_only`` (the root of a language-folder layout) language folders are left to
    their own call; other sub-folders are searched. Plain strings, not ``pathlib``: on the
    whole wiki's 420,000 files pathlib's joins and ``relative_to`` took 8 s.
    """
    seen: set[tuple[int, int]] = set()
    skip = len(root)

    def relative(path: str) -> str:
        rel = path[skip:].lstrip(os.sep)
        return rel.replace(os.sep, "/") if os.sep != "/" else rel

    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        stat = os.stat(dirpath)
        if (stat.st_dev, stat.st_ino) in seen:
            problems.append(
                Problem(relative(dirpath), 0, "a folder link that loops back; not read again")
            )
            dirnames[:] = []
            continue
        seen.add((stat.st_dev, stat.st_ino))
        top = top_only and dirpath == folder
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and not (top and language_code(d))
        )
        prefix = dirpath if dirpath.endswith(os.sep) else dirpath + os.sep
        for name in sorted(filenames):
            if name.lower().endswith(".md"):
                path = prefix + name
                if name.startswith("."):
                    problems.append(Problem(relative(path), 0, "a hidden file; not read"))
                else:
                    yield path, relative(path)
        for name in dirnames:
            if name.lower().endswith(".md"):
                rel = relative(os.path.join(dirpath, name))
                problems.append(Problem(rel, 0, "a folder named like an article; not read as one"))


# --- cache -------------------------------------------------------------------------------


def _key(content: bytes, source: SourceFile, site_url: str | None) -> str:
    """The cache key of a file: the hash of its bytes, its path, slug, language and the
    site URL (each changes what its parse gives)."""
    digest = hashlib.blake2b(content, digest_size=16)
    digest.update(f"\0{source.rel}\0{source.slug}\0{source.lang}\0{site_url or ''}".encode())
    return digest.hexdigest()


def _load_cache(
    cache_dir: str | os.PathLike | None,
) -> tuple[dict[str, Article], dict[str, Article]]:
    """The cached articles: the whole file's, and those added since it was written."""
    if cache_dir is None:
        return {}, {}
    base = _articles(load_dict(Path(cache_dir) / CACHE_NAME))
    return base, (_articles(load_dict(Path(cache_dir) / DELTA_NAME)) if base else {})


def _articles(entries: dict[str, Any]) -> dict[str, Article]:
    """The articles of a cache file (a cold build's frames also hold the files that failed)."""
    return {k: v for k, v in entries.items() if isinstance(v, Article)}


def _save_cache(
    cache_dir: str | os.PathLike, articles: dict[str, Article], base: dict[str, Article]
) -> None:
    """Keep ``articles`` for the next build: the few not in the whole file go to a small
    file beside it (rewriting every article after each edit costs a second per 15,000);
    the whole file is written again when that grows past a twentieth of it, or when a
    fifth of it is no longer used."""
    folder = Path(cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    remove_others(folder, "parse-v*.pickle", [CACHE_NAME, DELTA_NAME])
    added = {key: article for key, article in articles.items() if key not in base}
    unused = len(base) - (len(articles) - len(added))
    if base and len(added) <= len(articles) / 20 and unused <= len(articles) / 5:
        save_dict(folder / DELTA_NAME, added)
    else:
        save_dict(folder / CACHE_NAME, articles)
        (folder / DELTA_NAME).unlink(missing_ok=True)


# --- parsing -----------------------------------------------------------------------------


def _parse_one(item: tuple[str, SourceFile], site_url: str | None) -> tuple[str, Article | Problem]:
    key, source = item
    try:
        with open(source.path, "rb") as handle:
            raw = handle.read()
        return key, parse_bytes(raw, source.rel, source.slug, source.lang, site_url)
    except OSError as exc:
        return key, Problem(source.rel, 0, f"cannot read: {exc.strerror or exc}")
    except ValueError as exc:
        return key, Problem(source.rel, 0, str(exc))
    except RecursionError:
        return key, Problem(source.rel, 0, "too deeply nested to parse")


def _parse_chunk(items: list[tuple[str, SourceFile]], site_url: str | None) -> bytes:
    """A chunk's ``(key, Article or Problem)`` pairs, pickled here: the parent keeps these
    very bytes as a frame of the parse cache, and reads them back."""
    return pickle.dumps([_parse_one(item, site_url) for item in items], protocol=5)


Parsed = tuple[list[tuple[str, Article | Problem]], bytes | None]
"""A chunk of results, with its pickled bytes when a worker sent them."""


def _parse_all(
    todo: list[tuple[str, SourceFile]],
    site_url: str | None,
    jobs: int | None,
    progress: Callable[[int, int], None] | None,
) -> Iterable[Parsed]:
    total = len(todo)
    workers = max(1, jobs if jobs else (os.cpu_count() or 1))
    if workers == 1 or total < _PARALLEL_MIN:
        for start in range(0, total, 200):
            yield [_parse_one(item, site_url) for item in todo[start : start + 200]], None
            if progress:
                progress(min(start + 200, total), total)
        return
    size = max(50, min(1000, total // (workers * 8) or 1))
    chunks = [todo[i : i + size] for i in range(0, total, size)]
    method = "fork" if sys.platform.startswith("linux") else None
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context(method)) as pool:
        finished = 0
        for frame in pool.map(_parse_chunk, chunks, [site_url] * len(chunks)):
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
