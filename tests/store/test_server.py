"""``kg serve`` and ``kg push`` against real Oxigraph server processes on loopback ports."""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import kg
from kg.errors import KgError
from kg.formats.rdf import DEFAULT_BASE_IRI
from kg.store.server import push
from tests.corpora import SMALL_WIKI, write_articles

pytestmark = pytest.mark.slow

OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}")


def port_closed(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return True
    return False


def select(url: str, query: str) -> list[dict]:
    request = urllib.request.Request(
        url + "?" + urllib.parse.urlencode({"query": query}),
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["results"]["bindings"]


def kg_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("kgsp")
    src = write_articles(root / "wiki", SMALL_WIKI)
    kg.build(src, root / "out", formats=["nt", "json", "store"], jobs=1)
    return root / "out"


@pytest.fixture
def triples(build: Path) -> int:
    return sum(1 for _ in (build / "graph.nt").open("rb"))


@pytest.fixture
def oxigraph_rw(tmp_path: Path):
    """A read-write ``oxigraph serve`` on a free loopback port; yields its base URL."""
    port = free_port()
    proc = subprocess.Popen(
        [OXIGRAPH, "serve", "--location", str(tmp_path / "db"), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_port(port, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def start_serve(data: Path, port: int, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kg", "serve", "--data", str(data), "--port", str(port), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_serving(proc: subprocess.Popen, limit: float = 30.0) -> str:
    """The line kg prints once the server answers (read before any Ctrl-C is sent)."""
    import selectors

    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        assert sel.select(timeout=limit), "kg serve printed nothing"
    return proc.stdout.readline()


def stop_serve(proc: subprocess.Popen) -> tuple[int, str, str]:
    first = wait_serving(proc) if proc.poll() is None else ""
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    return proc.returncode, first + out, err


# --- kg serve ---------------------------------------------------------------------------------


def test_kg_serve_answers_queries_refuses_updates_and_stops_on_sigint(build, triples):
    port = free_port()
    proc = start_serve(build, port, "--timeout", "10")
    try:
        wait_port(port, proc)
        url = f"http://127.0.0.1:{port}/query"
        assert select(url, COUNT)[0]["n"]["value"] == str(triples)
        rows = select(
            url,
            f"""PREFIX dct: <http://purl.org/dc/terms/>
            SELECT ?slug WHERE {{ ?l <https://w3id.org/kg/vocab#target>
              <{DEFAULT_BASE_IRI}concept/lease> ; <https://w3id.org/kg/vocab#source>/dct:identifier
              ?slug }}""",
        )
        assert [r["slug"]["value"] for r in rows] == ["backoffice"]

        from SPARQLWrapper import JSON, SPARQLWrapper

        client = SPARQLWrapper(url)
        client.setQuery(
            f"ASK {{ <{DEFAULT_BASE_IRI}concept/cpa> <https://w3id.org/kg/vocab#missing> true }}"
        )
        client.setReturnFormat(JSON)
        assert client.query().convert()["boolean"] is True

        update = urllib.request.Request(
            f"http://127.0.0.1:{port}/update",
            method="POST",
            data=b"INSERT DATA { <http://example.org/x> <http://example.org/y> 1 }",
            headers={"Content-Type": "application/sparql-update"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(update, timeout=10)
        assert refused.value.code in (403, 405)
        assert select(url, COUNT)[0]["n"]["value"] == str(triples)
    finally:
        code, out, err = stop_serve(proc)
    assert code == 0, err
    assert f"http://127.0.0.1:{port}/query" in out
    assert "Traceback" not in err
    assert port_closed(port)  # the oxigraph child is gone too


def test_kg_serve_without_a_store_serves_graph_nt(build, tmp_path, triples):
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copy2(build / "graph.nt", bare / "graph.nt")
    port = free_port()
    proc = start_serve(bare, port)
    try:
        wait_port(port, proc)
        assert select(f"http://127.0.0.1:{port}/query", COUNT)[0]["n"]["value"] == str(triples)
    finally:
        code, _, err = stop_serve(proc)
    assert code == 0, err
    assert not (bare / "store").exists()  # the temporary store was not left in the build


def test_kg_serve_on_a_busy_port_is_a_clean_error(build):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        res = kg_cli("serve", "--data", str(build), "--port", str(port))
    assert res.returncode == 1
    assert f"127.0.0.1:{port}" in res.stderr and "another port" in res.stderr
    assert "Traceback" not in res.stderr


def test_kg_serve_without_a_build_is_a_clean_error(tmp_path):
    res = kg_cli("serve", "--data", str(tmp_path / "nope"), "--port", str(free_port()))
    assert res.returncode == 1 and "kg build" in res.stderr


# --- kg push ----------------------------------------------------------------------------------


def test_kg_push_replaces_the_default_graph_of_a_real_server(build, oxigraph_rw, triples):
    store = oxigraph_rw + "/store"
    old = urllib.request.Request(
        store + "?default",
        method="PUT",
        data=b'<http://example.org/old> <http://example.org/p> "1" .\n',
        headers={"Content-Type": "application/n-triples"},
    )
    urllib.request.urlopen(old, timeout=10).close()
    assert select(oxigraph_rw + "/query", COUNT)[0]["n"]["value"] == "1"

    res = kg_cli("push", store, "--data", str(build))
    assert res.returncode == 0, res.stderr
    assert f"pushed {triples} triples" in res.stdout and "default graph" in res.stdout

    assert select(oxigraph_rw + "/query", COUNT)[0]["n"]["value"] == str(triples)
    rows = select(
        oxigraph_rw + "/query",
        f"""SELECT ?o WHERE {{
        <{DEFAULT_BASE_IRI}concept/backoffice> <http://purl.org/dc/terms/identifier> ?o }}""",
    )
    assert rows == [{"o": {"type": "literal", "value": "backoffice"}}]
    ask = urllib.request.Request(
        oxigraph_rw
        + "/query?"
        + urllib.parse.urlencode({"query": "ASK { <http://example.org/old> ?p ?o }"}),
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(ask, timeout=10) as response:
        assert json.load(response)["boolean"] is False  # replaced, not added to


def test_kg_push_into_a_named_graph(build, oxigraph_rw, triples):
    info = push(oxigraph_rw + "/store", build, graph="https://example.org/graphs/wiki")
    assert info["triples"] == triples and info["status"] in (200, 201, 204)
    rows = select(
        oxigraph_rw + "/query",
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://example.org/graphs/wiki> { ?s ?p ?o } }",
    )
    assert rows[0]["n"]["value"] == str(triples)
    assert select(oxigraph_rw + "/query", COUNT)[0]["n"]["value"] == "0"


def test_kg_push_to_a_refused_connection_is_a_clean_error(build):
    port = free_port()
    res = kg_cli("push", f"http://127.0.0.1:{port}/store", "--data", str(build))
    assert res.returncode == 1
    assert "connection refused" in res.stderr and f"127.0.0.1:{port}" in res.stderr
    assert "Traceback" not in res.stderr


def test_kg_push_reports_http_errors_with_status_and_body(build, oxigraph_rw):
    with pytest.raises(KgError, match=r"HTTP 404"):
        push(oxigraph_rw + "/no-such-endpoint", build)


def test_kg_push_to_a_read_only_server_is_refused_cleanly(build):
    port = free_port()
    proc = start_serve(build, port)
    try:
        wait_port(port, proc)
        res = kg_cli("push", f"http://127.0.0.1:{port}/store", "--data", str(build))
    finally:
        stop_serve(proc)
    assert res.returncode == 1
    assert "HTTP 403" in res.stderr and "read-only" in res.stderr


class _AuthHandler(BaseHTTPRequestHandler):
    """A Graph Store endpoint that wants Basic auth ``admin:s3cret`` (records what it got)."""

    seen: list[tuple[str, str, int]] = []

    def do_PUT(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        auth = self.headers.get("Authorization", "")
        self.seen.append((self.path, auth, len(body)))
        ok = auth == "Basic " + base64.b64encode(b"admin:s3cret").decode()
        self.send_response(204 if ok else 401)
        if not ok:
            self.send_header("WWW-Authenticate", 'Basic realm="kg"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def auth_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AuthHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _AuthHandler.seen = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/gsp"
    finally:
        server.shutdown()
        server.server_close()


def test_kg_push_authenticates_with_a_password_from_the_environment(build, auth_server):
    size = (build / "graph.nt").stat().st_size
    ok = kg_cli(
        "push",
        auth_server,
        "--data",
        str(build),
        "--user",
        "admin",
        "--password-env",
        "MY_PW",
        env={"MY_PW": "s3cret"},
    )
    assert ok.returncode == 0, ok.stderr
    assert _AuthHandler.seen[-1][0] == "/gsp?default" and _AuthHandler.seen[-1][2] == size
    assert "s3cret" not in ok.stdout + ok.stderr

    wrong = kg_cli(
        "push",
        auth_server,
        "--data",
        str(build),
        "--user",
        "admin",
        env={"KG_PASSWORD": "wrong-pw"},
    )
    assert wrong.returncode == 1
    assert "HTTP 401" in wrong.stderr and "KG_PASSWORD" in wrong.stderr
    assert "wrong-pw" not in wrong.stdout + wrong.stderr and "Traceback" not in wrong.stderr

    nouser = kg_cli("push", auth_server, "--data", str(build))
    assert nouser.returncode == 1 and "give a user" in nouser.stderr

    env = {k: v for k, v in os.environ.items() if k != "KG_PASSWORD"}
    unset = subprocess.run(
        [sys.executable, "-m", "kg", "push", auth_server, "--data", str(build), "--user", "admin"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert unset.returncode == 1 and "KG_PASSWORD" in unset.stderr


def test_kg_push_checks_its_arguments(build):
    with pytest.raises(KgError, match="not an http"):
        push("ftp://example.org/store", build)
    with pytest.raises(KgError, match="no credentials in the endpoint"):
        push("http://admin:pw@127.0.0.1:1/store", build)
    with pytest.raises(KgError, match="absolute IRI"):
        push("http://127.0.0.1:1/store", build, graph="not an iri")
    with pytest.raises(KgError, match="kg build"):
        push("http://127.0.0.1:1/store", build / "nope")
