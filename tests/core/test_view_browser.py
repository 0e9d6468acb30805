"""The HTML view in a real headless Chromium: offline, safe, and interactive.

Every request other than the page's own file:// URL is aborted and recorded; the tests
assert none was made. Screenshots go to tests/screenshots/ (git-ignored).
"""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from kg.graph import concepts
from kg.viz import Viz, ego_concepts, render_html
from tests.core.test_viz import graph_of
from tests.corpora import HOSTILE_IMG, HOSTILE_SCRIPT, hostile_files

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"

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
def G():
    return graph_of(hostile_files())


class Page:
    """A page opened from a file, every outside request aborted and logged."""

    def __init__(self, browser, path: Path, width: int = 1280, height: int = 800) -> None:
        self.url = path.resolve().as_uri()
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.route("**/*", self._route)
        self.page.goto(self.url)
        self.page.wait_for_function("window.kgReady === true", timeout=30_000)

    def _console(self, msg) -> None:
        if msg.type == "error":
            self.errors.append(msg.text)

    def _route(self, route) -> None:
        url = route.request.url
        if url == self.url or (url.startswith("about:") or url.startswith("data:")):
            route.continue_()
        else:
            self.requests.append(url)
            route.abort()

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def node_point(self, node_id: str) -> tuple[float, float]:
        return tuple(
            self.js(
                """id => { const p = network.getPositions([id])[id];
                       const d = network.canvasToDOM(p);
                       const r = document.getElementById('mynetwork').getBoundingClientRect();
                       return [r.left + d.x, r.top + d.y]; }""",
                node_id,
            )
        )

    def assert_clean(self) -> None:
        assert self.requests == [], f"requests left the file: {self.requests}"
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.js("typeof window.__pwned") == "undefined"

    def close(self) -> None:
        self.page.close()


def open_view(browser, tmp_path: Path, page_html: str, name: str = "view.html", **kw) -> Page:
    path = tmp_path / name
    path.write_text(page_html, encoding="utf-8")
    return Page(browser, path, **kw)


def drawn_ids(view: Page) -> list[str]:
    return sorted(view.js("nodes.getIds()"))


def test_offline_and_draws_every_node(browser, G, tmp_path):
    view = open_view(browser, tmp_path, render_html(G))
    try:
        assert view.js("network instanceof vis.Network")
        assert view.js("network.body.data.nodes.length") == len(concepts(G))
        assert drawn_ids(view) == concepts(G)
        assert view.js("Object.keys(network.getPositions()).length") == len(concepts(G))
        assert view.js("network.body.data.edges.length") == sum(
            1 for *_, k in G.edges(data="kind") if k == "link"
        )
        view.assert_clean()
    finally:
        view.close()


def test_outside_requests_would_be_caught(browser, tmp_path):
    """The request trap works: a page that does fetch something is seen doing it."""
    path = tmp_path / "leaky.html"
    path.write_text(
        '<!DOCTYPE html><img src="https://example.invalid/x.png">'
        "<script>window.kgReady = true;</script>",
        encoding="utf-8",
    )
    view = Page(browser, path)
    try:
        assert view.requests == ["https://example.invalid/x.png"]
    finally:
        view.close()


def test_hostile_titles_stay_text(browser, G, tmp_path):
    view = open_view(browser, tmp_path, render_html(G, show_keywords=True))
    try:
        for node_id, text in [("evil", HOSTILE_IMG), ("evil2", HOSTILE_SCRIPT)]:
            x, y = view.node_point(node_id)
            view.page.mouse.move(x - 30, y - 30)
            view.page.mouse.move(x, y, steps=4)
            tip = view.page.locator("div.vis-tooltip")
            tip.wait_for(state="visible", timeout=5_000)
            view.page.wait_for_function(
                "t => document.querySelector('div.vis-tooltip').textContent.includes(t)",
                arg=text,
                timeout=5_000,
            )
            assert text in tip.text_content()
            view.page.mouse.click(x, y)
            assert view.js("network.getSelectedNodes()") == [node_id]
            assert view.js("kgState.highlight") == node_id
            details = view.page.locator("#kg-details")
            assert text in details.text_content()
        # no element was made from article text
        assert view.js("document.querySelectorAll('img, iframe, object, embed').length") == 0
        assert view.js("document.querySelectorAll('script').length") == 3
        assert view.js("typeof window.__pwned") == "undefined"
        view.assert_clean()
    finally:
        view.close()


