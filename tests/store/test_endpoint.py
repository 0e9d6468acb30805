"""``kg serve`` behind its guard, over real HTTP: a ``kg serve`` process, its Oxigraph engine,
and urllib as the client (issues 17 and 19)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from kg.formats.rdf import prefixes

from .conftest import CARTESIAN, DEEP, alive, children, env, free_port, session_processes

pytestmark = pytest.mark.slow

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


class Served:
    """A running ``kg serve`` and what a test needs of it."""

    def __init__(self, data: Path, *extra: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kg", "serve", "--data", str(data), "--port", str(self.port)]
            + list(extra),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env(),
        )
        line = self.proc.stdout.readline()  # printed once the server answers
        assert "serving" in line, self.proc.communicate(timeout=30)

    def engine(self) -> int:
        """The pid of the Oxigraph engine behind the guard."""
        found = [pid for pid, cmd in children(self.proc.pid) if "serve-read-only" in cmd]
        assert len(found) == 1, children(self.proc.pid)
        return found[0]

    def stop(self) -> tuple[int, str]:
        self.proc.send_signal(signal.SIGINT)
        _, err = self.proc.communicate(timeout=30)
        return self.proc.returncode, err


def ask(url: str, query: str, *, accept: str = "application/sparql-results+json", how="get"):
    """``(status, content type, body)`` of a SPARQL Protocol request."""
    if how == "get":
        request = urllib.request.Request(
            url + "?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept}
        )
    elif how == "form":
        request = urllib.request.Request(
            url,
            data=urllib.parse.urlencode({"query": query}).encode(),
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
        )
    else:
        request = urllib.request.Request(
            url,
            data=query.encode("utf-8"),
            headers={"Accept": accept, "Content-Type": "application/sparql-query"},
        )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


def count(served: Served) -> int:
    status, _, body = ask(served.base + "/query", COUNT)
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def served(small_build):
    server = Served(small_build, "--timeout", "2")
    yield server
    code, err = server.stop()
    assert code == 0, err
    assert "Traceback" not in err


@pytest.fixture(scope="module")
def triples(small_build) -> int:
    return sum(1 for _ in (small_build / "graph.nt").open("rb"))


# --- refused before the engine (400) -----------------------------------------------------------


@pytest.mark.parametrize("how", ["get", "form", "body"])
def test_the_deep_query_is_refused_with_400_and_the_server_lives_on(served, triples, how):
    engine = served.engine()
    status, kind, body = ask(served.base + "/query", DEEP, how=how)
    assert status == 400 and kind.startswith("text/plain")
    assert b"more than 64 deep (line 1, column 80)" in body and b"--max-depth" in body
    assert served.engine() == engine and served.proc.poll() is None  # it aborted both before
    assert count(served) == triples


def test_a_query_past_the_size_limit_is_refused_with_400(served, triples):
    huge = "SELECT * WHERE { VALUES ?x { " + "1 " * 40_000 + "} }"
    for how in ("form", "body"):
        status, _, body = ask(served.base + "/query", huge, how=how)
        assert status == 400 and b"more than the 65,536 allowed" in body, body
    status, kind, body = ask(served.base + "/query", huge)  # past what a request line may be
    assert status == 414 and kind.startswith("text/plain")
    assert b"send a long query with POST" in body
    request = urllib.request.Request(
        served.base + "/query",
        data=b"x" * 400_000,
        headers={"Content-Type": "application/sparql-query"},
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=60)
    assert err.value.code == 400 and b"--max-query-bytes" in err.value.read()
    assert count(served) == triples


def test_service_is_refused_and_no_request_leaves_the_server(served, listener):
    url, seen = listener
    for query in (
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ service silent <{url}> {{ ?s ?p ?o }} }}",
    ):
        for path in ("/query", "/sparql"):
            status, _, body = ask(served.base + path, query)
            assert status == 400 and b"federated queries are off" in body
    time.sleep(0.5)
    assert seen == []


def test_an_undeclared_prefix_is_explained_with_the_line_to_add(served):
    status, _, body = ask(served.base + "/query", "SELECT * WHERE {\n  ?c skos:prefLabel ?l }")
    text = body.decode()
    assert status == 400
    assert "prefix skos: is not declared (line 2, column 6)" in text
    assert "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>" in text
    status, _, body = ask(served.base + "/query", "SELECT * WHERE { foo:x ?p ?o }")
    assert status == 400 and b"prefix foo: is not declared" in body
    assert b"\\u{" not in body


def test_a_syntax_error_is_worded_by_kg_with_line_and_caret(served):
    status, _, body = ask(served.base + "/query", "SELECT * WHERE {\n  ?s ?p ?o")
    text = body.decode()
    assert status == 400
    assert text.startswith("SPARQL syntax error at line 2") and "^" in text
    assert "\\u{" not in text


# --- the time limit (504), and the server afterwards -------------------------------------------


def test_a_cartesian_product_is_stopped_at_the_limit_and_the_next_query_works(served, triples):
    engine = served.engine()
    start = time.monotonic()
    status, kind, body = ask(served.base + "/query", CARTESIAN)
    elapsed = time.monotonic() - start
    assert status == 504 and kind.startswith("text/plain"), body
    assert b"stopped after 2 s" in body
    assert elapsed < 30  # before: no answer, and the engine kept computing for minutes
    assert not alive(engine)  # the engine that ran it is gone ...
    assert not session_processes(engine)  # ... with everything it started
    assert served.engine() != engine  # and another serves
    assert count(served) == triples


def test_the_next_query_works_after_a_client_leaves_an_overrunning_query(served, triples):
    engine = served.engine()
    request = urllib.request.Request(
        served.base + "/query?" + urllib.parse.urlencode({"query": CARTESIAN})
    )
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        urllib.request.urlopen(request, timeout=0.5)  # the client gives up and leaves
    deadline = time.monotonic() + 30
    while alive(engine) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(engine)  # stopped at the server's limit all the same
    assert count(served) == triples


# --- read-only, the page -----------------------------------------------------------------------


def test_updates_and_uploads_are_refused_with_403(served, triples):
    attempts = [
        ("POST", "/update", b"update=CLEAR+ALL", "application/x-www-form-urlencoded"),
        ("POST", "/update", b"CLEAR ALL", "application/sparql-update"),
        ("POST", "/query", b"update=CLEAR+ALL", "application/x-www-form-urlencoded"),
        ("PUT", "/store?default", b"<urn:a> <urn:b> <urn:c> .", "application/n-triples"),
        ("POST", "/store?default", b"<urn:a> <urn:b> <urn:c> .", "application/n-triples"),
        ("DELETE", "/store?default", b"", "text/plain"),
    ]
    for method, path, data, kind in attempts:
        request = urllib.request.Request(
            served.base + path, data=data, method=method, headers={"Content-Type": kind}
        )
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(request, timeout=30)
        assert err.value.code == 403 and b"read-only" in err.value.read(), (method, path)
    assert count(served) == triples


def test_answers_keep_the_protocols_formats(served, triples):
    status, kind, body = ask(served.base + "/query", COUNT, accept="text/csv")
    assert status == 200 and kind.startswith("text/csv")
    assert body.decode().split() == ["n", str(triples)]
    status, kind, body = ask(
        served.base + "/query", "CONSTRUCT WHERE { ?s ?p ?o }", accept="application/n-triples"
    )
    assert status == 200 and kind.startswith("application/n-triples")
    assert body.count(b"\n") == triples
    status, _, body = ask(served.base + "/query", "ASK { ?s ?p ?o }", how="body")
    assert status == 200 and json.loads(body)["boolean"] is True


def test_the_query_page_preloads_kgs_prefixes(served, small_build):
    with urllib.request.urlopen(served.base + "/", timeout=30) as response:
        page = response.read().decode()
        assert response.headers["Content-Type"].startswith("text/html")
    config = json.loads(page.split("const config = ", 1)[1].split(";\n", 1)[0])
    editor = config["yasqe"]["value"]
    for name, iri in prefixes().items():
        assert f"PREFIX {name}: <{iri}>" in editor
    assert len(prefixes()) == 10
    status, _, body = ask(served.base + "/query", editor)  # the page's query runs as it is
    assert status == 200 and json.loads(body)["results"]["bindings"]
    with urllib.request.urlopen(served.base + "/yasgui.min.js", timeout=30) as response:
        assert response.status == 200 and b"Yasgui" in response.read()
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(served.base + "/elsewhere", timeout=30)
    assert err.value.code == 404


# --- federated queries when asked for ----------------------------------------------------------


def test_allow_service_lets_federated_queries_through(small_build, listener):
    url, seen = listener
    server = Served(small_build, "--allow-service", "--timeout", "20")
    try:
        status, _, body = ask(
            server.base + "/query", f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
        )
        assert status == 200, body
        assert seen and seen[0].startswith("POST /sparql")
    finally:
        code, err = server.stop()
    assert code == 0, err
