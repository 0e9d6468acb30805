"""The site's pages: what a concept page shows, linked data, indexes, escaping, languages."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyoxigraph as ox
import pytest
from site_wiki import HOSTILE_IMG, HOSTILE_SCRIPT, site_graph

from kg.explore import related
from kg.formats.rdf import rdf_bytes
from kg.site import write_site

BASE = "https://wiki.example.org/kg/"


@pytest.fixture(scope="module")
def G():
    return site_graph()


@pytest.fixture(scope="module")
def site(G, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    write_site(G, out, site_url="https://investors.wiki", base_iri=BASE)
    return out


def read(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


class Refs(HTMLParser):
    """Every href/src of a page, and the text of its elements by tag."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        for key in ("href", "src"):
            if attrs.get(key) is not None:
                self.refs.append(attrs[key])


def refs_of(text: str) -> Refs:
    parser = Refs()
    parser.feed(text)
    return parser


def test_every_file_is_there(site):
    for rel in [
        "index.html",
        "quality.html",
        "wanted.html",
        "orphans.html",
        "summary.json",
        "site.css",
        "site.js",
        ".nojekyll",
        "concept/backoffice.html",
        "concept/backoffice.ttl",
        "concept/backoffice.jsonld",
        "concept/lease.html",
        "concept/a%22b%7D.html",
        "a-z/sv/index.html",
        "a-z/fi/index.html",
        "a-z/ar/index.html",
        "keyword/index.html",
        "keyword/investing.html",
        "search/concepts.js",
        "search/keywords.js",
        "search/index-sv.js",
        "search/index-fi.js",
        "search/index-en.js",
    ]:
        assert (site / rel).is_file(), rel


