"""``kg query``, ``kg serve`` and ``kg push``: SPARQL over a build, on the command line,
over HTTP, and into a bigger store. The work is done by :mod:`kg.store.query`,
:mod:`kg.store.named` and :mod:`kg.store.server`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kg.cli.output import add_data_option, format_table, print_json, print_table
from kg.errors import BadInput, InvalidArgument, QueryRefused

QUERY_EPILOG = """\
The prefixes rdf rdfs xsd skos dct kgv concept keyword link base are declared for you.

examples:
  kg query 'SELECT ?slug ?label WHERE { ?c kgv:missing true ; dct:identifier ?slug ;
            rdfs:label ?label } ORDER BY ?slug'
  kg query --list
  kg query --name who-links-to --param slug=lease
  kg query --name shared-keywords --param a=backoffice --param b=frontoffice --format csv
  kg query --file my.rq --data build/ --format json
  kg query 'CONSTRUCT WHERE { concept:lease ?p ?o }' --format ttl

  $ kg query --name who-links-to --param slug=lease
  slug   source      label        weight
  -----  ----------  -----------  ------
  lease  backoffice  back office  1
  (1 row)

--format csv, tsv and json are the W3C SPARQL 1.1 results formats; CONSTRUCT and
DESCRIBE print Turtle (ttl, the default) or N-Triples (nt).

