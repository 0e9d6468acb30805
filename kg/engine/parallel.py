"""The other processes of a build, all through ``multiprocessing``: one :class:`Workers` per
build says what it may use.

* a pool of forked workers (:meth:`Workers.map`): parsing;
* one forked child beside this process (:meth:`Workers.fork`, :meth:`Workers.in_halves`):
  it sees this process's objects copy-on-write, so nothing is pickled on the way in, and
  only its result comes back;
* a helper started fresh (:meth:`Workers.helper`), talking through two pipes: for work
  that runs while this process changes most of its memory (a forked child would keep a
  copy of every page this process writes).

``Workers(jobs=1)`` keeps everything in this process (``kg build --jobs 1``).

No process outlives the build: each child asks the system to kill it when its parent
dies (:func:`die_with_parent`, Linux's ``PR_SET_PDEATHSIG``), so a build killed with
SIGKILL leaves no worker, forked child or helper behind (one would hold the build's
output pipe open: ``kg build | cat`` would never end).
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from kg.errors import KgError

FORK_MARGIN = 2**30
"""Memory kept free beside a fork's copy (the store's loader runs beside it too)."""


_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int | None = None) -> None:
    """(In a child process.) Be killed when the parent process dies; exit now if it
    already has (``parent``: its pid when the child was made, where known).

    On Linux through ``prctl(PR_SET_PDEATHSIG, SIGKILL)``; elsewhere it does nothing.
    Used as the ``preexec_fn`` of the commands a build runs, too.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if parent is not None and os.getppid() != parent:
        os._exit(1)


class Workers:
    """What one build may run in other processes: ``jobs`` parse workers (default: the
    cores), and forks and helpers unless ``jobs`` is 1.

    Examples
    --------
    >>> Workers(1).can_fork(), Workers(1).jobs
    (False, 1)
    """

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = max(1, jobs if jobs else (os.cpu_count() or 1))
        self.single = jobs == 1

    def can_fork(self) -> bool:
        """True on a platform that forks, in a single-threaded process, with the memory
        free for a copy of this process (:func:`room_to_fork`), unless ``jobs`` is 1.

        A notebook kernel has threads, and a forked copy of a thread's locks can hang, so
        there the work stays in this process; the command line gets the speed.
        """
        return (
            not self.single
            and "fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1
            and room_to_fork()
        )

    def can_help(self) -> bool:
        """Whether a helper process may share work (more than one core, ``jobs`` not 1)."""
        return not self.single and (os.cpu_count() or 1) > 1

    def fork(self, func: Callable[..., Any], *args: Any, what: str = "work") -> Callable[[], Any]:
        """Run ``func(*args)`` in a forked child; return the function that waits for its
        result (see :func:`fork`)."""
        return fork(func, *args, what=what)

    def in_halves(
        self, func: Callable[..., Any], items: list[Any], *args: Any, minimum: int, what: str
    ) -> list[Any]:
        """``func(items, *args)``, with the first half of ``items`` done by a forked child
        when there are at least ``minimum`` of them; the result of each part, in order.

        Examples
        --------
        >>> parts = Workers().in_halves(sum, [3, 1, 2, 5, 4], minimum=2, what="adding")
        >>> sum(parts)  # [4, 11] when forked, [15] otherwise
        15
        """
        if len(items) < minimum or not self.can_fork():
            return [func(items, *args)]
        half = len(items) // 2
        first = self.fork(func, items[:half], *args, what=what)
        rest = func(items[half:], *args)
        return [first(), rest]

    def map(self, func: Callable[..., Any], chunks: list[Any], *args: Any) -> Iterator[Any]:
        """``func(chunk, *args)`` for each chunk, in ``jobs`` forked workers (in this process
        when ``jobs`` is 1 or there is one chunk), results in order.

        Examples
        --------
        >>> list(Workers(1).map(sum, [[1, 2], [3]]))
        [3, 3]
        """
        if self.jobs == 1 or len(chunks) < 2:
            yield from (func(chunk, *args) for chunk in chunks)
            return
        method = "fork" if sys.platform.startswith("linux") else None
        context = multiprocessing.get_context(method)
        with ProcessPoolExecutor(
            max_workers=self.jobs,
            mp_context=context,
            initializer=die_with_parent,
            initargs=(os.getpid(),),
        ) as pool:
            yield from pool.map(func, chunks, *([arg] * len(chunks) for arg in args))

    def helper(self, target: Callable[[Connection, Connection], None]) -> Helper | None:
        """Start ``target(inbox, outbox)`` in a fresh process (not a fork); None when no
        process can be started (an embedded Python)."""
        context = multiprocessing.get_context("spawn")
        inbox, to_helper = context.Pipe(duplex=False)
        from_helper, outbox = context.Pipe(duplex=False)
        process = context.Process(
            target=_helper_main, args=(target, inbox, outbox, os.getpid()), daemon=True
        )
        try:
            process.start()
        except (OSError, RuntimeError, ValueError):
            return None
        inbox.close()
        outbox.close()
        return Helper(process, to_helper, from_helper)


def _helper_main(
    target: Callable[[Connection, Connection], None],
    inbox: Connection,
    outbox: Connection,
    parent: int,
) -> None:
    """(The helper process.) Die with the parent; end quietly when a pipe closes."""
    die_with_parent(parent)
    with contextlib.suppress(EOFError, OSError):  # the parent closed its ends, or is gone
        target(inbox, outbox)


@dataclass
class Helper:
    """A helper process and this process's ends of its two pipes."""

    process: multiprocessing.process.BaseProcess
    send: Connection
    receive: Connection

    def close(self) -> None:
        """Close this end of the pipes (the helper then reads the end) and wait for it."""
        for end in (self.send, self.receive):
            end.close()
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


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


def fork(func: Callable[..., Any], *args: Any, what: str = "work") -> Callable[[], Any]:
    """Run ``func(*args)`` in a forked child; return the function that waits for its result.

    The waiting function returns what ``func`` returned, or raises its error: a
    :class:`KgError` as itself, anything else as a ``RuntimeError`` naming it. ``what``
    names the work in the message given when the child dies. Its ``cancel()`` stops the
    child instead (when the caller fails and no longer wants the result).

    Examples
    --------
    >>> if Workers().can_fork():
    ...     result = fork(sum, [1, 2, 3])
    ...     print(result())
    ... else:
    ...     print(6)
    6
    """
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    parent = os.getpid()

    def main() -> None:
        die_with_parent(parent)
        try:
            send.send(("ok", func(*args)))
        except KgError as exc:
            send.send(("kg", str(exc)))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the parent
            send.send(("error", f"{type(exc).__name__}: {exc}"))

    process = context.Process(target=main, daemon=True)
    process.start()
    send.close()

    def cancel() -> None:
        """Stop the child (its result is no longer wanted) and wait for it."""
        if process.is_alive():
            process.kill()
        process.join()
        receive.close()

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

    result.cancel = cancel  # type: ignore[attr-defined]
    return result
