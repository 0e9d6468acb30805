"""Run a SPARQL query where a time limit really stops it: in a child process that is killed.

pyoxigraph's ``Store.query`` takes no time-out and cannot be interrupted: a cartesian
product keeps a core busy until it ends, whatever the caller does. So ``kg query`` (and
``kg.sparql(..., timeout=S)``) runs the query in a child: a new Python interpreter started
with :mod:`subprocess` (``python -m kg.store.child``, no fork of the caller), whose
address space is capped (``RLIMIT_AS``, :data:`~kg.store.guard.MAX_MEMORY`) and which the
parent kills (SIGKILL) when the time is up. The child runs :func:`kg.store.query.execute`, the
same code as in-process queries, so results, bound values and messages are the same; it
writes a W3C results document (or N-Triples) that the parent reads back. Starting it costs
about 0.2 s.

The query is checked (:func:`kg.store.guard.check_query`) in the parent first, so a
refused query never starts a child.

Examples
--------
>>> result = run_raw("SELECT ?c WHERE { ?c kgv:missing true }", "exports", timeout=5)
>>> sorted(s["c"].value for s in result)[0]
'http://example.org/kg/concept/client-facing'
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import KgError, QueryTimeout
from kg.store.database import query_prefixes
from kg.store.guard import DEFAULT_TIMEOUT, MAX_DEPTH, MAX_MEMORY, MAX_QUERY_BYTES, check_query
from kg.store.results import as_term

"""Exit status of a child that met a :class:`~kg.errors.KgError` (its message on stderr)."""

KG_ERROR = 3
"""Exit status of a child that met a :class:`~kg.errors.KgError` (its message on stderr)."""

NO_MEMORY = 4
"""Exit status of a child that ran out of the memory it may use."""

SOLUTIONS, BOOLEAN, GRAPH = b"solutions", b"boolean", b"graph"
"""The first line of a child's answer: what kind of result follows."""


def run_raw(
    query: str,
    data: str | os.PathLike[str],
    *,
    bindings: Mapping[str, Any] | None = None,
    graph: str | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    max_memory: int | None = MAX_MEMORY,
    allow_service: bool = False,
    max_query_bytes: int | None = MAX_QUERY_BYTES,
    max_depth: int | None = MAX_DEPTH,
) -> ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]:
    """Run ``query`` on the build ``data`` in a child process; return the result as
    pyoxigraph objects (what :func:`kg.store.query.execute` returns; CONSTRUCT and DESCRIBE
    give a list of triples).

    Raises :class:`~kg.errors.QueryTimeout` when ``timeout`` seconds pass (the child is
    killed), :class:`~kg.errors.QueryRefused` for a refused query, and
    :class:`~kg.errors.KgError` with the child's message for any other failure.

    Examples
    --------
    >>> bool(run_raw("ASK { ?s ?p ?o }", "exports", timeout=5))  # doctest: +SKIP
    True
    """
    request = _request(
        query, data, bindings, graph, allow_service, max_query_bytes, max_depth, max_memory
    )
    out = _run(request, timeout, max_memory)
    kind, _, payload = out.partition(b"\n")
    if kind == GRAPH:
        quads = ox.parse(payload, format=ox.RdfFormat.N_TRIPLES)
        return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    return ox.parse_query_results(payload, format=ox.QueryResultsFormat.JSON)


# --- helpers --------------------------------------------------------------------------------


def _request(
    query: str,
    data: Any,
    bindings: Mapping[str, Any] | None,
    graph: str | None,
    allow_service: bool,
    max_query_bytes: int | None,
    max_depth: int | None,
    max_memory: int | None,
) -> dict[str, Any]:

    if not isinstance(data, (str, os.PathLike)):
        raise KgError(
            "a time limit runs the query in another process, which needs a build folder "
            "(data='exports'), not an open store or a graph: pass timeout=None"
        )
    check_query(
        query,
        max_bytes=max_query_bytes,
        max_depth=max_depth,
        allow_service=allow_service,
        declared=query_prefixes(data),
    )
    terms = {k.lstrip("?$"): str(as_term(v)) for k, v in (bindings or {}).items()}
    return {
        "query": query,
        "data": str(Path(data).resolve()),
        "bindings": terms,
        "graph": graph,
        "allow_service": allow_service,
        "max_query_bytes": max_query_bytes,
        "max_depth": max_depth,
        "max_memory": max_memory,
    }


def _run(request: dict[str, Any], timeout: float | None, max_memory: int | None) -> bytes:
    """Start the child, give it ``request``, wait at most ``timeout`` s; kill it past that."""
    root = str(Path(__file__).resolve().parents[2])  # the folder holding this kg package
    path = os.environ.get("PYTHONPATH")
    env = {**os.environ, "PYTHONPATH": root + (os.pathsep + path if path else "")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg.store.child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        out, err = proc.communicate(json.dumps(request).encode("utf-8"), timeout=timeout or None)
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise QueryTimeout(
            f"query stopped after {timeout:g} s, its time limit (it was killed: nothing of it "
            "runs on)"
        ) from None
    except BaseException:  # Ctrl-C: the child goes too
        _kill(proc)
        raise
    if proc.returncode == 0:
        return out
    text = err.decode("utf-8", "replace").strip()
    if proc.returncode == KG_ERROR:
        raise KgError(text)
    if "memory allocation" in text or proc.returncode in (NO_MEMORY, -9):
        cap = f" (its limit is {max_memory / 2**30:g} GiB)" if max_memory else ""
        raise KgError(f"query stopped: it ran out of memory{cap}")
    last = text.splitlines()[-1] if text else f"exit status {proc.returncode}"
    raise KgError(f"query stopped: the query process failed: {last}")


def _kill(proc: subprocess.Popen) -> None:
    proc.kill()
    proc.communicate()
