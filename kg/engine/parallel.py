"""Run a function in a forked child while this process goes on: the other core's share.

A forked child sees this process's objects (the graph, the parsed articles) copy-on-write,
so nothing is pickled on the way in; only the result comes back through a pipe.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from kg.errors import KgError


def can_fork() -> bool:
    """True on a platform that forks, in a single-threaded process, with the memory free
    for a copy of this process (:func:`room_to_fork`).

    A notebook kernel has threads, and a forked copy of a thread's locks can hang, so
    there the work stays in this process; the CLI gets the speed.
    """
    import multiprocessing
    import threading

    return (
        not _ONE_PROCESS
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
        and room_to_fork()
    )


_ONE_PROCESS = False


@contextmanager
def one_process(on: bool = True) -> Iterator[None]:
    """Within this block (when ``on``), work that could go to other processes stays in this
    one: no fork, no helper (``kg build --jobs 1``, the build that needs least memory).

    Examples
    --------
    >>> with one_process():
    ...     print(can_fork(), in_one_process())
    False True
    """
    global _ONE_PROCESS
    before = _ONE_PROCESS
    _ONE_PROCESS = before or on
    try:
        yield
    finally:
        _ONE_PROCESS = before


def in_one_process() -> bool:
    """Whether the caller is inside :func:`one_process`."""
    return _ONE_PROCESS


def room_to_fork(size: int | None = None, available: int | None = None) -> bool:
    """Whether the machine has the memory for a forked child that copies this process.

    A child shares the parent's pages only until one of them writes to a page, and
    reading a Python object writes its reference count: a child that reads the graph
    ends up with its own copy of it. So a fork needs free memory (``MemAvailable``) for
    this process's resident size, plus :data:`FORK_MARGIN`. Where the sizes cannot be
    read (not Linux), the answer is yes. Sizes are in bytes.

    Examples
    --------
    >>> room_to_fork(size=3 * 2**30, available=16 * 2**30)
    True
    >>> room_to_fork(size=3 * 2**30, available=3 * 2**30)
    False
    """
    try:
        if size is None:
            with open("/proc/self/statm") as f:
                size = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        if available is None:
            with open("/proc/meminfo") as f:
                found = [line for line in f if line.startswith("MemAvailable:")]
            available = int(found[0].split()[1]) * 1024
    except (OSError, ValueError, IndexError, AttributeError):
        return True
    return available >= size + FORK_MARGIN


FORK_MARGIN = 2**30
"""Memory kept free beside a fork's copy (the store's loader runs beside it too)."""


def fork(func: Callable[..., Any], *args: Any, what: str = "work") -> Callable[[], Any]:
    """Run ``func(*args)`` in a forked child; return the function that waits for its result.

    The waiting function returns what ``func`` returned, or raises its error: a
    :class:`KgError` as itself, anything else as a ``RuntimeError`` naming it. ``what``
    names the work in the message given when the child dies.

    Examples
    --------
    >>> if can_fork():
    ...     result = fork(sum, [1, 2, 3])
    ...     print(result())
    ... else:
    ...     print(6)
    6
    """
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def main() -> None:
        try:
            send.send(("ok", func(*args)))
        except KgError as exc:
            send.send(("kg", str(exc)))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the parent
            send.send(("error", f"{type(exc).__name__}: {exc}"))

    process = context.Process(target=main, daemon=True)
    process.start()
    send.close()

    def result() -> Any:
        try:
            status, value = receive.recv()
        except EOFError:
            value, status = f"the process doing the {what} died (out of memory?)", "kg"
        process.join()
        receive.close()
        if status == "ok":
            return value
        raise KgError(value) if status == "kg" else RuntimeError(value)

    return result


def in_halves(
    func: Callable[..., Any], items: list[Any], *args: Any, minimum: int, what: str
) -> list[Any]:
    """``func(items, *args)``, with the first half of ``items`` done by a forked child when
    there are at least ``minimum`` of them; return the result of each part, in order.

    Examples
    --------
    >>> parts = in_halves(sum, [3, 1, 2, 5, 4], minimum=2, what="adding")
    >>> sum(parts)  # [4, 11] when forked, [15] otherwise
    15
    """
    if len(items) < minimum or not can_fork():
        return [func(items, *args)]
    half = len(items) // 2
    first = fork(func, items[:half], *args, what=what)
    rest = func(items[half:], *args)
    return [first(), rest]