@pytest.mark.parametrize("focus,depth", [("frontoffice", 1), ("evil", 2), ("lease", 0)])
def test_ego_view_holds_exactly_the_neighbourhood(browser, G, tmp_path, focus, depth):
    view = open_view(browser, tmp_path, render_html(G, focus=focus, depth=depth))
    try:
        assert drawn_ids(view) == sorted(ego_concepts(G, focus, depth))
        assert view.js("network.getSelectedNodes()") == [focus]
        view.assert_clean()
    finally:
        view.close()


@pytest.mark.parametrize(
    "query,expected",
    [
        ("hyresavtal", "lease"),  # a Swedish title
        ("front off", "frontoffice"),  # a prefix of the label
        ("CPA:er", "cpa"),  # an anchor text of a concept without an article
        ("evil one", "evil"),  # an anchor text that is not a title
    ],
)
def test_search_focuses_a_node(browser, G, tmp_path, query, expected):
    view = open_view(browser, tmp_path, render_html(G, show_missing=False))
    try:
        box = view.page.locator("#kg-search")
        box.fill(query)
        first = view.page.locator("#kg-results li").first
        assert first.get_attribute("data-id") == expected
        box.press("Enter")
        assert view.js("network.getSelectedNodes()") == [expected]
        assert view.js("kgState.highlight") == expected
        assert expected in drawn_ids(view)  # a hidden missing concept is shown when found
        view.assert_clean()
    finally:
        view.close()


def test_legend_filters_a_group_and_toggles_work(browser, G, tmp_path):
    view = open_view(browser, tmp_path, render_html(G))
    try:
        legend = view.js("KG.legend.map(g => g.name)")
        group = legend.index("Investing")
        members = sorted(view.js("g => KG.nodes.filter(r => r.group === g).map(r => r.id)", group))
        assert members == ["backoffice", "evil", "frontoffice"]
        item = view.page.locator(f'#kg-legend li[data-group="{group}"]')
        item.click()
        hidden = view.js(
            "Object.values(network.body.nodes).filter(n => n.options.hidden).map(n => n.id).sort()"
        )
        assert hidden == members
        assert "kg-off" in view.page.locator(f'#kg-legend li[data-group="{group}"]').get_attribute(
            "class"
        )
        view.page.locator(f'#kg-legend li[data-group="{group}"]').click()
        assert (
            view.js("Object.values(network.body.nodes).filter(n => n.options.hidden).length") == 0
        )

        n_concepts = len(concepts(G))
        n_keywords = sum(1 for _, k in G.nodes(data="kind") if k == "keyword")
        view.page.locator("#kg-show-keywords").check()
        assert view.js("nodes.length") == n_concepts + n_keywords
        view.page.locator("#kg-show-missing").uncheck()
        assert view.js("nodes.length") == n_concepts + n_keywords - len(concepts(G, False))
        assert "cpa" not in drawn_ids(view)
        view.page.locator("#kg-show-keywords").uncheck()
        view.page.locator("#kg-show-missing").check()
        assert drawn_ids(view) == concepts(G)
        view.assert_clean()
    finally:
        view.close()


def test_notebook_frame_works_offline(browser, G, tmp_path):
    view_html = Viz(render_html(G))._repr_html_()
    path = tmp_path / "notebook.html"
    path.write_text(
        f"<!DOCTYPE html><html><body><h1>{html.escape('cell')}</h1>{view_html}"
        "<script>window.kgReady = true;</script></body></html>",
        encoding="utf-8",
    )
    view = Page(browser, path)
    try:
        frame = view.page.frames[1]
        frame.wait_for_function("window.kgReady === true", timeout=30_000)
        assert frame.evaluate("network.body.data.nodes.length") == len(concepts(G))
        assert view.requests == []
        assert view.errors == []
    finally:
        view.close()


def test_screenshots(browser, G, tmp_path):
    """Save PNGs of the full view, an ego view and a highlighted neighbourhood."""
    SCREENSHOTS.mkdir(exist_ok=True)
    shots = {
        "full.png": render_html(G, show_keywords=False),
        "ego-backoffice-2.png": render_html(G, focus="backoffice", depth=2, show_keywords=True),
    }
    for name, page_html in shots.items():
        view = open_view(browser, tmp_path, page_html, name.replace(".png", ".html"))
        try:
            view.page.screenshot(path=str(SCREENSHOTS / name))
            if name == "full.png":
                x, y = view.node_point("backoffice")
                view.page.mouse.click(x, y)
                view.page.screenshot(path=str(SCREENSHOTS / "highlight-backoffice.png"))
            view.assert_clean()
        finally:
            view.close()
    for name in [*shots, "highlight-backoffice.png"]:
        data = (SCREENSHOTS / name).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 10_000
