"""Every file of a build's cache (``OUT/.cache``): its name, version and format, in one place.

A cache file is only ever a speed-up, so reading one never fails: a missing, truncated,
damaged or foreign file reads as empty, and the build does the work again (a damaged one
is named in :attr:`BuildCache.notices`). Writing goes through a temporary file and a
rename, so a reader never sees half a file.

=====================  ===========================================================
file                   holds
=====================  ===========================================================
``files.kgc``          each source file's ``(size, mtime, ctime, inode)`` and hash
``parse-vN.kgc``       parsed articles by cache key (N: the parser's version), and
``parse-vN.delta.kgc`` those added since the whole file was written
``mentions-vN.kgc``    the unlinked-mention scan's names per text and language
``pieces.kgc``         each node's signature, and where its pieces stand in the exports
=====================  ===========================================================

Each file is a header, then dicts pickled one after the other (frames), each a dict or a
list of ``(key, value)`` pairs: the parse cache of a cold build is written that way,
frame by frame, from the bytes the parse workers send (nothing is pickled twice).

The header (:data:`MAGIC`, :data:`FORMAT`, the digest of kg's code, the length and the
CRC-32 of what follows) is checked before a byte is unpickled, so a file written by other
code, cut short or with a flipped byte is not read. Then the pickles are read by an
unpickler that builds nothing but plain values and kg's own records (:class:`Article`,
:class:`~kg.records.Link`, :class:`~kg.records.Problem`): a pickle planted in ``.cache``
cannot run code. A checksummed pickle rather than a data format: the records come and go
as pickles between processes already (the parse workers send them so), and a pickle of
them reads several times faster than JSON or msgpack could rebuild them.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import struct
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from kg import records
from kg.articles import PARSER_VERSION
from kg.atomic import atomic_file
from kg.errors import WriteFailed
from kg.records import Article
from kg.version import code_digest

FOLDER = ".cache"
"""The cache's folder inside a build folder."""

STATS = "files.kgc"
PARSE = f"parse-v{PARSER_VERSION}.kgc"
PARSE_DELTA = f"parse-v{PARSER_VERSION}.delta.kgc"
MENTIONS = f"mentions-v{PARSER_VERSION}.kgc"
PIECES = "pieces.kgc"

MAGIC = b"kg-cache"
"""The first bytes of every cache file."""

FORMAT = 2
"""The version of the cache files' layout (1 was bare pickles, read without a check)."""

_HEADER = struct.Struct("<8sI16sQI")
"""magic, format, kg's code digest (16 bytes), length of the frames, their CRC-32."""

_RECORDS = frozenset({"Article", "Link", "Problem"})
"""The only classes a cache file may build (from :mod:`kg.records`)."""


class BuildCache:
    """The cache of the build folder ``out`` (in ``out/.cache``).

    Examples
    --------
    >>> import tempfile
    >>> cache = BuildCache(tempfile.mkdtemp())
    >>> cache.stats(), cache.notices
    ({}, [])
    """

    def __init__(self, out: str | os.PathLike) -> None:
        self.folder = Path(out) / FOLDER
        self.notices: list[str] = []

    def path(self, name: str) -> Path:
        """The path of the cache file ``name`` (one of this module's names)."""
        return self.folder / name

    # each file's stat and hash
    def stats(self) -> dict[str, Any]:
        """Source path → ``((size, mtime_ns, ctime_ns, inode), hash)`` of the last scan."""
        return load_dict(self.folder / STATS, self.notices)

    def save_stats(self, stats: dict[str, Any]) -> None:
        self._keep(STATS, stats)

    # parsed articles
    def articles(self) -> tuple[dict[str, Article], dict[str, Article]]:
        """The cached articles by key: the whole file's, and those added since."""
        base = _articles(load_dict(self.folder / PARSE, self.notices))
        added = _articles(load_dict(self.folder / PARSE_DELTA, self.notices)) if base else {}
        return base, added

    def parse_stream(self) -> Any:
        """A context manager giving the binary stream a cold build writes its parse cache
        to, frame by frame; other parser versions' caches are removed when it is done."""
        return _ParseStream(self.folder)

    def save_articles(self, articles: dict[str, Article], base: dict[str, Article]) -> None:
        """Keep ``articles`` for the next build: the few not in the whole file go to a small
        file beside it (rewriting every article after each edit costs a second per
        15,000); the whole file is written again when that grows past a twentieth of it,
        or when a fifth of it is no longer used."""
        remove_others(self.folder, "parse-v*", [PARSE, PARSE_DELTA])
        added = {key: article for key, article in articles.items() if key not in base}
        unused = len(base) - (len(articles) - len(added))
        if base and len(added) <= len(articles) / 20 and unused <= len(articles) / 5:
            self._keep(PARSE_DELTA, added)
        elif self._keep(PARSE, articles):
            (self.folder / PARSE_DELTA).unlink(missing_ok=True)

    # unlinked mentions
    def mentions(self) -> dict[str, Any]:
        """What the last scan found per language (:data:`kg.engine.mentions.Cache`)."""
        return load_dict(self.folder / MENTIONS, self.notices)

    def save_mentions(self, found: dict[str, Any]) -> None:
        if self._keep(MENTIONS, found):
            remove_others(self.folder, "mentions-v*", [MENTIONS])

    # the exports' pieces
    def pieces(self) -> dict[str, Any]:
        """The last build's signatures and piece indexes (:class:`kg.engine.incremental.Reuse`)."""
        return load_dict(self.folder / PIECES, self.notices)

    def save_pieces(self, state: dict[str, Any]) -> None:
        self._keep(PIECES, state)

    def _keep(self, name: str, data: dict[str, Any]) -> bool:
        """Save ``data`` as the cache file ``name``; a write the system refuses (a full or
        read-only disk) is a notice, not a failure: the cache is only a speed-up."""
        try:
            save_dict(self.folder / name, data)
        except WriteFailed as exc:
            self.notices.append(f"{self.folder / name}: not kept ({exc})")
            return False
        return True


