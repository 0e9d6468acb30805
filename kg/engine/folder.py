"""A build's output folder: locked while a build writes it, replaced whole when it is done.

* **One build at a time**: a build holds an exclusive ``flock`` on ``OUT/.kg-lock``; a
  second build into the same folder waits for it (or, with ``wait=False``, stops with
  :class:`~kg.errors.BuildLocked`).
* **All or nothing**: a build writes its exports into a fresh folder beside ``OUT``
  (``.OUT.kg-new``), then swaps the two in one rename (``renameat2(RENAME_EXCHANGE)``;
  where the system has none, two renames, with no moment where ``OUT`` holds a mix). So
  ``OUT`` always holds one whole build, the last one or the one before, whenever the
  build is killed. The cache (``OUT/.cache``) is read and written in place (each file
  atomically, each checked when read) and moved into the new folder just before the swap.
  Entries of ``OUT`` the build did not write (a README, a previous build's other formats)
  are linked into the new folder.
* **Leftovers cleaned**: what a killed build left (the new folder, temporary files, a
  half-loaded store) is removed by the next build, under the lock.
* **A record of what was written**: ``OUT/.kg-build.json`` holds the build's fingerprint
  and each export's size, times (modified and changed), inode and CRC-32, taken when it
  was written; a rebuild with nothing changed keeps the exports only if they are still
  those files (:meth:`BuildFolder.unchanged`). Any write to a file moves its change time,
  which no one can set back, so a file whose stat is the same was not written since; a
  file with another stat is read, and kept if its CRC-32 is the same.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import os
import shutil
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from kg.atomic import failure, write_atomic
from kg.errors import BuildLocked, WriteFailed

LOCK = ".kg-lock"
"""The lock file in a build folder."""

RECORD = ".kg-build.json"
"""The record of the build that wrote the folder: its fingerprint and files."""

CACHE = ".cache"

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100

FileRecord = list[int]
"""``[size, mtime_ns, ctime_ns, inode, crc32]`` of a file as it was written."""


def file_record(path: str | os.PathLike) -> FileRecord:
    """``[size, mtime_ns, ctime_ns, inode, crc32]`` of the file ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x"
    >>> _ = path.write_bytes(b"abc")
    >>> file_record(path)[0], file_record(path)[4] == zlib.crc32(b"abc")
    (3, True)
    """
    with open(path, "rb") as handle:
        st = os.fstat(handle.fileno())
        return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, _crc(handle)]


def _crc(handle: Any) -> int:
    crc = 0
    while block := handle.read(1 << 22):
        crc = zlib.crc32(block, crc)
    return crc


class BuildFolder:
    """The output folder ``out`` of one build (a context manager: the lock is held inside).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "out"
    >>> with BuildFolder(out) as folder:
    ...     new = folder.stage()
    ...     _ = (new / "graph.json").write_text("{}")
    ...     folder.publish({"stamp": 1}, ["graph.json"])
    >>> sorted(p.name for p in out.iterdir())
    ['.kg-build.json', '.kg-lock', 'graph.json']
    """

    def __init__(
        self,
        out: str | os.PathLike,
        *,
        wait: bool = True,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self.given = Path(out)
        self.wait = wait
        self.on_wait = on_wait
        self.path = Path(os.path.realpath(out))  # a link to a folder: the folder is swapped
        self.fd: int | None = None
        self.inside = False  # the new folder is inside OUT (OUT is a mount point)
        self.new: Path | None = None
        self.published = False
        self.created = False  # OUT did not exist before this build

    # the lock
    def __enter__(self) -> BuildFolder:
        self.created = not os.path.lexists(self.path)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WriteFailed(failure(exc, f"creating {self.given}")) from exc
        if not self.path.is_dir():
            raise WriteFailed(f"{self.given} is not a folder")
        self._lock()
        self.inside = os.path.ismount(self.path)
        self.clean()
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            if self.new is not None and not self.published:
                shutil.rmtree(self.new, ignore_errors=True)
        finally:
            if self.fd is not None:
                os.close(self.fd)
                self.fd = None

    def _lock(self) -> None:
        path = self.path / LOCK
        while True:
            fd = _open_lock(path, self.given)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as busy:
                message = f"{self.given}: another kg build is writing this folder"
                if not self.wait:
                    os.close(fd)
                    raise BuildLocked(
                        f"{message}; wait for it, or build into another folder"
                    ) from busy
                if self.on_wait is not None:
                    self.on_wait(f"{message}; waiting for it to finish")
                fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                same = os.fstat(fd).st_ino == os.stat(path).st_ino
            except FileNotFoundError:
                same = False
            if same:  # not a lock file the build before swapped away
                break
            os.close(fd)
            with contextlib.suppress(OSError):  # a build that had nothing to build removed OUT
                self.path.mkdir(parents=True, exist_ok=True)
        self.fd = fd

    def discard(self) -> None:
        """Nothing was built: remove ``OUT`` again when this build created it and it holds
        nothing but the lock (a build with no article leaves no empty folder behind)."""
        if not self.created or self.new is not None:
            return
        with contextlib.suppress(OSError):
            if {entry.name for entry in os.scandir(self.path)} <= {LOCK, CACHE}:
                shutil.rmtree(self.path / CACHE, ignore_errors=True)
                os.unlink(self.path / LOCK)
                os.rmdir(self.path)

    # leftovers
    def clean(self) -> None:
        """Remove what a killed build left: its new folder, an old folder it was swapping
        out, temporary files and half-loaded stores, and caches of older formats."""
        for leftover in (self._sibling("new"), self._sibling("old")):
            if leftover.exists() or leftover.is_symlink():
                _remove(leftover)
        for pattern in (".*.tmp", ".store-*", ".kg-new", ".kg-old"):
            for path in self.path.glob(pattern):
                _remove(path)
        cache = self.path / CACHE
        for pattern in (".*.tmp", "*.pickle", "build.json"):
            for path in cache.glob(pattern):
                _remove(path)

    def _sibling(self, what: str) -> Path:
        if self.inside:
            return self.path / f".kg-{what}"
        return self.path.parent / f".{self.path.name}.kg-{what}"

    # the record
    def record(self) -> dict[str, Any] | None:
        """What ``OUT/.kg-build.json`` says (None when it is not there or not readable)."""
        try:
            found = json.loads((self.path / RECORD).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return found if isinstance(found, dict) else None

    def unchanged(self, stamp: Any, names: Iterable[str]) -> bool:
        """Whether the folder holds the build of ``stamp``, its files ``names`` as written:
        each with the size, times and inode recorded, or else with the CRC-32 recorded (a
        file touched but not changed)."""
        found = self.record()
        if found is None or found.get("stamp") != stamp:
            return False
        files = found.get("files") or {}
        for name in names:
            was = files.get(name)
            if not isinstance(was, list) or len(was) != 5:
                return False
            try:
                st = os.stat(self.path / name)
                if [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino] == was[:4]:
                    continue
                if st.st_size != was[0] or file_record(self.path / name)[4] != was[4]:
                    return False
            except OSError:
                return False
        return True

    # the new folder
    def stage(self) -> Path:
        """Make the folder the build writes into; return it."""
        new = self._sibling("new")
        try:
            new.mkdir()
        except OSError as exc:
            raise WriteFailed(failure(exc, f"creating {new}")) from exc
        self.new = new
        return new

    def publish(
        self,
        stamp: Any,
        written: dict[str, FileRecord] | Iterable[str],
        drop: Iterable[str] = (),
    ) -> None:
        """Put the new folder in the place of ``OUT``: record ``stamp`` and the files
        ``written`` (names, or names with their :func:`file_record`), bring over what the
        build did not write (but the entries ``drop``), the cache and the lock, and swap."""
        new = self.new
        assert new is not None and self.fd is not None
        records = dict(written) if isinstance(written, dict) else {}
        for name in written:
            if name not in records:
                records[name] = file_record(new / name)
        try:
            write_atomic(
                new / RECORD,
                json.dumps({"stamp": stamp, "files": records}, indent=1, sort_keys=True) + "\n",
            )
            self._bring_over(new, frozenset(drop))
            os.link(self.path / LOCK, new / LOCK)
            if (self.path / CACHE).is_dir() and not (new / CACHE).exists():
                os.rename(self.path / CACHE, new / CACHE)
        except OSError as exc:
            raise WriteFailed(failure(exc, f"preparing {self.given}")) from exc
        try:
            if self.inside:
                self._move_in(new)
                for name in drop:  # what the last build wrote and this one does not
                    if os.path.lexists(self.path / name):
                        _remove(self.path / name)
            else:
                self._swap(new)
        except OSError as exc:
            with contextlib.suppress(OSError):  # keep the cache for the next build
                os.rename(new / CACHE, self.path / CACHE)
            raise WriteFailed(failure(exc, f"replacing {self.given}")) from exc
        self.published = True
        if new.exists():
            _remove(new)  # the old build, after the swap

    def _bring_over(self, new: Path, drop: frozenset[str] = frozenset()) -> None:
        """Link the entries of ``OUT`` that the new folder lacks into it (files are hard
        links, folders are copied as folders of hard links), but those named in ``drop``."""
        for entry in os.scandir(self.path):
            if entry.name in (LOCK, RECORD, CACHE, ".kg-new", ".kg-old") or entry.name in drop:
                continue
            target = new / entry.name
            if not (target.exists() or target.is_symlink()):
                _copy_linked(Path(entry.path), target)

    def carry(self, name: str) -> None:
        """Bring ``OUT/name`` into the new folder now, as :meth:`publish` brings what a
        build did not write, so that the build can change it there (files replaced, never
        written in place: the last build's stay as they were)."""
        assert self.new is not None
        _copy_linked(self.path / name, self.new / name)

    def _swap(self, new: Path) -> None:
        """Exchange ``OUT`` and ``new`` in one rename; else rename ``OUT`` aside and
        ``new`` into its place."""
        if _exchange(new, self.path):
            return
        old = self._sibling("old")
        os.rename(self.path, old)
        try:
            os.rename(new, self.path)
        except OSError:
            os.rename(old, self.path)
            raise
        os.rename(old, new)  # where the caller removes it

    def _move_in(self, new: Path) -> None:
        """(``OUT`` is a mount point, which cannot be renamed.) Move the new folder's
        entries into ``OUT`` one by one, each replacing its old version."""
        for entry in sorted(os.scandir(new), key=lambda e: e.name == RECORD):
            target = self.path / entry.name
            if entry.name == LOCK:
                continue
            if entry.is_dir(follow_symlinks=False) and target.is_dir():
                aside = self.path / f".kg-old-{entry.name}"
                os.rename(target, aside)
                os.rename(entry.path, target)
                _remove(aside)
            else:
                os.replace(entry.path, target)


def _open_lock(path: Path, given: Path) -> int:
    flags = os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(path, os.O_RDWR | flags, 0o644)
    except OSError as exc:
        if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise WriteFailed(failure(exc, f"locking {given}")) from exc
    try:  # a read-only folder can still be locked, and its build found unchanged
        return os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise WriteFailed(failure(exc, f"locking {given}")) from exc


def _exchange(a: Path, b: Path) -> bool:
    """Swap the folders ``a`` and ``b`` in one step (Linux's ``renameat2``); False where
    the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    path, number = ctypes.c_char_p, ctypes.c_int
    renameat2.argtypes = [number, path, number, path, ctypes.c_uint]
    done = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _copy_linked(source: Path, target: Path) -> None:
    """``source`` again at ``target``: a symlink as a symlink, a folder as a folder of hard
    links, a file as a hard link (a copy where the system makes none)."""
    if source.is_symlink():
        os.symlink(os.readlink(source), target)
    elif source.is_dir():
        shutil.copytree(source, target, symlinks=True, copy_function=_link)
    else:
        _link(str(source), str(target))


def _link(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()
