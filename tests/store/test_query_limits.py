"""``kg query`` and ``kg.sparql`` with the limits of issue 17, as real processes."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

import kg
from kg.errors import KgError, QueryRefused, QueryTimeout
from kg.store import guard

from .conftest import CARTESIAN, DEEP, env, session_processes

pytestmark = pytest.mark.slow


def kg_query(*args: str, timeout: float = 120) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run ``kg query`` in a session of its own; return what it did and how long it took,
    after checking that nothing of its session outlives it."""
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "query", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(),
        start_new_session=True,
    )
    out, err = proc.communicate(timeout=timeout)
    elapsed = time.monotonic() - start
    left = session_processes(proc.pid)
    assert not left, f"kg query left processes running: {left}"
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err), elapsed


# --- deep and huge queries ---------------------------------------------------------------------


def test_kg_query_refuses_the_deep_query_instead_of_crashing(small_build, tmp_path):
    query = tmp_path / "deep.rq"
    query.write_text(DEEP, encoding="utf-8")
    res, _ = kg_query("--file", str(query), "--data", str(small_build))
    assert res.returncode == 1, res.stderr  # not a signal (it was -11: a segfault)
    assert "more than 64 deep (line 1, column 80)" in res.stderr
    assert "--max-depth" in res.stderr and "Traceback" not in res.stderr
    assert res.stdout == ""


def test_kg_sparql_refuses_the_deep_query_in_process(small_build):
    code = (
        "import kg, sys\n"
        "from kg.errors import QueryRefused\n"
        f"q = {DEEP!r}\n"
        "try:\n"
        f"    kg.sparql(q, {str(small_build)!r})\n"
        "except QueryRefused as exc:\n"
        "    print('refused:', exc)\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env()
    )
    assert res.returncode == 0, res.stderr  # the interpreter lives on (it was killed)
    assert res.stdout.startswith("refused: query refused: it nests")


def test_a_query_past_the_size_limit_is_refused_and_the_limit_can_be_raised(small_build):
    huge = "SELECT (COUNT(*) AS ?n) WHERE { VALUES ?x { " + "1 " * 40_000 + "} }"
    assert len(huge) > guard.MAX_QUERY_BYTES
    res, _ = kg_query(huge, "--data", str(small_build), "--format", "csv")
    assert res.returncode == 1 and "more than the 65,536 allowed" in res.stderr
    assert "--max-query-bytes" in res.stderr
    res, _ = kg_query(huge, "--data", str(small_build), "--format", "csv", "--max-query-bytes", "0")
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["n", "40000"]
    with pytest.raises(QueryRefused, match="bytes long"):
        kg.sparql(huge, small_build)


# --- time limit --------------------------------------------------------------------------------


def test_kg_query_stops_a_cartesian_product_at_its_time_limit(small_build):
    res, elapsed = kg_query(CARTESIAN, "--data", str(small_build), "--timeout", "2")
    assert res.returncode == 1, res.stderr
    assert "query stopped after 2 s" in res.stderr and "Traceback" not in res.stderr
    assert elapsed < 30  # it ran for minutes, and kg query had no --timeout


def test_kg_query_and_kg_serve_have_a_default_time_limit():
    assert guard.DEFAULT_TIMEOUT == 30
    for command in ("query", "serve"):
        res = subprocess.run(
            [sys.executable, "-m", "kg", command, "--help"],
            capture_output=True,
            text=True,
            timeout=60,
            env=env(),
        )
        text = " ".join(res.stdout.split())
        assert "--timeout S stop a query after S seconds (default: 30; 0: no limit)" in text
        assert "--allow-service" in text and "--max-query-bytes" in text and "--max-depth" in text


def test_kg_sparql_takes_a_timeout_that_stops_the_query(small_build):
    start = time.monotonic()
    with pytest.raises(QueryTimeout, match="stopped after 2 s"):
        kg.sparql(CARTESIAN, small_build, timeout=2)
    assert time.monotonic() - start < 30


def test_answers_under_a_time_limit_are_the_same_as_in_process(small_build):
    for args in (
        ["SELECT ?slug WHERE { ?c dct:identifier ?slug } ORDER BY ?slug"],
        ["ASK { concept:lease kgv:missing true }", "--format", "json"],
        ["CONSTRUCT WHERE { concept:backoffice skos:prefLabel ?l }", "--format", "nt"],
        ["--name", "who-links-to", "--param", "slug=lease", "--format", "csv"],
    ):
        bounded, _ = kg_query(*args, "--data", str(small_build))
        inline, _ = kg_query(*args, "--data", str(small_build), "--timeout", "0")
        assert bounded.returncode == inline.returncode == 0, bounded.stderr + inline.stderr
        assert bounded.stdout == inline.stdout and bounded.stdout.strip()
    query = "SELECT ?slug ?c WHERE { ?c dct:identifier ?slug } ORDER BY ?slug"
    frame = kg.sparql(query, small_build, timeout=20, bindings={"slug": "lease"})
    assert frame.equals(kg.sparql(query, small_build, bindings={"slug": "lease"}))
    assert kg.sparql("ASK { ?s ?p ?o }", small_build, timeout=20) is True


def test_a_time_limit_needs_a_build_folder():
    with pytest.raises(KgError, match="needs a build folder"):
        kg.sparql("ASK { }", kg.build_graph([]), timeout=5)


# --- SERVICE -----------------------------------------------------------------------------------


def test_kg_query_sends_no_request_for_service_unless_allowed(small_build, listener):
    url, seen = listener
    query = f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
    res, _ = kg_query(query, "--data", str(small_build))
    assert res.returncode == 1 and "federated queries are off" in res.stderr
    assert "--allow-service" in res.stderr
    res, _ = kg_query(query, "--data", str(small_build), "--timeout", "0")
    assert res.returncode == 1
    with pytest.raises(QueryRefused, match="SERVICE"):
        kg.sparql(query, small_build)
    with pytest.raises(QueryRefused, match="SERVICE"):
        kg.sparql(query, small_build, engine="rdflib")
    assert seen == []  # nothing reached the listener

    res, _ = kg_query(query, "--data", str(small_build), "--allow-service", "--format", "csv")
    assert res.returncode == 0, res.stderr
    assert seen and seen[0].startswith("POST /sparql")  # the flag does what it says


# --- prefixes (issue 19) -----------------------------------------------------------------------


def test_kg_query_explains_an_undeclared_prefix(small_build):
    res, _ = kg_query("SELECT * WHERE {\n ?s foo:bar ?o }", "--data", str(small_build))
    assert res.returncode == 1
    assert "prefix foo: is not declared (line 2, column 5)" in res.stderr
    assert "declared for you: rdf, rdfs, xsd, skos, dct, kgv, concept" in res.stderr
    assert "\\u{" not in res.stderr and "00C0" not in res.stderr