class _ParseStream:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.file = _frames_file(folder / PARSE)

    def __enter__(self) -> BinaryIO:
        return self.file.__enter__()

    def __exit__(self, *exc: Any) -> Any:
        done = self.file.__exit__(*exc)
        if exc[0] is None:  # other parser versions' caches, and the delta of an older file
            remove_others(self.folder, "parse-v*", [PARSE])
        return done


def load_dict(path: str | os.PathLike, notices: list[str] | None = None) -> dict[Any, Any]:
    """The dict kept in the cache file ``path``; ``{}`` when there is none, when kg's code
    changed since it was written, or when it does not pass its checks (then a line saying
    so is added to ``notices``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.kgc"
    >>> load_dict(path)
    {}
    >>> save_dict(path, {"a": 1}); load_dict(path)
    {'a': 1}
    >>> _ = path.write_bytes(path.read_bytes()[:-1] + b"!")  # one byte changed
    >>> notices = []
    >>> load_dict(path, notices), notices[0].split(": ", 1)[1]
    ({}, 'damaged (its checksum does not match); not used')
    """
    data: dict[Any, Any] = {}
    try:
        with open(path, "rb") as handle:
            problem = _check(handle)
            if problem is None:
                for frame in _frames(handle):
                    if not isinstance(frame, (dict, list)):
                        raise pickle.UnpicklingError("a frame that is no dict")
                    data.update(frame)
    except FileNotFoundError:
        return {}
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError) as e:
        problem = f"damaged ({type(e).__name__}: {e})"
    except (MemoryError, RecursionError, IndexError, KeyError) as exc:
        problem = f"damaged ({type(exc).__name__})"
    if problem == "":  # written by other code: expected after an upgrade or an edit
        return {}
    if problem is not None:
        if notices is not None:
            notices.append(f"{path}: {problem}; not used")
        return {}
    return data


def save_dict(path: str | os.PathLike, data: dict[Any, Any]) -> None:
    """Keep ``data`` in the cache file ``path`` (streamed, checksummed, atomically)."""
    with _frames_file(path) as handle:
        pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)


@contextmanager
def _frames_file(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """A cache file to write frames to: its header is written when the block ends, with
    the length and CRC-32 of what was written."""
    with atomic_file(path) as handle:
        handle.write(bytes(_HEADER.size))
        sink = _Checksummed(handle)
        yield sink  # type: ignore[misc]
        handle.seek(0)
        handle.write(_HEADER.pack(MAGIC, FORMAT, _code(), sink.size, sink.crc))


class _Checksummed(io.RawIOBase):
    """A binary stream that passes what is written on, counting its bytes and CRC-32."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.size = 0
        self.crc = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.crc = zlib.crc32(data, self.crc)
        written = self.handle.write(data)
        self.size += written
        return written


def _check(handle: BinaryIO) -> str | None:
    """None when the cache file open in ``handle`` passes its checks (then it stands at its
    first frame); else why not (``""``: written by other code, which is no damage)."""
    head = handle.read(_HEADER.size)
    if len(head) < _HEADER.size or not head.startswith(MAGIC):
        return "not a kg cache file"
    magic, version, code, size, crc = _HEADER.unpack(head)
    if version != FORMAT or code != _code():
        return ""
    found, total = 0, 0
    while block := handle.read(1 << 22):
        found = zlib.crc32(block, found)
        total += len(block)
    if total != size:
        return f"damaged ({total:,} bytes where {size:,} were written)"
    if found != crc:
        return "damaged (its checksum does not match)"
    handle.seek(_HEADER.size)
    return None


def _frames(handle: BinaryIO) -> Iterator[Any]:
    """The pickles of a checked cache file, one after the other, read by :class:`_Records`."""
    while handle.peek(1) if hasattr(handle, "peek") else True:
        try:
            yield _Records(handle).load()
        except EOFError:
            return


class _Records(pickle.Unpickler):
    """An unpickler that builds plain values and kg's records, and nothing else."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "kg.records" and name in _RECORDS:
            return getattr(records, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not a kg record")


def _code() -> bytes:
    return bytes.fromhex(code_digest())


def remove_others(folder: str | os.PathLike, pattern: str, keep: Iterable[str]) -> None:
    """Remove the files of ``folder`` that match ``pattern`` but are not named in ``keep``:
    the caches an older kg wrote under other names."""
    kept = set(keep)
    for old in Path(folder).glob(pattern):
        if old.name not in kept:
            with contextlib.suppress(OSError):
                old.unlink()


def _articles(entries: dict[str, Any]) -> dict[str, Article]:
    """The articles of a cache file (a cold build's frames also hold the files that failed)."""
    return {k: v for k, v in entries.items() if isinstance(v, Article)}
