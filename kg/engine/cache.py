"""Every file of a build's cache (``OUT/.cache``): its name, version and format, in one place.

A cache file is only ever a speed-up, so reading one never fails: a missing, truncated
or foreign file reads as empty, and the build does the work again. Writing goes through
a temporary file and a rename, so a reader never sees half a file.

=====================  ===========================================================
file                   holds
=====================  ===========================================================
``files-v1.pickle``    each source file's ``(size, mtime, ctime, inode)`` and hash
``parse-vN.pickle``    parsed articles by cache key (N: the parser's version), and
``parse-vN.delta…``    those added since the whole file was written
``mentions-vN.2…``     the unlinked-mention scan's names per text and language
``pieces.pickle``      each node's signature, and where its pieces stand in the exports
``build.json``         the fingerprint of the build that wrote the folder
=====================  ===========================================================

The pickle files hold dicts pickled one after the other (frames), each a dict or a list
of ``(key, value)`` pairs: the parse cache of a cold build is written that way, frame by
frame, from the bytes the parse workers send (nothing is pickled twice). Caches are only
trusted when the code that wrote them is the code running now (:func:`code_digest`).
"""

from __future__ import annotations

import json
import os
import pickle
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

from kg.articles import PARSER_VERSION
from kg.atomic import atomic_file, write_atomic
from kg.records import Article
from kg.version import code_digest

FOLDER = ".cache"
"""The cache's folder inside a build folder."""

STATS = "files-v1.pickle"
PARSE = f"parse-v{PARSER_VERSION}.pickle"
PARSE_DELTA = f"parse-v{PARSER_VERSION}.delta.pickle"
MENTIONS = f"mentions-v{PARSER_VERSION}.2.pickle"
PIECES = "pieces.pickle"
STAMP = "build.json"


class BuildCache:
    """The cache of the build folder ``out`` (in ``out/.cache``).

    Examples
    --------
    >>> import tempfile
    >>> cache = BuildCache(tempfile.mkdtemp())
    >>> cache.stats(), cache.stamp()
    ({}, None)
    """

    def __init__(self, out: str | os.PathLike) -> None:
        self.folder = Path(out) / FOLDER

    def path(self, name: str) -> Path:
        """The path of the cache file ``name`` (one of this module's names)."""
        return self.folder / name

    # each file's stat and hash
    def stats(self) -> dict[str, Any]:
        """Source path → ``((size, mtime_ns, ctime_ns, inode), hash)`` of the last scan."""
        return load_dict(self.folder / STATS)

    def save_stats(self, stats: dict[str, Any]) -> None:
        save_dict(self.folder / STATS, stats)

    # parsed articles
    def articles(self) -> tuple[dict[str, Article], dict[str, Article]]:
        """The cached articles by key: the whole file's, and those added since."""
        base = _articles(load_dict(self.folder / PARSE))
        return base, (_articles(load_dict(self.folder / PARSE_DELTA)) if base else {})

    def parse_stream(self) -> Any:
        """A context manager giving the binary stream a cold build writes its parse cache
        to, frame by frame; other parser versions' caches are removed when it is done."""
        return _ParseStream(self.folder)

    def save_articles(self, articles: dict[str, Article], base: dict[str, Article]) -> None:
        """Keep ``articles`` for the next build: the few not in the whole file go to a small
        file beside it (rewriting every article after each edit costs a second per
        15,000); the whole file is written again when that grows past a twentieth of it,
        or when a fifth of it is no longer used."""
        self.folder.mkdir(parents=True, exist_ok=True)
        remove_others(self.folder, "parse-v*.pickle", [PARSE, PARSE_DELTA])
        added = {key: article for key, article in articles.items() if key not in base}
        unused = len(base) - (len(articles) - len(added))
        if base and len(added) <= len(articles) / 20 and unused <= len(articles) / 5:
            save_dict(self.folder / PARSE_DELTA, added)
        else:
            save_dict(self.folder / PARSE, articles)
            (self.folder / PARSE_DELTA).unlink(missing_ok=True)

    # unlinked mentions
    def mentions(self) -> dict[str, Any]:
        """What the last scan found per language (:data:`kg.engine.mentions.Cache`)."""
        return load_dict(self.folder / MENTIONS)

    def save_mentions(self, found: dict[str, Any]) -> None:
        save_dict(self.folder / MENTIONS, found)
        remove_others(self.folder, "mentions-v*.pickle", [MENTIONS])

    # the exports' pieces
    def pieces(self) -> dict[str, Any]:
        """The last build's signatures and piece indexes (:class:`kg.engine.incremental.Reuse`)."""
        state = load_dict(self.folder / PIECES)
        return state if state.get("code") == code_digest() else {}

    def save_pieces(self, state: dict[str, Any]) -> None:
        save_dict(self.folder / PIECES, {**state, "code": code_digest()})

    # the build's fingerprint
    def stamp(self) -> dict[str, Any] | None:
        """The fingerprint of the build that last wrote the folder, or None."""
        try:
            found = json.loads((self.folder / STAMP).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return found if isinstance(found, dict) else None

    def save_stamp(self, stamp: dict[str, Any]) -> None:
        write_atomic(self.folder / STAMP, json.dumps(stamp, indent=1) + "\n")

    def clear_stamp(self) -> None:
        """Forget the last build's fingerprint (a build is under way)."""
        (self.folder / STAMP).unlink(missing_ok=True)


class _ParseStream:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.file = atomic_file(folder / PARSE)

    def __enter__(self) -> BinaryIO:
        return self.file.__enter__()

    def __exit__(self, *exc: Any) -> Any:
        done = self.file.__exit__(*exc)
        if exc[0] is None:  # other parser versions' caches, and the delta of an older file
            remove_others(self.folder, "parse-v*.pickle", [PARSE])
        return done


def load_dict(path: str | os.PathLike) -> dict[Any, Any]:
    """The dict pickled in ``path``; ``{}`` when there is none or it cannot be read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.pickle"
    >>> load_dict(path)
    {}
    >>> save_dict(path, {"a": 1}); load_dict(path)
    {'a': 1}
    """
    data: dict[Any, Any] = {}
    try:
        with open(path, "rb") as handle:
            while True:
                try:
                    frame = pickle.load(handle)
                except EOFError:
                    break
                if not isinstance(frame, (dict, list)):
                    return {}
                data.update(frame)
    except (OSError, pickle.UnpicklingError, AttributeError, TypeError, ValueError):
        return {}
    return data


def save_dict(path: str | os.PathLike, data: dict[Any, Any]) -> None:
    """Pickle ``data`` into ``path`` (streamed, atomically)."""
    with atomic_file(path) as handle:
        pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)


def remove_others(folder: str | os.PathLike, pattern: str, keep: Iterable[str]) -> None:
    """Remove the files of ``folder`` that match ``pattern`` but are not named in ``keep``:
    the caches an older kg wrote under other names."""
    kept = set(keep)
    for old in Path(folder).glob(pattern):
        if old.name not in kept:
            old.unlink(missing_ok=True)


def _articles(entries: dict[str, Any]) -> dict[str, Article]:
    """The articles of a cache file (a cold build's frames also hold the files that failed)."""
    return {k: v for k, v in entries.items() if isinstance(v, Article)}