limits: a query runs in its own process, stopped after --timeout seconds (default 30;
0 runs it in kg's process without a limit) with at most --max-memory MiB (default 4096).
Queries longer than --max-query-bytes (default 65536) or nesting { ( [ deeper than
--max-depth (default 64) are refused, and so is SERVICE unless --allow-service is given.
"""

SERVE_EPILOG = """\
Serves the build with Oxigraph's own server (oxigraph serve-read-only) behind kg's
guard, read-only: SPARQL 1.1 Protocol queries at /query, a query page at /; updates
are refused (403). Ctrl-C stops it.

limits: a query gets --timeout seconds (default 30, answer included; 0: none), then
the server stops it and answers 504; queries longer than --max-query-bytes (default
65536), nesting { ( [ deeper than --max-depth (default 64), using an undeclared prefix
or SERVICE (unless --allow-service) are refused with 400.

example:
  $ kg serve --port 7878 --timeout 30
  kg: serving exports read-only at http://127.0.0.1:7878/query (Ctrl-C stops)

  # in another shell:
  $ curl -H 'Accept: text/csv' http://127.0.0.1:7878/query \\
      --data-urlencode 'query=SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
"""

PUSH_EPILOG = """\
Uploads graph.nt with an HTTP PUT to a SPARQL 1.1 Graph Store Protocol endpoint,
replacing the default graph (or the graph --graph names).
  Oxigraph  http://HOST:7878/store
  Fuseki    http://HOST:3030/DATASET/data
  GraphDB   http://HOST:7200/repositories/REPO/rdf-graphs/service

examples:
  kg push http://localhost:7878/store
  kg push http://localhost:7878/store --graph https://example.org/graphs/wiki
  KG_PASSWORD=secret kg push https://fuseki.example.org/kg/data --user admin
  kg push http://db:3030/kg/data --user admin --password-env FUSEKI_PASSWORD

The password is read from the environment variable (--password-env, default
KG_PASSWORD), never from the command line, and never printed.
"""


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``query``, ``serve`` and ``push``."""
    fmt = argparse.RawDescriptionHelpFormatter

    p = sub.add_parser(
        "query",
        help="run SPARQL over the build",
        formatter_class=fmt,
        epilog=QUERY_EPILOG,
        description="Run a SPARQL query over the build: inline, from a file, or by name "
        "from kg's library of example queries.",
    )
    p.add_argument("query", nargs="?", metavar="QUERY", help="the query text ('-' reads stdin)")
    p.add_argument("--file", "-f", metavar="F", help="read the query from file F")
    p.add_argument("--name", "-n", metavar="NAME", help="run the named query NAME (see --list)")
    p.add_argument(
        "--param",
        "-p",
        action="append",
        default=[],
        metavar="K=V",
        help="a parameter of the named query, bound as a value (repeatable); <IRI> binds an IRI",
    )
    p.add_argument("--list", action="store_true", help="list the named queries and exit")
    p.add_argument("--show", action="store_true", help="print the named query's text and exit")
    add_data_option(p)
    p.add_argument(
        "--format",
        choices=["table", "csv", "tsv", "json", "ttl", "nt"],
        default="table",
        help="output format (default: table)",
    )
    add_limit_options(p)
    p.set_defaults(func=run_query)

    p = sub.add_parser(
        "serve",
        help="serve the build as a read-only SPARQL endpoint",
        formatter_class=fmt,
        epilog=SERVE_EPILOG,
        description="Serve the build at http://HOST:PORT/query on a real SPARQL server.",
    )
    add_data_option(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=7878, help="port (default: 7878)")
    add_limit_options(p)
    p.set_defaults(func=run_serve)

    p = sub.add_parser(
        "push",
        help="upload the build to a SPARQL Graph Store endpoint",
        formatter_class=fmt,
        epilog=PUSH_EPILOG,
        description="Upload the build to any SPARQL 1.1 Graph Store Protocol endpoint, "
        "replacing the target graph.",
    )
    p.add_argument("endpoint", metavar="ENDPOINT", help="the Graph Store endpoint URL")
    p.add_argument("--graph", metavar="IRI", help="target named graph (default: the default graph)")
    add_data_option(p)
    p.add_argument("--user", metavar="U", help="HTTP Basic user")
    p.add_argument(
        "--password-env",
        default="KG_PASSWORD",
        metavar="VAR",
        help="environment variable holding the password (default: KG_PASSWORD)",
    )
    p.set_defaults(func=run_push)


def add_limit_options(p: argparse.ArgumentParser) -> None:
    """Add what bounds a query: ``--timeout``, ``--max-memory``, ``--max-query-bytes``,
    ``--max-depth``, ``--allow-service``."""
    from kg.store import guard

    p.add_argument(
        "--timeout",
        type=float,
        default=guard.DEFAULT_TIMEOUT,
        metavar="S",
        help=f"stop a query after S seconds (default: {guard.DEFAULT_TIMEOUT:g}; 0: no limit)",
    )
    p.add_argument(
        "--max-memory",
        type=int,
        default=guard.MAX_MEMORY // 2**20,
        metavar="MB",
        help=f"memory of a query's process in MiB (default: {guard.MAX_MEMORY // 2**20}; "
        "0: no limit)",
    )
    p.add_argument(
        "--max-query-bytes",
        type=int,
        default=guard.MAX_QUERY_BYTES,
        metavar="N",
        help=f"refuse longer queries (default: {guard.MAX_QUERY_BYTES}; 0: no limit)",
    )
    p.add_argument(
        "--max-depth",
        type=int,
        default=guard.MAX_DEPTH,
        metavar="N",
        help=f"refuse queries nesting {{ ( [ deeper (default: {guard.MAX_DEPTH}; 0: no limit)",
    )
    p.add_argument(
        "--allow-service",
        action="store_true",
        help="run SERVICE (federated queries: requests to the endpoints a query names)",
    )


def _limits(args: argparse.Namespace) -> dict[str, Any]:
    for flag in ("timeout", "max_memory", "max_query_bytes", "max_depth"):
        if getattr(args, flag) < 0:
            raise InvalidArgument(flag, "must be 0 or more")
    return {
        "allow_service": args.allow_service,
        "max_query_bytes": args.max_query_bytes or None,
        "max_depth": args.max_depth or None,
    }


def _refused(exc: QueryRefused) -> QueryRefused:
    """``exc`` with the flag that lifts its limit named."""
    flag = {
        "max_query_bytes": "--max-query-bytes N",
        "max_depth": "--max-depth N",
        "allow_service": "--allow-service",
    }.get(exc.setting or "")
    return QueryRefused(f"{exc} ({flag} changes this)", exc.setting) if flag else exc


def run_query(args: argparse.Namespace) -> int:
    """``kg query``."""
    from kg.store import named as nq
    from kg.store import query as q

    if args.list:
        return _list(nq.list_queries(), args.format)
    sources = [s for s in (args.query, args.file, args.name) if s is not None]
    if len(sources) != 1:
        raise InvalidArgument(
            "query",
            "give one query: inline (QUERY), --file F or --name NAME "
            "(kg query --list shows the names)",
            prefix=False,
        )
    bindings = None
    if args.name:
        named = nq.named_query(args.name)
        if args.show:
            sys.stdout.write(named.text)
            return 0
        bindings = named.bindings(_params(args.param))
        text = named.text
    else:
        if args.param:
            raise InvalidArgument(
                "params", "--param goes with --name (inline queries bind nothing)", prefix=False
            )
        text = _read_text(args.query, args.file)
    limits = _limits(args)
    try:
        if args.timeout:  # in a child process that is killed when the time is up
            from kg.store.bounded import run_raw

            result = run_raw(
                text,
                args.data,
                bindings=bindings,
                timeout=args.timeout,
                max_memory=args.max_memory * 2**20 or None,
                **limits,
            )
        else:
            result = q.execute(text, args.data, bindings=bindings, **limits)
        try:
            out = _formatted(result, args.format, q.query_prefixes(args.data))
        except (OSError, RuntimeError) as exc:  # evaluation errors, e.g. a SERVICE failing
            raise BadInput(f"query failed: {exc}") from None
    except QueryRefused as exc:
        raise _refused(exc) from None
    sys.stdout.buffer.write(out if out.endswith(b"\n") or not out else out + b"\n")
    sys.stdout.flush()
    return 0


def _formatted(result: Any, fmt: str, prefix_map: dict[str, str]) -> bytes:
    """The result as ``--format`` asks: a table (the default; Turtle for a graph), or a file
    format of :mod:`kg.store.results`."""
    import pyoxigraph as ox

    from kg.store import results

    if fmt != "table":
        return results.serialize(result, fmt, prefix_map=prefix_map)
    if isinstance(result, (ox.QueryTriples, list)):
        return results.serialize(result, "ttl", prefix_map=prefix_map)
    if isinstance(result, ox.QueryBoolean):
        return b"true\n" if bool(result) else b"false\n"
    names, rows = results.table_rows(result, prefix_map)
    footer = f"({len(rows)} row{'s' if len(rows) != 1 else ''})"
    return (format_table(rows, names, max_width=60) + "\n" + footer + "\n").encode("utf-8")


def run_serve(args: argparse.Namespace) -> int:
    """``kg serve``."""
    from kg.store.server import serve

    if not 0 < args.port < 65536:
        raise InvalidArgument("port", f"{args.port} is not a port number")
    limits = _limits(args)
    return serve(
        args.data,
        host=args.host,
        port=args.port,
        timeout=args.timeout or None,
        max_memory=args.max_memory * 2**20 or None,
        **limits,
    )


def run_push(args: argparse.Namespace) -> int:
    """``kg push``."""
    from kg.store.server import push

    info = push(
        args.endpoint, args.data, graph=args.graph, user=args.user, password_env=args.password_env
    )
    target = f"graph <{info['graph']}>" if info["graph"] else "the default graph"
    print(
        f"kg: pushed {info['triples']} triples ({info['bytes']:,} bytes) to {target} at "
        f"{info['endpoint']} (HTTP {info['status']})"
    )
    return 0


def _params(items: list[str]) -> dict[str, str]:
    params = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidArgument("params", f"--param {item!r}: write NAME=VALUE", prefix=False)
        params[key.strip()] = value
    return params


def _read_text(query: str | None, file: str | None) -> str:
    if file is not None:
        try:
            with open(file, encoding="utf-8") as f:
                return f.read()
        except OSError as exc:
            raise BadInput(f"cannot read {file}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise BadInput(f"{file} is not UTF-8 text") from None
    if query == "-":
        return sys.stdin.read()
    return query or ""


def _list(queries: list, fmt: str) -> int:
    if fmt == "json":
        print_json(
            [
                {
                    "name": q.name,
                    "description": q.description,
                    "params": q.params,
                    "example": q.example,
                }
                for q in queries
            ]
        )
        return 0
    rows = [[q.name, " ".join(f"{p}=…" for p in q.params), q.description] for q in queries]
    print_table(rows, ["name", "params", "description"], max_width=90)
    return 0
