"""Files written atomically: into a temporary file beside the target, then renamed over it,
so that a reader never sees half a file and a failed write leaves the old one.

A write the system refuses (a full disk, a read-only folder) raises
:class:`~kg.errors.WriteFailed` saying what happened and to which file (``no space left
on device while writing graph.ttl``)."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from kg.errors import WriteFailed


@contextmanager
def atomic_file(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """A binary file to write ``path`` through: it replaces ``path`` when the block ends
    without an error, and is removed otherwise.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> with atomic_file(target) as handle:
    ...     _ = handle.write(b"hello")
    >>> target.read_text()
    'hello'
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise WriteFailed(failure(exc, f"writing {target.name}")) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise WriteFailed(failure(exc, f"writing {target.name}")) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def failure(exc: OSError, doing: str) -> str:
    """What went wrong while ``doing`` something, said plainly.

    Examples
    --------
    >>> import errno
    >>> failure(OSError(errno.ENOSPC, "No space left on device"), "writing graph.ttl")
    'no space left on device while writing graph.ttl'
    """
    reason = exc.strerror or refusal(str(exc)) or str(exc)
    reason = reason.rstrip(".")
    return f"{reason[:1].lower()}{reason[1:]} while {doing}"


_REASONS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO)


def refusal(text: str) -> str | None:
    """The system's words for a refused write found in a library's message (RocksDB says
    ``IO error: No space left on device: While appending to file: …``), else None.

    Examples
    --------
    >>> refusal("IO error: No space left on device: While appending to file: x.sst")
    'No space left on device'
    """
    return next((os.strerror(c) for c in _REASONS if os.strerror(c) in text), None)


def write_atomic(path: str | os.PathLike, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = write_atomic(pathlib.Path(tempfile.mkdtemp()) / "x.txt", "hello")
    >>> p.read_text()
    'hello'
    """
    with atomic_file(path) as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)
