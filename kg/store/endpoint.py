"""The HTTP side of ``kg serve``: a guard in front of Oxigraph's read-only server.

``oxigraph serve-read-only`` answers SPARQL fast and speaks the whole SPARQL 1.1 Protocol,
but it aborts on deeply nested queries, sends a request to any URL a ``SERVICE`` names, and
its ``--timeout-s`` leaves an overrunning query computing after the client has gone. So
kg runs it on a loopback port of its own (the engine, :class:`Engine`, its address space
capped with ``ulimit -v``) and listens in front of it:

- ``/query`` and ``/sparql`` (GET, POST form, POST ``application/sparql-query``): the
  query is checked by :func:`kg.store.guard.check_query` (size, nesting, ``SERVICE``
  unless allowed, undeclared prefixes) and refused with **400** and a plain-text reason,
  else sent on to the engine as one ``application/sparql-query`` POST (so the engine runs
  exactly the text that was checked) with ``Accept`` and the dataset parameters;
- every exchange with the engine gets the time limit, answer included: past it the engine
  is killed and started again (the only way to stop a running Oxigraph query), the client
  gets **504**, and queries that other clients had running get **503** (send it again);
- ``/update``, and PUT, POST or DELETE on ``/store``: **403**, the server is read-only;
- ``/``: the query page (Oxigraph's YASGUI, loaded from the engine) with kg's prefixes
  written into its editor; ``/store`` (GET), ``/yasgui.min.js``, ``/yasgui.min.css`` and
  ``/logo.svg`` come from the engine; anything else is 404.

The listener is the standard library's ``ThreadingHTTPServer``: a thread per connection,
which is the server's own work, not parallelism of kg's.

Examples
--------
>>> print(page_query({"skos": "http://www.w3.org/2004/02/skos/core#"}).splitlines()[0])
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

from __future__ import annotations

import contextlib
import html
import http.client
import json
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.store.guard import DEFAULT_TIMEOUT, MAX_DEPTH, MAX_MEMORY, MAX_QUERY_BYTES, check_query

STATIC = ("/yasgui.min.js", "/yasgui.min.css", "/logo.svg")
"""Files of the query page that the engine serves."""

DATASET_PARAMS = ("default-graph-uri", "named-graph-uri", "union-default-graph")
"""SPARQL Protocol parameters passed on to the engine with the query."""

READ_ONLY = "kg serve is read-only: updates and uploads are refused\n"

_FLAGS = {
    "max_query_bytes": "kg serve --max-query-bytes N",
    "max_depth": "kg serve --max-depth N",
    "allow_service": "kg serve --allow-service",
}


class Engine:
    """The ``oxigraph serve-read-only`` process behind the guard, on a loopback port.

    :meth:`restart` kills it and starts a new one: how an overrunning query is stopped.
    ``generation`` counts the starts, so that a request can tell whether the engine it
    talked to was replaced meanwhile.
    """

    def __init__(self, exe: str, location: Path, log: Any, max_memory: int | None) -> None:
        self.exe, self.location, self.log, self.max_memory = exe, location, log, max_memory
        self.lock = threading.Lock()
        self.generation = 0
        self.port = 0
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        """Start the engine on a free loopback port and wait until it listens."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        cmd = [
            self.exe,
            "serve-read-only",
            "--location",
            str(self.location),
            "--bind",
            f"127.0.0.1:{port}",
        ]
        if self.max_memory:  # ulimit -v takes KiB; the shell then becomes oxigraph (exec)
            limit = ["/bin/sh", "-c", 'ulimit -v "$1" && shift && exec "$@"', "sh"]
            cmd = [*limit, str(self.max_memory // 1024), *cmd]
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,  # a terminal's Ctrl-C reaches kg only, which stops it
        )
        _wait_listening(self.proc, "127.0.0.1", port, self.log)
        self.port = port
        self.generation += 1

    def current(self) -> tuple[int, int]:
        """``(generation, port)`` of the running engine (waits while it restarts)."""
        with self.lock:
            return self.generation, self.port

    def restart(self, generation: int) -> None:
        """Kill the engine and start another, unless ``generation`` was already replaced."""
        with self.lock:
            if generation != self.generation:
                return
            self._kill()
            self.start()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        with self.lock:
            if self.proc is not None and self.proc.poll() is None:
                stop_process(self.proc)

    def _kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()


class GuardServer(ThreadingHTTPServer):
    """The listener: the engine, the limits and the query page, for the handlers."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        engine: Engine,
        *,
        prefixes: Mapping[str, str],
        timeout: float | None = DEFAULT_TIMEOUT,
        allow_service: bool = False,
        max_query_bytes: int | None = MAX_QUERY_BYTES,
        max_depth: int | None = MAX_DEPTH,
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, _Handler)
        self.engine = engine
        self.prefixes = dict(prefixes)
        self.timeout_s = timeout
        self.allow_service = allow_service
        self.max_query_bytes = max_query_bytes
        self.max_depth = max_depth
        self.page = render_page(self.prefixes).encode("utf-8")


def run(
    exe: str,
    location: Path,
    host: str,
    port: int,
    *,
    folder: Path,
    log: Any,
    prefixes: Mapping[str, str],
    timeout: float | None = DEFAULT_TIMEOUT,
    allow_service: bool = False,
    max_query_bytes: int | None = MAX_QUERY_BYTES,
    max_depth: int | None = MAX_DEPTH,
    max_memory: int | None = MAX_MEMORY,
    quiet: bool = False,
) -> int:
    """Start the engine on ``location`` and serve the guard at ``host:port`` until Ctrl-C
    (or SIGTERM turned into KeyboardInterrupt by the caller); return 0.

    Examples
    --------
    >>> run(exe, Path("exports/store"), "127.0.0.1", 7878, folder=Path("exports"),
    ...     log=log, prefixes={})  # doctest: +SKIP
    kg: serving exports read-only at http://127.0.0.1:7878/query (Ctrl-C stops)
    0
    """
    engine = Engine(exe, location, log, max_memory)
    engine.start()
    try:
        try:
            server = GuardServer(
                (host, port),
                engine,
                prefixes=prefixes,
                timeout=timeout,
                allow_service=allow_service,
                max_query_bytes=max_query_bytes,
                max_depth=max_depth,
            )
        except OSError as exc:
            raise KgError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc} (choose another --port)"
            ) from None
        with server:
            if not quiet:
                url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/query"
                print(f"kg: serving {folder} read-only at {url} (Ctrl-C stops)", flush=True)
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                if not quiet:
                    print("kg: server stopped", file=sys.stderr, flush=True)
    finally:
        engine.stop()
    return 0


def page_query(prefixes: Mapping[str, str]) -> str:
    """The query the page's editor starts with: a PREFIX line for each of kg's prefixes,
    then an example.

    Examples
    --------
    >>> print(page_query({"dct": "http://purl.org/dc/terms/"}))
    PREFIX dct: <http://purl.org/dc/terms/>
    <BLANKLINE>
    SELECT ?concept ?label WHERE {
      ?concept a skos:Concept ; skos:prefLabel ?label .
    } LIMIT 10
    """
    lines = [f"PREFIX {name}: <{iri}>" for name, iri in prefixes.items()]
    example = (
        "SELECT ?concept ?label WHERE {\n  ?concept a skos:Concept ; skos:prefLabel ?label .\n"
        "} LIMIT 10"
    )
    return "\n".join([*lines, "", example])


def render_page(prefixes: Mapping[str, str]) -> str:
    """The query page at ``/``: Oxigraph's YASGUI, sending to ``query``, its editor
    holding :func:`page_query`.

    Examples
    --------
    >>> "PREFIX kgv: <https://w3id.org/kg/vocab#>" in render_page({"kgv": "https://w3id.org/kg/vocab#"})
    True
    """
    config = {
        "copyEndpointOnNewTab": False,
        "persistenceId": "kg-serve",
        "yasqe": {"value": page_query(prefixes)},
        "endpointCatalogueOptions": {"keys": []},
    }
    script = json.dumps(config, indent=2).replace("</", "<\\/")
    names = html.escape(" ".join(f"{n}:" for n in prefixes))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>kg: SPARQL query</title>
<link href="./yasgui.min.css" rel="stylesheet" type="text/css">
<script src="./yasgui.min.js"></script>
<link rel="icon" type="image/svg+xml" href="./logo.svg">
</head>
<body>
<p style="font-family: sans-serif; margin: 0.5em">Read-only SPARQL endpoint at
<code>/query</code>. Declared in the editor: <code>{names}</code>
<!-- PREFIX lines for kg's prefixes:
{html.escape(page_query(prefixes))}
--></p>
<div id="yasgui"></div>
<script>
const endpoint = new URL("query", window.location.href).href;
const config = {script};
config.requestConfig = {{ endpoint: endpoint }};
config.endpointCatalogueOptions.getData = () => [{{ endpoint: endpoint }}];
window.yasgui = new Yasgui(document.getElementById("yasgui"), config);
</script>
</body>
</html>
"""


class _Handler(BaseHTTPRequestHandler):
    server: GuardServer
    server_version = "kg-serve"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a request line past 64 KiB: 414) as plain text."""
        if code == 414:
            explain = (
                "query refused: the request line is longer than 65,536 bytes; "
                "send a long query with POST"
            )
        self.close_connection = True
        with contextlib.suppress(OSError):
            self._text(code, f"{explain or message or code}\n")

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._route("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._route("HEAD")

    def do_POST(self) -> None:  # noqa: N802
        self._route("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._route("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._route("DELETE")

    def do_PATCH(self) -> None:  # noqa: N802
        self._route("PATCH")

    # --- routing ---

    def _route(self, method: str) -> None:
        split = urllib.parse.urlsplit(self.path)
        path = split.path
        try:
            if path in ("/query", "/sparql") and method in ("GET", "POST"):
                self._query(method, split.query)
            elif path == "/update" or (path.startswith("/store") and method != "GET"):
                if method != "HEAD":
                    self._text(403, READ_ONLY)
                else:
                    self._text(403, "")
            elif path == "/" and method in ("GET", "HEAD"):
                self._send(200, "text/html; charset=utf-8", self.server.page, method == "HEAD")
            elif (path in STATIC or path.startswith("/store")) and method in ("GET", "HEAD"):
                self._forward(method, self.path, None, self._accept())
            else:
                self._text(404, f"nothing at {path}: queries go to /query\n")
        except (BrokenPipeError, ConnectionResetError):  # the client left
            self.close_connection = True

    def _query(self, method: str, query_string: str) -> None:
        params = urllib.parse.parse_qs(query_string, keep_blank_values=True)
        texts = list(params.get("query", []))
        if method == "POST":
            body = self._body()
            if body is None:
                return
            kind = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if kind == "application/x-www-form-urlencoded":
                text = body.decode("utf-8", "replace")
                form = urllib.parse.parse_qs(text, keep_blank_values=True)
                texts += form.get("query", [])
                for key in (*DATASET_PARAMS, "update"):
                    params.setdefault(key, []).extend(form.get(key, []))
            elif kind == "application/sparql-query":
                try:
                    texts.append(body.decode("utf-8"))
                except UnicodeDecodeError:
                    self._text(400, "the query is not UTF-8 text\n")
                    return
            elif kind == "application/sparql-update":
                self._text(403, READ_ONLY)
                return
            else:
                self._text(
                    415,
                    "send the query as ?query=, as a form (application/x-www-form-urlencoded) "
                    "or as application/sparql-query\n",
                )
                return
        if params.get("update"):
            self._text(403, READ_ONLY)
            return
        if len(texts) != 1:
            how = "no query: send one as ?query=…" if not texts else "send one query at a time"
            self._text(400, how + "\n")
            return
        query = texts[0]
        try:
            check_query(
                query,
                max_bytes=self.server.max_query_bytes,
                max_depth=self.server.max_depth,
                allow_service=self.server.allow_service,
                declared={},
                suggest=self.server.prefixes,
            )
        except KgError as exc:
            flag = _FLAGS.get(getattr(exc, "setting", None) or "")
            self._text(400, f"{exc}" + (f" ({flag} changes this)" if flag else "") + "\n")
            return
        forward = [(k, v) for k in DATASET_PARAMS for v in params.get(k, [])]
        target = "/query" + ("?" + urllib.parse.urlencode(forward) if forward else "")
        headers = {**self._accept(), "Content-Type": "application/sparql-query; charset=utf-8"}
        self._forward("POST", target, query.encode("utf-8"), headers, query)

    # --- talking to the engine ---

    def _forward(
        self,
        method: str,
        target: str,
        body: bytes | None,
        headers: dict[str, str],
        query: str | None = None,
    ) -> None:
        """Send the request to the engine and its answer to the client, within the limit."""
        engine = self.server.engine
        limit = self.server.timeout_s
        deadline = time.monotonic() + limit if limit else None
        generation, port = engine.current()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=_left(deadline))
        sent = False
        try:
            conn.request(method, target, body=body, headers=headers)
            response = conn.getresponse()
            if response.status == 400 and query is not None:
                self._text(400, _syntax(query, response.read(64 * 1024)))
                return
            self.send_response(response.status)
            for name in ("Content-Type", "Content-Disposition", "Vary"):
                if response.getheader(name):
                    self.send_header(name, response.getheader(name))
            self.send_header("Connection", "close")
            self.end_headers()
            sent = True
            if method == "HEAD":
                return
            while True:
                if conn.sock is not None:
                    conn.sock.settimeout(_left(deadline))
                block = response.read1(64 * 1024)
                if not block:
                    break
                try:
                    self.wfile.write(block)
                except OSError:  # the client left: stop reading, the engine stops writing
                    return
        except TimeoutError:
            engine.restart(generation)  # stops the query: nothing of it runs on
            if not sent:
                self._text(
                    504,
                    f"query stopped after {limit:g} s, the server's time limit "
                    "(kg serve --timeout S changes it); nothing of it runs on\n",
                )
        except (http.client.HTTPException, OSError):  # the engine failed or was restarted
            self._engine_failed(generation, sent)
        finally:
            conn.close()
            self.close_connection = True

    def _engine_failed(self, generation: int, sent: bool) -> None:
        engine = self.server.engine
        replaced = engine.current()[0] != generation
        if not replaced and not engine.alive():  # it died under this query: memory
            engine.restart(generation)
            message = (
                "query stopped: it made the engine fail (out of memory?); the engine was "
                "started again\n"
            )
        elif replaced:
            message = (
                "query interrupted: the engine was restarted to stop another query that ran "
                "past the time limit; send it again\n"
            )
        else:
            message = "the engine did not answer; send the query again\n"
        if not sent:
            self._text(503, message)

    # --- helpers ---

    def _accept(self) -> dict[str, str]:
        accept = self.headers.get("Accept")
        return {"Accept": accept} if accept else {}

    def _body(self) -> bytes | None:
        length = self.headers.get("Content-Length")
        if length is None or not length.strip().isdigit():
            self._text(411, "send a Content-Length with the request body\n")
            return None
        size = int(length)
        cap = self.server.max_query_bytes
        if cap and size > 3 * cap + 64 * 1024:  # a form encodes a byte in 3 at most
            self._text(
                400,
                f"query refused: the request body is {size:,} bytes, more than a query of "
                f"{cap:,} bytes needs (kg serve --max-query-bytes N changes this)\n",
            )
            return None
        return self.rfile.read(size)

    def _text(self, status: int, text: str) -> None:
        self._send(status, "text/plain; charset=utf-8", text.encode("utf-8"))

    def _send(self, status: int, kind: str, body: bytes, head: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if not head:
            self.wfile.write(body)
        self.close_connection = True


def _left(deadline: float | None) -> float | None:
    """Seconds until ``deadline`` (at least a little), or None for no limit."""
    if deadline is None:
        return None
    return max(0.01, deadline - time.monotonic())


def _syntax(query: str, body: bytes) -> str:
    """The engine's 400 answer, a syntax error, as kg words it (line, caret, no Unicode
    ranges)."""
    from kg.store.query import syntax_message

    text = body.decode("utf-8", "replace").strip()
    if text.startswith("error at "):
        return syntax_message(query, text) + "\n"
    return text + "\n"


# --- the engine's process ----------------------------------------------------------------


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


def stop_process(proc: subprocess.Popen) -> int:
    """Stop ``proc`` (SIGINT, then SIGTERM, then SIGKILL); its exit status."""
    for sig, wait in ((signal.SIGINT, 3), (signal.SIGTERM, 5)):
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)
        try:
            return proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
    proc.kill()
    return proc.wait()
