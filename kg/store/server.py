"""A build over HTTP: :func:`serve` it read-only with Oxigraph's server, :func:`push` it elsewhere.

``serve`` runs the ``oxigraph serve-read-only`` executable (a SPARQL 1.1 Protocol
endpoint) on the build's store behind kg's guard (:mod:`kg.store.endpoint`), and stops
both on Ctrl-C and SIGTERM; ``push`` uploads ``graph.nt`` to any SPARQL 1.1 Graph Store
Protocol endpoint.

Examples
--------
>>> info = push("http://localhost:7878/store", "exports")  # doctest: +SKIP
>>> info["triples"] == sum(1 for _ in open("exports/graph.nt", "rb"))  # doctest: +SKIP
True
"""

from __future__ import annotations

import base64
import contextlib
import os
import signal
import socket
import tempfile
from pathlib import Path
from typing import Any

from kg.errors import BadInput, InvalidArgument, KgError
from kg.formats.rdf import prefixes
from kg.store.database import (
    NT_FILE,
    STORE_DIR,
    base_iri,
    oxigraph_executable,
    require_build,
    store_is_fresh,
    write_store,
)
from kg.store.guard import DEFAULT_TIMEOUT, MAX_DEPTH, MAX_MEMORY, MAX_QUERY_BYTES
from kg.store.query import named_node
from kg.store.results import shorten


def serve(
    data: str | os.PathLike[str] = "exports",
    host: str = "127.0.0.1",
    port: int = 7878,
    timeout: float | None = DEFAULT_TIMEOUT,
    *,
    quiet: bool = False,
    allow_service: bool = False,
    max_query_bytes: int | None = MAX_QUERY_BYTES,
    max_depth: int | None = MAX_DEPTH,
    max_memory: int | None = MAX_MEMORY,
) -> int:
    """Serve the build read-only at ``http://HOST:PORT/query``: Oxigraph's server behind
    kg's guard.

    Runs ``oxigraph serve-read-only`` (from the ``oxigraph`` package) on a loopback port
    and, in front of it, the guard of :mod:`kg.store.endpoint`, which refuses queries
    that are too long or nested too deep, use ``SERVICE`` (unless ``allow_service``) or an
    undeclared prefix (HTTP 400), stops a query after ``timeout`` seconds by restarting
    the engine (HTTP 504), refuses updates (HTTP 403), and serves the query page at ``/``
    with kg's prefixes. Runs until Ctrl-C or SIGTERM; returns 0 on a clean stop. When the
    build has no fresh store, one is loaded from ``graph.nt`` into a temporary folder.

    Parameters
    ----------
    data : path
        The build folder.
    host, port :
        Where to listen (loopback by default: pass ``0.0.0.0`` to serve the network).
    timeout : float, optional
        Seconds a query may take, answer included (default 30; None: no limit).
    allow_service : bool
        Let federated queries (``SERVICE``) make the server send requests.
    max_query_bytes, max_depth, max_memory : int, optional
        Longest query, deepest nesting, the engine's address space in bytes (None: no limit).

    Examples
    --------
    >>> serve("exports", port=7878)  # doctest: +SKIP
    kg: serving exports read-only at http://127.0.0.1:7878/query (Ctrl-C stops)
    0
    """
    from kg.store.endpoint import run

    exe = _oxigraph_exe()
    _check_port_free(host, port)
    folder = Path(data)
    nt = require_build(folder, NT_FILE)
    location = folder / STORE_DIR
    with tempfile.TemporaryDirectory(prefix="kg-serve-") as tmp, tempfile.TemporaryFile() as log:
        if not store_is_fresh(folder):
            (Path(tmp) / "graph.nt").symlink_to(nt.resolve())
            location = write_store(tmp)
        previous = _on_sigterm()
        try:
            return run(
                exe,
                location,
                host,
                port,
                folder=folder,
                log=log,
                prefixes=prefixes(base_iri(folder)),
                timeout=timeout,
                allow_service=allow_service,
                max_query_bytes=max_query_bytes,
                max_depth=max_depth,
                max_memory=max_memory,
                quiet=quiet,
            )
        finally:
            _restore_sigterm(previous)


