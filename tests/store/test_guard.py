"""kg.store.guard: what a query must not be before the engine sees it (issue 17, 19)."""

from __future__ import annotations

import pytest

from kg.errors import QueryRefused
from kg.formats.rdf import prefixes
from kg.store import named as nq
from kg.store.guard import MAX_DEPTH, check_query, nesting_depth

KG = prefixes()


def refused(query: str, **kwargs) -> str:
    with pytest.raises(QueryRefused) as err:
        check_query(query, **kwargs)
    return str(err.value)


def nested(depth: int, open_: str = "{", close: str = "}") -> str:
    return "SELECT * WHERE " + open_ * depth + "?s ?p ?o" + close * depth


# --- nesting -----------------------------------------------------------------------------------


def test_the_5000_deep_query_of_the_issue_is_refused_with_where_it_goes_too_deep():
    message = refused(nested(5000))
    assert f"more than {MAX_DEPTH} deep" in message
    assert "line 1, column 80" in message  # the 65th brace: 15 characters of SELECT * WHERE


def test_the_limit_is_inclusive_and_can_be_lifted():
    check_query(nested(MAX_DEPTH))
    assert "deep" in refused(nested(MAX_DEPTH + 1))
    check_query(nested(MAX_DEPTH + 1), max_depth=MAX_DEPTH + 1)
    check_query(nested(5000), max_depth=0)
    assert "more than 3 deep" in refused(nested(4), max_depth=3)


def test_parentheses_and_brackets_count_with_braces():
    deep_parens = "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 70 + "?o" + ")" * 70 + ") }"
    assert "deep" in refused(deep_parens)
    deep_lists = "SELECT * WHERE { ?s ?p " + "[ ?p " * 70 + "?o" + " ]" * 70 + " }"
    assert "deep" in refused(deep_lists)
    assert nesting_depth("SELECT * { { ?s ?p ( [ ?q ?o ] ) } }") == 4


@pytest.mark.parametrize(
    "text",
    [
        "'" + "{" * 100 + "'",
        '"' + "{(" * 100 + '"',
        "'''" + "\n{" * 100 + "\n'''",
        '"""' + "{ ' \" " * 100 + '"""',
        '"a \\" ' + "{" * 100 + '"',  # an escaped quote does not end the string
        "'it\\'s " + "{" * 100 + "'",
    ],
)
def test_brackets_inside_string_literals_do_not_count(text):
    query = f"SELECT * WHERE {{ ?s ?p {text} }}"
    assert nesting_depth(query) == 1
    check_query(query)


def test_brackets_inside_comments_do_not_count_and_a_hash_in_an_iri_is_no_comment():
    query = "SELECT * WHERE { # " + "{" * 100 + "\n ?s <http://example.org/a#b> ?o }"
    assert nesting_depth(query) == 1
    # the '#' inside the IRI starts no comment: the braces after it on the line count
    assert nesting_depth("SELECT * { ?s <http://x/#frag> ?o " + "{ " * 3 + "} " * 3 + "}") == 4
    # and a quote inside an IRI opens no string
    assert nesting_depth("SELECT * { ?s <http://x/it's> ?o { ?a ?b ?c } }") == 2


def test_less_than_is_an_operator_when_no_iri_follows():
    query = "SELECT * { ?s ?p ?o FILTER(?o < 3 && ?o > 1) { ?a ?b ?c } }"
    assert nesting_depth(query) == 2


# --- size --------------------------------------------------------------------------------------


def test_a_query_past_the_size_limit_is_refused_in_bytes_of_utf8():
    base = "SELECT * WHERE { ?s ?p ?o } #"
    check_query(base + "x" * (100 - len(base)), max_bytes=100)
    message = refused(base + "x" * (101 - len(base)), max_bytes=100)
    assert "101 bytes long, more than the 100 allowed" in message
    assert "bytes" in refused(base + "é" * 40, max_bytes=100)  # 2 bytes each
    huge = "SELECT * WHERE { VALUES ?x { " + '"abcdefgh" ' * 7000 + "} }"
    assert "more than the 65,536 allowed" in refused(huge)
    check_query(huge, max_bytes=0)


# --- SERVICE -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
        "select * where { service silent <http://example.org/> { ?s ?p ?o } }",
        "SELECT * WHERE { ?e a ?t . SeRvIcE ?e { ?s ?p ?o } }",
        "PREFIX ex: <http://example.org/>\nSELECT * WHERE {\n  SERVICE ex:sparql { ?s ?p ?o } }",
    ],
)
def test_service_is_refused_unless_allowed(query):
    message = refused(query)
    assert "SERVICE" in message and "federated queries are off" in message
    assert "line" in message and "column" in message
    check_query(query, allow_service=True)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?service WHERE { ?service ?p 'SERVICE <http://x/> { }' }",
        "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o } # SERVICE <http://x/> {}",
        "PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:SERVICE ?o }",
        'SELECT * WHERE { ?s ?p """\nSERVICE <http://x/> { }\n""" }',
    ],
)
def test_the_word_service_elsewhere_is_not_a_federated_query(query):
    check_query(query)


# --- prefixes (issue 19) -----------------------------------------------------------------------


def test_an_undeclared_prefix_is_named_with_its_place():
    message = refused("SELECT * WHERE {\n  ?s foo:bar ?o }", declared={})
    assert message.startswith("prefix foo: is not declared (line 2, column 6)")
    assert "PREFIX foo: <...>" in message
    assert "prefix : is not declared" in refused("SELECT * { :x ?p ?o }", declared={})


def test_kgs_prefixes_are_suggested_when_a_client_did_not_declare_them():
    message = refused("SELECT * { ?c skos:prefLabel ?l }", declared={}, suggest=KG)
    assert "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>" in message


def test_declared_prefixes_pass_from_the_query_or_the_caller():
    check_query("PREFIX foo: <urn:foo:> SELECT * { ?s foo:bar ?o }", declared={})
    check_query("PREFIX : <urn:x> SELECT * { :a ?p ?o }", declared={})
    check_query("SELECT * { ?c skos:prefLabel ?l }", declared=KG)
    message = refused("SELECT * { ?c nope:x ?l }", declared=KG)
    assert "declared for you: rdf, rdfs" in message


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { ?s ?p 'foo:bar' }",
        "SELECT * { ?s ?p <urn:foo:bar> }",
        "SELECT * { ?s ?p ?o } # foo:bar",
        'SELECT * { _:b1 ?p "x"@en-GB }',
        'SELECT * { ?s ?p "1"^^<http://www.w3.org/2001/XMLSchema#int> }',
        "SELECT (STRLEN('a:b') AS ?n) WHERE { }",
        "SELECT * { ?s ?p 1.5e3 , -2 , .5 }",
    ],
)
def test_what_only_looks_like_a_prefixed_name_is_not_checked(query):
    check_query(query, declared={})


def test_a_local_name_with_colons_dots_and_escapes_is_one_name():
    check_query("SELECT * { ?s ?p ex:a:b.c\\,d%20e }", declared={"ex": "urn:"})
    assert "prefix xsd:" in refused("SELECT * { ?s ?p '1'^^xsd:int }", declared={})


def test_every_shipped_named_query_passes_with_kgs_prefixes():
    for named in nq.list_queries():
        check_query(nq.named_query(named.name).text, declared=KG)
