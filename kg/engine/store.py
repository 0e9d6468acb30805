"""The build's store: loaded by the ``oxigraph`` command in another process while the
other exports are written, or, after a small change, the last build's store patched.

:func:`start_store` gives the build a function to call when it is done with its other
exports; the store is the one :func:`kg.store.database.write_store` writes. A build
writes into a fresh folder (:mod:`kg.engine.folder`): the last build's store is then
copied there first, as a RocksDB checkpoint (hard links to its files), and patched.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.atomic import failure, refusal
from kg.engine.parallel import die_with_parent
from kg.errors import BadInput, WriteFailed
from kg.store.database import (
    NT_FILE,
    SLICE,
    STAMP,
    STORE_DIR,
    base_of,
    first_line,
    install_store,
    oxigraph_executable,
    require_build,
    slices,
    store_is_fresh,
    write_stamp,
    write_store,
)


def start_store(
    out_dir: str | os.PathLike[str],
    changes: tuple[bytes, bytes] | None = None,
    previous: str | os.PathLike[str] | None = None,
) -> Callable[[], Path]:
    """Start writing the store of ``out_dir/graph.nt``; return the function that finishes it.

    Small ``changes`` (the N-Triples lines the store of ``previous``, the last build's
    folder, default ``out_dir``, must lose and gain to hold ``graph.nt``) are patched at
    once (:func:`patch_store`), into a copy when ``previous`` is another folder. Otherwise the
    ``oxigraph load`` command loads the N-Triples into a temporary folder in its own
    process, so the caller writes its other exports meanwhile; calling the returned function
    waits for it and swaps the store in.

    Examples
    --------
    >>> finish = start_store("exports")  # doctest: +SKIP
    >>> finish()  # doctest: +SKIP
    PosixPath('exports/store')
    """
    out = Path(out_dir)
    nt = require_build(out, NT_FILE)
    final = out / STORE_DIR
    exe = oxigraph_executable()
    try:
        patched = changes is not None and _patched(out, previous, nt, changes)
    except OSError as exc:
        raise WriteFailed(failure(exc, "writing the store")) from exc
    if patched or not exe:
        return lambda: patch_or_write(out, None) if not store_is_fresh(out) else final
    tmp = Path(tempfile.mkdtemp(prefix=".store-", dir=out))
    failed: list[str] = []
    loader = threading.Thread(target=_load_slices, args=(exe, nt, tmp, failed), daemon=True)
    loader.start()

    def finish() -> Path:
        try:
            loader.join()
            if failed and refusal(failed[0]):  # the loader could not write: a full disk
                raise WriteFailed(failure(OSError(failed[0]), "writing the store"))
            if failed:
                raise BadInput(failed[0])
            install_store(tmp, nt, final)
            return final
        except OSError as exc:
            raise WriteFailed(failure(exc, "writing the store")) from exc
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    return finish


def patch_or_write(
    out_dir: str | os.PathLike[str],
    changes: tuple[bytes, bytes] | None,
    previous: str | os.PathLike[str] | None = None,
) -> Path:
    """The store of ``out_dir/graph.nt`` made in this process: ``changes`` patched into
    (a copy of) the store of ``previous`` when they are small, else the store written anew."""
    out = Path(out_dir)
    try:
        if changes is not None and _patched(out, previous, require_build(out), changes):
            return out / STORE_DIR
        return write_store(out)
    except OSError as exc:
        raise WriteFailed(failure(exc, "writing the store")) from exc


def _patched(
    out: Path, previous: str | os.PathLike[str] | None, nt: Path, changes: tuple[bytes, bytes]
) -> bool:
    """Patch ``changes`` into ``out``'s store, copied first from ``previous`` (another
    folder); False when they are too big or the copy fails (the store is then loaded)."""
    final = out / STORE_DIR
    last = Path(previous) / STORE_DIR if previous is not None else final
    if not last.is_dir() or sum(map(len, changes)) > PATCH_LIMIT * max(nt.stat().st_size, 1):
        return False
    if last != final:
        try:
            store = ox.Store(str(last))
            store.backup(str(final))
            del store
        except OSError:
            shutil.rmtree(final, ignore_errors=True)
            return False
    return patch_store(final, nt, changes)


def _load_slices(exe: str, nt: Path, location: Path, failed: list[str]) -> None:
    """Load ``nt`` into the store at ``location`` with ``oxigraph load``, a slice at a time
    (see :data:`SLICE`); on failure, append the message (naming the file and line) to
    ``failed`` and stop.

    ``--lenient`` skips the IRI checks (a sixth of the loader's CPU): graph.nt is kg's own
    output, written from terms it escaped itself. A lenient load skips a statement it cannot
    parse and goes on, so its log is read for that too.
    """
    cmd = [exe, "load", "--location", str(location), "--format", "nt", "--lenient"]
    ranges = slices(nt, SLICE)
    die = functools.partial(die_with_parent, os.getpid())  # no loader outlives the build
    with nt.open("rb") as source, tempfile.TemporaryFile() as log:
        for start, end in ranges:
            log.seek(0)
            log.truncate()
            if len(ranges) == 1:  # the loader reads the file itself
                whole = [*cmd, "--file", str(nt)]
                code = subprocess.call(
                    whole, stdin=subprocess.DEVNULL, stdout=log, stderr=log, preexec_fn=die
                )
            else:
                proc = subprocess.Popen(
                    cmd, stdin=subprocess.PIPE, stdout=log, stderr=log, preexec_fn=die
                )
                assert proc.stdin is not None
                _copy_range(source, start, end, proc.stdin)
                code = proc.wait()
            log.seek(0)
            text = log.read().decode("utf-8", "replace")
            if code or "Parsing error" in text:
                failed.append(_load_error(nt, source, start, text, code))
                return


def _copy_range(source: Any, start: int, end: int, sink: Any) -> None:
    """Copy bytes ``start:end`` of ``source`` into the pipe ``sink`` and close it."""
    source.seek(start)
    try:
        left = end - start
        while left:
            block = source.read(min(left, 8 * 2**20))
            sink.write(block)
            left -= len(block)
        sink.close()
    except BrokenPipeError:  # the loader stopped: its log says why
        pass


def _load_error(nt: Path, source: Any, start: int, log: str, code: int) -> str:
    """The message of a failed load: ``graph.nt:LINE: what the parser said``."""
    found = re.search(r"(?:Parsing error|Error while loading)[^:]*: (.*at line (\d+).*)", log)
    if not found:
        lines = log.strip().splitlines()
        return f"oxigraph load {nt} failed: {lines[-1] if lines else f'exit code {code}'}"
    line = first_line(source, start) + int(found.group(2)) - 1
    return f"{nt}:{line}: oxigraph load failed: {found.group(1)}"


PATCH_LIMIT = 0.2
"""Past this share of graph.nt's bytes changed, a full reload is cheaper than patching."""


def patch_store(store_dir: Path, nt: Path, changes: tuple[bytes, bytes]) -> bool:
    """Remove and add the triples of ``changes`` (N-Triples lines); False if too big."""
    if sum(map(len, changes)) > PATCH_LIMIT * max(nt.stat().st_size, 1):
        return False
    (store_dir / STAMP).unlink(missing_ok=True)  # stale until the patch is complete
    store = ox.Store(str(store_dir))
    for text, apply in zip(changes, (store.remove, store.add), strict=True):
        for triple in ox.parse(text, format=ox.RdfFormat.N_TRIPLES):
            apply(ox.Quad(triple.subject, triple.predicate, triple.object))
    store.flush()
    base = base_of(store)
    del store
    write_stamp(store_dir, nt, base)
    return True