def push(
    endpoint: str,
    data: str | os.PathLike[str] = "exports",
    graph: str | None = None,
    user: str | None = None,
    password_env: str = "KG_PASSWORD",
    *,
    timeout: float = 300.0,
) -> dict[str, Any]:
    """Upload the build to a SPARQL 1.1 Graph Store Protocol endpoint, replacing a graph.

    Sends ``graph.nt`` with HTTP ``PUT`` to ``ENDPOINT?default`` (or
    ``ENDPOINT?graph=IRI``), which replaces that graph: Oxigraph ``…/store``, Fuseki
    ``…/DATASET/data``, GraphDB ``…/repositories/REPO/rdf-graphs/service``.

    Parameters
    ----------
    endpoint : str
        The Graph Store endpoint URL (``http``/``https``).
    data : path
        The build folder.
    graph : str, optional
        Target named graph IRI; the default graph when omitted.
    user : str, optional
        HTTP Basic user; the password is read from the environment variable
        ``password_env`` (never from the command line, never printed).

    Returns
    -------
    dict
        ``{"endpoint", "graph", "bytes", "triples", "status"}``.

    Examples
    --------
    >>> push("http://localhost:7878/store", "exports")  # doctest: +SKIP
    {'endpoint': 'http://localhost:7878/store', 'graph': None, 'bytes': 52311, 'triples': 391, ...}
    """
    import urllib.error
    import urllib.parse
    import urllib.request

    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidArgument(
            "endpoint",
            f"{endpoint!r} is not an http(s) URL (e.g. http://localhost:7878/store)",
            prefix=False,
        )
    if parts.username or parts.password:
        raise InvalidArgument(
            "endpoint",
            "put no credentials in the endpoint URL: give the user, and the password in the "
            f"{password_env} environment variable",
            prefix=False,
        )
    nt = require_build(data, NT_FILE)
    if graph is not None:
        named_node(graph)
    target = urllib.parse.urlencode({"graph": graph}) if graph else "default"
    url = f"{endpoint}{'&' if parts.query else '?'}{target}"
    size = nt.stat().st_size
    headers = {"Content-Type": "application/n-triples", "Content-Length": str(size)}
    if user is not None:
        password = os.environ.get(password_env)
        if password is None:
            raise BadInput(
                f"user {user} needs the password in the environment variable "
                f"{password_env} (export {password_env}=…)"
            )
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    where = f"{parts.scheme}://{parts.netloc}"
    with nt.open("rb") as body:
        request = urllib.request.Request(url, data=body, headers=headers, method="PUT")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            raise KgError(_http_error(exc, endpoint, user, password_env)) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, ConnectionRefusedError):
                raise KgError(
                    f"cannot connect to {where}: connection refused "
                    "(is the server running, and is the port right?)"
                ) from None
            raise KgError(f"cannot reach {where}: {reason}") from None
        except TimeoutError:
            raise KgError(f"{where} did not answer within {timeout:g} s") from None
        except ConnectionError as exc:
            raise KgError(f"connection to {where} failed: {exc}") from None
    return {
        "endpoint": endpoint,
        "graph": graph,
        "bytes": size,
        "triples": _count_lines(nt),
        "status": status,
    }


# --- helpers --------------------------------------------------------------------------------


def _oxigraph_exe() -> str:
    found = oxigraph_executable()
    if not found:
        raise KgError("the 'oxigraph' server is not installed: pip install oxigraph")
    return found


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise BadInput(
                f"cannot listen on {host}:{port}: {exc.strerror or exc} (choose another port)"
            ) from None


def _on_sigterm() -> Any:
    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        return None


def _restore_sigterm(previous: Any) -> None:
    if previous is not None:
        with contextlib.suppress(ValueError):
            signal.signal(signal.SIGTERM, previous)


def _http_error(exc: Any, endpoint: str, user: str | None, password_env: str) -> str:
    try:
        body = exc.read(2000).decode("utf-8", "replace")
    except OSError:
        body = ""
    first = next((ln.strip() for ln in body.splitlines() if ln.strip()), "")
    detail = f": {shorten(first, 160)}" if first else ""
    if exc.code in (401, 403):
        how = (
            f"check the user {user} and the password in ${password_env}"
            if user
            else f"give a user and put the password in ${password_env}"
        )
        return f"{endpoint} refused the upload: HTTP {exc.code} {exc.reason} ({how}){detail}"
    return f"{endpoint} answered HTTP {exc.code} {exc.reason}{detail}"


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            count += block.count(b"\n")
    return count
