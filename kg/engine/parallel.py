"""The other processes of a build: one :class:`Workers` per build says what it may use.

* a pool of forked workers (:meth:`Workers.map`): parsing;
* one forked child beside this process (:meth:`Workers.fork`, :meth:`Workers.in_halves`):
  it sees this process's objects copy-on-write, so nothing is pickled on the way in, and
  only its result comes back;
* a helper started fresh (:meth:`Workers.helper`, ``python -c``), talking through two
  pipes (``multiprocessing`` connections): for work that runs while this process changes
  most of its memory (a forked child would keep a copy of every page this process
  writes). It imports its target by name, never the caller's script.

``Workers(jobs=1)`` keeps everything in this process (``kg build --jobs 1``).

No process outlives the build: each child asks the system to kill it when its parent
dies (:func:`die_with_parent`, Linux's ``PR_SET_PDEATHSIG``), so a build killed with
SIGKILL leaves no worker, forked child or helper behind (one would hold the build's
output pipe open: ``kg build | cat`` would never end).
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import multiprocessing
import os
import signal
import subprocess
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
        """Start ``target(inbox, outbox)`` in a fresh Python process (not a fork); None when
        no process can be started (an embedded Python).

        ``target`` is named by module and name and imported there, so the helper never
        runs the caller's script again (``multiprocessing``'s "spawn" imports ``__main__``:
        a script without an ``if __name__ == "__main__"`` guard would build twice).
        """
        to_helper_r, to_helper_w = os.pipe()
        from_helper_r, from_helper_w = os.pipe()
        ends = (to_helper_r, from_helper_w)
        name = f"{target.__module__}:{target.__qualname__}"
        code = "from kg.engine.parallel import helper_main; helper_main()"
        args = [sys.executable, "-c", code, name, *map(str, ends), str(os.getpid())]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(_import_path())}
        try:
            process = subprocess.Popen(args, pass_fds=ends, stdin=subprocess.DEVNULL, env=env)
        except (OSError, ValueError):
            for fd in (to_helper_w, from_helper_r):
                os.close(fd)
            return None
        finally:
            for fd in ends:
                os.close(fd)
        return Helper(
            process,
            Connection(to_helper_w, readable=False),
            Connection(from_helper_r, writable=False),
        )


def helper_main() -> None:
    """(The helper process: ``python -c``, argv ``module:name inbox outbox parent``.) Die
    with the parent; run the target on the two pipes; end quietly when a pipe closes."""
    name, inbox, outbox, parent = sys.argv[1:5]
    die_with_parent(int(parent))
    module, _, qualname = name.partition(":")
    target = importlib.import_module(module)
    for part in qualname.split("."):
        target = getattr(target, part)
    receive = Connection(int(inbox), writable=False)
    send = Connection(int(outbox), readable=False)
    with contextlib.suppress(EOFError, OSError):  # the parent closed its ends, or is gone
        target(receive, send)


def _import_path() -> list[str]:
    """Where this process found kg, then its own ``PYTHONPATH``: the helper imports the
    same kg (a checkout put on ``sys.path`` by hand included)."""
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    given = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return [here, *(p for p in given if p != here)]


@dataclass
class Helper:
    """A helper process and this process's ends of its two pipes."""

    process: subprocess.Popen
    send: Connection
    receive: Connection

    def close(self) -> None:
        """Close this end of the pipes (the helper then reads the end) and wait for it."""
        for end in (self.send, self.receive):
            end.close()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


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
