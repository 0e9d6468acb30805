"""The child process of a bounded query (:mod:`kg.store.bounded`): read the request (JSON)
on stdin, cap this process's memory, run :func:`kg.store.query.execute`, write the answer
(a W3C results document, or N-Triples) on stdout.

Run as ``python -m kg.store.child``; the exit status says how it ended (:data:`KG_ERROR`,
:data:`NO_MEMORY`).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import pyoxigraph as ox

from kg.errors import KgError
from kg.store.bounded import BOOLEAN, GRAPH, KG_ERROR, NO_MEMORY, SOLUTIONS
from kg.store.query import execute


def main() -> int:
    """The child: read the request (JSON) on stdin, run it, write the answer on stdout."""
    request = json.loads(sys.stdin.buffer.read())
    limit_memory(request["max_memory"])

    data = request["data"]
    try:
        bindings = {k: term(v) for k, v in request["bindings"].items()} or None
        result = execute(
            request["query"],
            data,
            bindings=bindings,
            graph=request["graph"],
            allow_service=request["allow_service"],
            max_query_bytes=request["max_query_bytes"],
            max_depth=request["max_depth"],
        )
        if isinstance(result, ox.QueryTriples):
            out = GRAPH + b"\n" + ox.serialize(list(result), format=ox.RdfFormat.N_TRIPLES)
        else:
            kind = BOOLEAN if isinstance(result, ox.QueryBoolean) else SOLUTIONS
            out = kind + b"\n" + result.serialize(format=ox.QueryResultsFormat.JSON)
    except KgError as exc:
        sys.stderr.write(str(exc))
        return KG_ERROR
    except MemoryError:
        sys.stderr.write("memory allocation failed")
        return NO_MEMORY
    except (OSError, RuntimeError, ValueError) as exc:  # evaluation errors (a SERVICE that failed)
        sys.stderr.write(f"query failed: {exc}")
        return KG_ERROR
    sys.stdout.buffer.write(out)
    sys.stdout.flush()
    return 0


def limit_memory(limit: int | None) -> None:
    """Cap this process's address space at ``limit`` bytes (None: no cap)."""
    if not limit:
        return
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def term(text: str) -> Any:
    """A term written as N-Triples (``<iri>``, ``"literal"^^<type>``) back as a pyoxigraph term."""
    triple = next(iter(ox.parse(f"<urn:s> <urn:p> {text} .\n", format=ox.RdfFormat.N_TRIPLES)))
    return triple.object


if __name__ == "__main__":
    sys.exit(main())
