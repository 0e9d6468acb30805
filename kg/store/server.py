"""A build over HTTP: :func:`serve` it read-only with Oxigraph's server, :func:`push` it elsewhere.

``serve`` runs the ``oxigraph serve-read-only`` executable (a SPARQL 1.1 Protocol
endpoint at ``/query``) on the build's store and forwards Ctrl-C and SIGTERM to it;
``push`` uploads ``graph.nt`` to any SPARQL 1.1 Graph Store Protocol endpoint.

Examples
--------
>>> info = push("http://localhost:7878/store", "exports")  # doctest: +SKIP
>>> info["triples"] == sum(1 for _ in open("exports/graph.nt", "rb"))  # doctest: +SKIP
True
"""

from __future__ import annotations

import base64
import contextlib
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from kg.errors import BadInput, InvalidArgument, KgError
from kg.store.database import (
    NT_FILE,
    STORE_DIR,
    oxigraph_executable,
    require_build,
    store_is_fresh,
    write_store,
)
from kg.store.query import named_node
from kg.store.results import shorten


def serve(
    data: str | os.PathLike[str] = "exports",
    host: str = "127.0.0.1",
    port: int = 7878,
    timeout: float | None = None,
    *,
    quiet: bool = False,
) -> int:
    """Serve the build read-only at ``http://HOST:PORT/query`` with Oxigraph's own server.

    Runs ``oxigraph serve-read-only --location STORE --bind HOST:PORT [--timeout-s T]``
    (from the ``oxigraph`` package) until Ctrl-C or SIGTERM, which it forwards; returns
    0 on a clean stop. Updates are refused (HTTP 403). When the build has no fresh
    store, one is loaded from ``graph.nt`` into a temporary folder for the session.

    Parameters
    ----------
    data : path
        The build folder.
    host, port :
        Where to listen (loopback by default: pass ``0.0.0.0`` to serve the network).
    timeout : float, optional
        Query time-out in seconds (rounded up to a whole second).

    Examples
    --------
    >>> serve("exports", port=7878)  # doctest: +SKIP
    kg: serving exports read-only at http://127.0.0.1:7878/query (Ctrl-C stops)
    0
    """
    exe = _oxigraph_exe()
    _check_port_free(host, port)
    folder = Path(data)
    nt = require_build(folder, NT_FILE)
    location = folder / STORE_DIR
    with tempfile.TemporaryDirectory(prefix="kg-serve-") as tmp, tempfile.TemporaryFile() as log:
        if not store_is_fresh(folder):
            (Path(tmp) / "graph.nt").symlink_to(nt.resolve())
            location = write_store(tmp)
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        cmd = [exe, "serve-read-only", "--location", str(location), "--bind", bind]
        if timeout:
            cmd += ["--timeout-s", str(max(1, math.ceil(timeout)))]
        # its own session: a terminal's Ctrl-C reaches kg only, and kg stops the server
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
        )
        previous = _on_sigterm()
        try:
            return _run_server(proc, host, port, log, folder, quiet)
        finally:
            if proc.poll() is None:
                _stop(proc)
            _restore_sigterm(previous)


def _run_server(
    proc: subprocess.Popen, host: str, port: int, log: Any, folder: Path, quiet: bool
) -> int:
    try:
        _wait_listening(proc, host, port, log)
        if not quiet:
            url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/query"
            print(f"kg: serving {folder} read-only at {url} (Ctrl-C stops)", flush=True)
        code = proc.wait()
    except KeyboardInterrupt:
        _stop(proc)
        if not quiet:
            print("kg: server stopped", file=sys.stderr, flush=True)
        return 0
    if code != 0:
        raise KgError(f"oxigraph stopped with status {code}: {_first_error(log)}")
    return 0


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


def _wait_listening(
    proc: subprocess.Popen, host: str, port: int, log: Any, limit: float = 60.0
) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise KgError(f"oxigraph did not start: {_first_error(log)}")
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return
        time.sleep(0.05)
    raise KgError(f"oxigraph did not listen on {host}:{port} within {limit:g} s")


def _first_error(log: Any) -> str:
    log.flush()
    log.seek(0)
    lines = [ln.strip() for ln in log.read().decode("utf-8", "replace").splitlines()]
    errors = [ln for ln in lines if ln.startswith("Error")]
    return errors[0] if errors else (next((ln for ln in lines if ln), "no message"))


def _stop(proc: subprocess.Popen) -> int:
    for sig, wait in ((signal.SIGINT, 3), (signal.SIGTERM, 5)):
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)
        try:
            return proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
    proc.kill()
    return proc.wait()


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
