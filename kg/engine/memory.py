"""Memory tricks of a build, each in one place: give freed memory back to the operating
system (:func:`release_free_memory`), pause the cycle collector (:func:`no_gc`), end the
process without freeing its objects one by one (:func:`exit_now`).

A build frees gigabytes at two points: the pickled chunks its parse workers sent, once
unpickled, and the articles' prose, once the graph is built. glibc's allocator keeps
freed memory inside the process unless asked to return it, so without
:func:`release_free_memory` the build process stays as large as its peak, and a child it
forks shares (and may copy) those pages. On the whole wiki's shape this nearly halves
the build process before its exports (``benchmarks/bench_build.py`` measures it).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import sys
from collections.abc import Iterator
from functools import cache
from typing import Any


def release_free_memory() -> bool:
    """Return the heap's free pages to the operating system; True if it could be asked.

    Uses glibc's ``malloc_trim(0)``; elsewhere (macOS, musl) it does nothing.

    Examples
    --------
    >>> release_free_memory() in (True, False)
    True
    """
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


@cache
def _malloc_trim() -> Any:
    """glibc's ``malloc_trim``, or None where the C library has none."""
    try:
        return ctypes.CDLL(None).malloc_trim  # the symbols this process has: libc's included
    except (OSError, AttributeError):
        return None


def exit_now(code: int) -> None:
    """End the process with ``code`` without freeing its objects one by one.

    On the whole wiki's 420,000 files, freeing the graph object by object took 10 s,
    which the operating system does at once. Standard streams are flushed first.
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BrokenPipeError, OSError):
            stream.flush()
    os._exit(code)


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cycle collector for a build: it makes millions of acyclic objects, and
    each full collection walks all of them to find nothing (a fifth of the graph stage,
    and more than half of the report's time, went to that).

    Examples
    --------
    >>> with no_gc():
    ...     gc.isenabled()
    False
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
