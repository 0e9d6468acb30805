"""The site in a real headless Chromium, from file://: navigation, search, the dashboard.

Every request is routed: a request for a file inside the site's folder goes on, any other
is aborted and recorded, and each test asserts there was none, and no console error.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from site_wiki import HOSTILE_IMG, HOSTILE_SCRIPT, site_graph

from kg.site import write_site

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is absent")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browsed") / "site"
    write_site(site_graph(), out, site_url="https://investors.wiki")
    return out


class Visit:
    """A browser page kept inside one folder: other requests aborted and recorded."""

    def __init__(self, browser, folder: Path, **options) -> None:
        self.folder = folder.resolve()
        self.context = browser.new_context(viewport={"width": 1280, "height": 800}, **options)
        self.page = self.context.new_page()
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.route("**/*", self._route)

    def _route(self, route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme == "file":
            target = Path(unquote(parts.path)).resolve()
            if target == self.folder or self.folder in target.parents:
                route.continue_()
                return
        self.outside.append(url)
        route.abort()

    def open(self, rel: str) -> None:
        self.page.goto((self.folder / rel).as_uri())

    def url(self) -> str:
        path = Path(unquote(urlsplit(self.page.url).path))
        return path.relative_to(self.folder).as_posix()

    def at(self, rel: str) -> None:
        """Wait until the page is ``rel`` of the site (a click's navigation may still be
        under way on a busy machine); fail when it does not get there."""
        target = (self.folder / rel).as_uri()
        with contextlib.suppress(sync_api.TimeoutError):  # then say where the page is
            self.page.wait_for_url(lambda url: unquote(url) == unquote(target), timeout=10_000)
        assert self.url() == rel

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def search(self, text: str) -> list[str]:
        """Type ``text`` into the search box (opened with "/") and return the results."""
        page = self.page
        page.keyboard.press("/")
        assert self.js("document.activeElement.id") == "kg-q"
        page.fill("#kg-q", "")
        page.keyboard.type(text)
        page.wait_for_selector("#kg-results li", timeout=10_000)
        return page.locator("#kg-results li").all_inner_texts()

    def close(self) -> None:
        assert self.outside == [], f"requests left the folder: {self.outside}"
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.js("typeof window.__pwned") == "undefined"
        self.context.close()


@pytest.fixture
def visit(browser, site):
    visits: list[Visit] = []

    def make(folder: Path = site, **options) -> Visit:
        v = Visit(browser, folder, **options)
        visits.append(v)
        return v

    yield make
    for v in visits:
        v.close()


def test_index_to_a_concept_and_back(visit):
    v = visit()
    v.open("index.html")
    assert v.page.title().startswith("Home")
    v.page.click("#a-z .letters a:text-is('B')")
    v.at("a-z/en/b.html")
    v.page.locator("ul.entries").get_by_role("link", name="back office", exact=True).click()
    v.at("concept/backoffice.html")
    assert v.page.inner_text("h1") == "back office"
    assert "Kommersiella hyresavtal är billiga." in v.page.inner_text("#links-out")
    out = v.page.locator("#links-out")
    out.get_by_role("link", name="lease", exact=True).click()  # a concept it links to
    v.at("concept/lease.html")
    v.page.go_back()
    v.at("concept/backoffice.html")
    v.page.go_back()
    v.page.go_back()
    v.at("index.html")
    v.page.click("nav a:text-is('Quality')")
    v.at("quality.html")


@pytest.mark.parametrize(
    ("typed", "found", "page"),
    [
        ("hyresavtal", "hyresavtal", "concept/lease.html"),  # Swedish title
        ("hyresavtl", "hyresavtal", "concept/lease.html"),  # a letter missing
        ("takahuone", "takahuone", "concept/backoffice.html"),  # Finnish
        ("takahoune", "takahuone", "concept/backoffice.html"),  # two letters swapped
        ("keskitoimisto", "keskitoimisto", "concept/middleoffice.html"),  # a Finnish anchor
        ("front ofice", "front office", "concept/frontoffice.html"),  # English, a typo
        ("lease", "lease", "concept/lease.html"),
    ],
)
def test_search_in_swedish_finnish_and_english_reaches_the_concept(visit, typed, found, page):
    v = visit()
    v.open("concept/evil.html")  # from a page one folder down
    results = v.search(typed)
    assert results and results[0].startswith(found), results
    v.page.keyboard.press("ArrowDown")
    assert v.js("document.getElementById('kg-q').getAttribute('aria-activedescendant')") == (
        "kg-opt-0"
    )
    with v.page.expect_navigation():
        v.page.keyboard.press("Enter")
    v.at(page)


def test_search_finds_keywords_and_loads_the_index_only_when_used(visit, site):
    v = visit()
    v.open("index.html")
    assert v.js("Object.keys(window.kgSearchData || {}).length") == 0
    assert v.js("document.querySelectorAll('script[src*=\"search/\"]').length") == 0
    results = v.search("stock brokers")
    assert any("keyword" in r for r in results), results
    assert v.js("document.querySelectorAll('script[src*=\"search/\"]').length") == 6
    v.page.keyboard.press("Escape")
    assert v.page.locator("#kg-results").is_hidden()


def test_the_dashboard_draws_every_chart(visit):
    v = visit()
    v.open("quality.html")
    charts = v.js(
        """[...document.querySelectorAll('figure.chart')].map(f => {
            const svg = f.querySelector('svg');
            const box = svg.getBoundingClientRect();
            const bars = [...svg.querySelectorAll('rect.bar, rect.bar2')]
                .filter(r => r.getBBox().width > 0 && r.getBBox().height > 0);
            return {id: f.id, width: box.width, height: box.height, bars: bars.length,
                    title: svg.querySelector('title').textContent,
                    rows: f.querySelectorAll('table tbody tr').length};
        })"""
    )
    assert [c["id"] for c in charts] == [
        "links-per-concept", "coverage", "most-wanted", "checks", "components",
    ]  # fmt: skip
    for chart in charts:
        assert chart["width"] > 300 and chart["height"] > 100, chart
        assert chart["bars"] > 0 and chart["rows"] > 0 and chart["title"], chart
    # readable in print: the charts keep their bars, the search box goes
    v.page.emulate_media(media="print")
    assert v.js("getComputedStyle(document.querySelector('.search')).display") == "none"
    assert v.js("document.querySelector('rect.bar').getBBox().width") > 0


def test_hostile_titles_stay_text(visit):
    v = visit()
    v.open("concept/evil.html")
    assert v.page.inner_text("h1") == HOSTILE_IMG
    assert v.js("document.querySelectorAll('main img, main i, main b').length") == 0
    results = v.search("img src")
    assert any(HOSTILE_IMG in r for r in results), results
    v.open("concept/evil2.html")
    assert v.page.title().startswith(HOSTILE_SCRIPT)
    assert v.js("document.querySelectorAll('script').length") == 2  # JSON-LD and site.js
    assert "as the evil one" in v.page.inner_text("#links-out")


def test_pages_read_without_javascript(visit):
    v = visit(java_script_enabled=False)
    v.open("concept/backoffice.html")
    assert v.page.locator("#kg-search").is_hidden()
    assert v.page.locator("svg.ego a.node").count() >= 4
    assert "The back office is administration." in v.page.inner_text("#definition")
    v.page.click("svg.ego a.node >> nth=0")
    assert v.url().startswith("concept/")


def test_light_and_dark_follow_the_system(visit):
    colours = []
    for scheme in ("light", "dark"):
        v = visit(color_scheme=scheme)
        v.open("concept/backoffice.html")
        colours.append(v.js("getComputedStyle(document.body).backgroundColor"))
    assert colours[0] == "rgb(255, 255, 255)" and colours[1] != colours[0]


def test_the_real_sample(visit, real_corpus, tmp_path):
    import kg

    out = tmp_path / "real"
    write_site(kg.load(real_corpus), out, site_url="https://investors.wiki")
    v = visit(out)
    v.open("concept/backoffice.html")
    assert v.page.inner_text("h1") == "Back Office"
    assert v.page.locator("svg.ego a.node").count() >= 5
    results = v.search("takahuone")
    assert results[0].startswith("takahuone")
    v.open("quality.html")
    assert v.page.locator("figure.chart svg rect.bar").count() > 10
