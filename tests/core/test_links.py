"""Link destinations → slugs (kg.links), and what the parser does with each kind of link."""

from __future__ import annotations

import pytest

from kg.articles import parse_article
from kg.graph import build_graph
from kg.links import NOWHERE, normalise_site_url, resolve

SITE = normalise_site_url("https://investors.wiki")


@pytest.mark.parametrize(
    ("dest", "slug"),
    [
        ("/frontoffice", "frontoffice"),
        ("/frontoffice/", "frontoffice"),
        ("/frontoffice#history", "frontoffice"),
        ("/frontoffice/#history", "frontoffice"),
        ("/frontoffice?ref=1", "frontoffice"),
        ("frontoffice.md", "frontoffice"),
        ("./frontoffice.md", "frontoffice"),
        ("../sv/frontoffice.md", "frontoffice"),
        ("../sv/frontoffice.md#part", "frontoffice"),
        ("/Swedish/frontoffice.md", "frontoffice"),
        ("frontoffice", "frontoffice"),
        ("  /frontoffice  ", "frontoffice"),
        ("/down_payment", "down_payment"),  # underscores stay
        ("/client-facing", "client-facing"),
    ],
)
def test_internal_forms_give_the_slug(dest, slug):
    assert resolve(dest).slug == slug
    assert resolve(dest).external is None


@pytest.mark.parametrize(
    ("dest", "slug"),
    [
        ("/down%5Fpayment", "down_payment"),
        ("/caf%C3%A9", "café"),
        ("../sv/r%C3%A4nta.md", "ränta"),
        ("/a%20b", "a b"),
    ],
)
def test_percent_encoding_is_decoded(dest, slug):
    assert resolve(dest).slug == slug


@pytest.mark.parametrize(
    "url",
    [
        "https://investors.wiki/lease",
        "https://investors.wiki/lease/",
        "http://investors.wiki/lease",
        "https://www.investors.wiki/lease",
        "http://www.investors.wiki/lease#x",
        "https://investors.wiki/sv/lease",
        "https://investors.wiki/sv/lease/",
        "https://investors.wiki/Swedish/lease.md",
    ],
)
def test_urls_under_the_site_url_are_internal(url):
    assert resolve(url, SITE).slug == "lease"
    # without --site-url the same URL is just another web site
    assert resolve(url).slug is None
    assert resolve(url).external == url


@pytest.mark.parametrize(
    "site_url", ["https://investors.wiki", "http://www.investors.wiki/", "investors.wiki"]
)
def test_site_url_spelling_does_not_matter(site_url):
    site = normalise_site_url(site_url)
    assert site == ("investors.wiki", "")
    assert resolve("https://investors.wiki/lease", site).slug == "lease"
    assert resolve("http://www.investors.wiki/lease", site).slug == "lease"


def test_site_url_with_a_path_prefix():
    site = normalise_site_url("https://example.org/wiki/")
    assert resolve("https://example.org/wiki/lease", site).slug == "lease"
    assert resolve("https://example.org/other/lease", site).external is not None
    assert resolve("https://example.org/wikipedia/lease", site).external is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/lease",
        "http://investors.wiki.evil.com/lease",
        "https://investors.wikipedia.org/lease",
        "mailto:someone@example.com",
        "ftp://investors.wiki/lease",
    ],
)
def test_other_sites_are_external(url):
    target = resolve(url, SITE)
    assert target.slug is None
    assert target.external == url


@pytest.mark.parametrize(
    "dest",
    [
        "",
        "   ",
        "#history",
        "#",
        "/",
        "/chart.png",
        "/chart.PNG",
        "../img/photo.jpg",
        "/files/report.pdf",
        "report.pdf#page=2",
        "https://investors.wiki/",
    ],
)
def test_destinations_naming_no_article(dest):
    assert resolve(dest, SITE) == NOWHERE


def test_site_root_without_site_url_is_external_not_an_edge():
    assert resolve("https://investors.wiki/").external == "https://investors.wiki/"


# --- the same rules seen through the parser and the graph ----------------------------------

BODY = """\
# Links

A [slash](/a), a [trailing](/b/), a [part](/c#x), a [file](d.md), a [relative](../sv/e.md),
an [encoded](/f%5Fg), a [site](https://investors.wiki/h), a [www site](http://www.investors.wiki/i/).

An [outside](https://example.com/page), an [in-page](#links), an [image link](/chart.png),
a [pdf](/files/annual.pdf) and an image ![chart](/j).
"""


def test_parser_applies_the_rules():
    art = parse_article(BODY, slug="src", lang="en", site_url="https://investors.wiki")
    assert [link.target for link in art.links] == ["a", "b", "c", "d", "e", "f_g", "h", "i"]
    assert art.external == ["https://example.com/page"]


def test_without_site_url_site_links_are_external():
    art = parse_article(BODY, slug="src", lang="en")
    assert [link.target for link in art.links] == ["a", "b", "c", "d", "e", "f_g"]
    assert art.external == [
        "http://www.investors.wiki/i/",
        "https://example.com/page",
        "https://investors.wiki/h",
    ]


def test_external_links_are_node_data_not_edges():
    G = build_graph([parse_article(BODY, slug="src", lang="en", site_url="https://investors.wiki")])
    assert G.nodes["src"]["external_links"] == ["https://example.com/page"]
    assert sorted(G.successors("src")) == ["a", "b", "c", "d", "e", "f_g", "h", "i"]
    for name in ("chart", "chart.png", "j", "annual", "links", "example.com", "page"):
        assert name not in G
    assert not any("example.com" in str(n) for n in G)