def test_every_link_of_every_page_reaches_a_file_of_the_site(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        for ref in refs_of(page.read_text(encoding="utf-8")).refs:
            parts = urlsplit(ref)
            if parts.scheme in ("http", "https"):
                assert parts.netloc in ("investors.wiki", "wiki.example.org"), ref
                continue
            assert not parts.scheme and not parts.netloc, f"{page}: {ref}"
            if not parts.path:  # a link within the page
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_file(), f"{page.relative_to(site)} links to missing {ref}"
            assert site.resolve() in target.parents


def test_concept_page_shows_labels_definitions_and_evidence(site):
    page = read(site, "concept/backoffice.html")
    assert '<h1><span lang="en">back office</span></h1>' in page
    assert '<dd lang="fi">takahuone</dd>' in page and '<dd lang="sv">back office</dd>' in page
    assert '<span lang="sv">Backoffice är administrationen.</span>' in page
    # a link out with its anchor, sentence and section; the anchor marked in the sentence
    assert '<q lang="sv">hyresavtal</q>' in page
    assert "Kommersiella <mark>hyresavtal</mark> är billiga." in page
    assert '<span class="section" lang="sv">Vad är Back Office?</span>' in page
    # links in, with the sentence of the linking article
    links_in = page[page.index('id="links-in"') :]
    assert "The <mark>back office</mark> keeps the leases." in links_in
    # keywords, missing translations (no Arabic back office), sources with the wiki's URL
    assert 'href="../keyword/stock-brokers.html"' in page
    assert "No article in" in page and '<span lang="ar" dir="rtl">العربية</span> (ar)' in page
    assert '<a href="https://investors.wiki/sv/backoffice" hreflang="sv">' in page
    assert "<code>sv/backoffice.md</code>" in page


def test_concept_page_related_is_kg_related(G, site):
    page = read(site, "concept/lease.html")
    section = page[
        page.index('id="related"') : page.index("</section>", page.index('id="related"'))
    ]
    shown = re.findall(r'<li><a href="([^"]+)\.html"', section)
    assert shown == [r["id"] for r in related(G, "lease")]
    assert shown, "lease has suggestions in this wiki"


def test_small_graph_is_inline_svg_of_links(site):
    page = read(site, "concept/backoffice.html")
    svg = page[page.index('<svg class="ego"') : page.index("</svg>") + 6]
    hrefs = set(re.findall(r'<a href="([^"]+)" class="node', svg))
    assert {"frontoffice.html", "middleoffice.html", "lease.html", "cpa.html"} <= hrefs
    assert svg.count("<circle") == len(hrefs) + 1  # the concept itself is no link
    assert 'class="node missing"' in svg  # cpa has no article
    assert "<script" not in svg


def test_linked_data_beside_and_inside_the_page(G, site):
    page = read(site, "concept/backoffice.html")
    assert '<link rel="alternate" type="text/turtle" href="backoffice.ttl"' in page
    assert '<link rel="alternate" type="application/ld+json" href="backoffice.jsonld"' in page
    assert f'<code class="iri">{BASE}concept/backoffice</code>' in page
    embedded = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    on_disk = read(site, "concept/backoffice.jsonld")
    assert json.loads(embedded.group(1)) == json.loads(on_disk)
    ttl = ox.parse(read(site, "concept/backoffice.ttl").encode(), format=ox.RdfFormat.TURTLE)
    triples = set(ttl)
    whole = set(ox.parse(rdf_bytes(G, "ttl", BASE), format=ox.RdfFormat.TURTLE))
    assert triples and triples <= whole  # a slice of the build's Turtle
    subjects = {t.subject.value for t in triples}
    assert subjects == {f"{BASE}concept/backoffice"} | {
        f"{BASE}link/backoffice/{v}" for v, d in G.succ["backoffice"].items() if d["kind"] == "link"
    }
    jsonld = set(ox.parse(on_disk.encode(), format=ox.RdfFormat.JSON_LD))
    assert jsonld == triples
    # with the base IRI at the site's URL, <base>concept/<slug> is the page minus .html
    for term in ox.parse(rdf_bytes(G, "nt", BASE), format=ox.RdfFormat.N_TRIPLES):
        iri = term.subject.value
        if iri.startswith(f"{BASE}concept/"):
            assert (site / f"{iri[len(BASE) :]}.html").is_file(), iri


def test_hostile_titles_stay_text(site):
    for page in [*site.rglob("*.html"), *site.glob("search/*.js")]:
        text = page.read_text(encoding="utf-8")
        assert HOSTILE_IMG not in text, page
        assert "<script>window.__pwned" not in text, page
        if page.suffix == ".html":
            # one closing tag per script element: the JSON-LD block cannot be ended early
            assert text.count("</script>") == text.count("<script"), page
        else:  # the search index: JSON in a script, "<" escaped
            assert "<" not in text, page
    evil = read(site, "concept/evil.html")
    assert "&lt;img src=x onerror=window.__pwned=1&gt;" in evil
    evil2 = read(site, "concept/evil2.html")
    assert "&lt;/script&gt;&lt;script&gt;window.__pwned=2&lt;/script&gt;" in evil2
    assert HOSTILE_SCRIPT not in evil2


def test_no_script_handler_or_foreign_resource_anywhere(site):
    for page in site.rglob("*.html"):
        parsed = refs_of(page.read_text(encoding="utf-8"))
        for tag, attrs in parsed.tags:
            assert not any(k.startswith("on") for k in attrs), (page, tag, attrs)
            if tag == "script" and "src" in attrs:
                assert attrs["src"].endswith(("site.js",)), attrs
        metas = [a for t, a in parsed.tags if t == "meta" and a.get("http-equiv")]
        assert metas and "default-src 'none'" in metas[0]["content"]


def test_languages_keep_their_tags_and_direction(site):
    page = read(site, "concept/lease.html")
    assert '<dd lang="ar" dir="rtl">عقد الإيجار</dd>' in page
    assert '<dd lang="fi">vuokrasopimus</dd>' in page
    az = read(site, "a-z/ar/index.html")
    assert 'hreflang="sv" lang="sv">svenska</a>' in az


def test_display_language_and_its_fall_back(G, tmp_path):
    write_site(G, tmp_path / "fi", display_lang="fi")
    fi = read(tmp_path / "fi", "concept/backoffice.html")
    assert '<h1><span lang="fi">takahuone</span></h1>' in fi
    # front office has no Finnish title and no English one: its Swedish title, marked sv
    front = read(tmp_path / "fi", "concept/frontoffice.html")
    assert '<h1><span lang="sv">front office</span><abbr class="fallback"' in front
    write_site(G, tmp_path / "de", display_lang="de")
    de = read(tmp_path / "de", "concept/backoffice.html")
    assert '<h1><span lang="en">back office</span><abbr class="fallback"' in de


def test_a_to_z_per_language(site):
    sv = read(site, "a-z/sv/index.html")
    letters = re.findall(r'<li><a href="([^"]+)">([^<]+)<small>', sv)
    assert letters and all(href.endswith(".html") for href, _ in letters)
    b = read(site, "a-z/sv/b.html")
    assert '<a href="../../concept/backoffice.html"><span lang="sv">back office</span></a>' in b
    fi = read(site, "a-z/fi/index.html")
    assert 'aria-current="page" lang="fi">suomi</strong>' in fi
    # a concept without a Finnish title is listed in Finnish's A–Z by its other title
    f = read(site, "a-z/fi/f.html")
    assert '<span lang="sv">front office</span></a><abbr class="fallback"' in f


def test_keyword_wanted_and_orphan_pages(site):
    kw = read(site, "keyword/investing.html")
    assert "../concept/backoffice.html" in kw and "../concept/evil.html" in kw
    assert "&lt;b&gt;kw&lt;/b&gt;" in read(site, "keyword/index.html")
    wanted = read(site, "wanted.html")
    rows = re.findall(r'<tr><th scope="row"><a href="concept/([^"]+)\.html"', wanted)
    assert rows[0] == "middleoffice"  # wanted by back office in sv, en and fi
    assert "no article yet" in wanted
    assert "No orphan" in read(site, "orphans.html")


def test_search_index_holds_every_label_in_every_language(site):
    def payload(rel: str):
        text = read(site, rel)
        return json.loads(text[text.index("=[") + 1 : -2])

    concepts = payload("search/concepts.js")
    stems = [c[0] for c in concepts]
    assert "backoffice" in stems and "a%22b%7D" in stems
    fi = {(t, stems[i], k) for t, i, k in payload("search/index-fi.js")}
    assert ("takahuone", "backoffice", 0) in fi and ("vuokrasopimus", "lease", 0) in fi
    sv = {(t, stems[i], k) for t, i, k in payload("search/index-sv.js")}
    assert ("hyresavtal", "lease", 0) in sv and ("CPA:er", "cpa", 1) in sv
    keywords = {k[0]: k[1] for k in payload("search/keywords.js")}
    assert keywords["Stock Brokers"] == "stock-brokers"
