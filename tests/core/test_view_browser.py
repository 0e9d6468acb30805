"""The HTML view in a real headless Chromium: offline, safe, and interactive.

Every request other than the page's own file:// URL is aborted and recorded; the tests
assert none was made. Screenshots go to tests/core/screenshots/ (git-ignored).
"""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from kg.graph import concepts
from kg.viz import Viz, ego_concepts, render_html
from tests.core.test_viz import graph_of
from tests.corpora import HOSTILE_IMG, HOSTILE_SCRIPT, article, hostile_files

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


def wait_ready(page, seconds: float = 30) -> None:
    """Wait until the view is drawn and steady (``window.kgReady``). Polled from here:
    Playwright's own wait_for_function evaluates code that the page's CSP forbids."""
    for _ in range(int(seconds * 20)):
        if page.evaluate("window.kgReady === true"):
            return
        page.wait_for_timeout(50)
    raise TimeoutError("the view did not get ready")


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
        wait_ready(self.page)

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

    def empty_point(self) -> tuple[float, float]:
        """A point of the drawing with no node under it."""
        return tuple(
            self.js(
                """() => { const r = document.getElementById('mynetwork').getBoundingClientRect();
                       for (let y = r.bottom - 5; y > r.top; y -= 7) {
                         for (let x = r.right - 5; x > r.left; x -= 7) {
                           if (network.getNodeAt({x: x - r.left, y: y - r.top}) === undefined)
                             return [x, y]; } }
                       return [r.right - 2, r.bottom - 2]; }"""
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
            view.js("kgClearHighlight(); kgShowDetails(null)")  # nothing selected: tips show
            x, y = view.node_point(node_id)
            view.page.mouse.move(x - 30, y - 30)
            view.page.mouse.move(x, y, steps=4)
            tip = view.page.locator("#kg-tooltip")
            tip.wait_for(state="visible", timeout=5_000)
            view.page.wait_for_function(
                "t => document.getElementById('kg-tooltip').textContent.includes(t)",
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


def test_one_card_at_a_time(browser, G, tmp_path):
    view = open_view(browser, tmp_path, render_html(G))
    try:
        x, y = view.node_point("backoffice")
        view.page.mouse.move(x, y, steps=3)
        view.page.locator("#kg-tooltip").wait_for(state="visible", timeout=5_000)
        view.page.mouse.click(x, y)
        assert view.page.locator("#kg-details").is_visible()
        assert view.page.locator("#kg-tooltip").is_hidden()
        x2, y2 = view.node_point("frontoffice")
        view.page.mouse.move(x2, y2, steps=5)
        view.page.wait_for_timeout(300)
        assert view.page.locator("#kg-tooltip").is_hidden()  # no second card over the first
        assert view.page.locator(".kg-card:visible").count() == 1
        view.page.mouse.click(*view.empty_point())  # the background: the card goes
        assert view.page.locator("#kg-details").is_hidden()
        view.page.mouse.move(x2, y2 - 1, steps=3)
        view.page.locator("#kg-tooltip").wait_for(state="visible", timeout=5_000)
        view.assert_clean()
    finally:
        view.close()


def test_card_lists_links_with_their_sentences_and_the_source_files(browser, G, tmp_path):
    view = open_view(browser, tmp_path, render_html(G, lang="sv", sources="../wiki"))
    try:
        x, y = view.node_point("backoffice")
        view.page.mouse.click(x, y)
        card = view.page.locator("#kg-details")
        out = card.locator(".kg-links-out").text_content()
        assert "Links out (4)" in out
        assert "Kommersiella hyresavtal är billiga." in out and "§ Vad är Back Office?" in out
        bold = card.locator(".kg-links-out b").all_text_contents()
        assert "hyresavtal" in bold
        first = card.locator(".kg-links-out .kg-ev .kg-lang").first.text_content()
        assert first == "sv"  # the display language first
        links = card.locator(".kg-sources a")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        assert hrefs == ["../wiki/sv/backoffice.md", "../wiki/en/backoffice.md"]
        resolved = view.js("() => document.querySelector('.kg-sources a').href")
        assert resolved.startswith("file://") and resolved.endswith("/wiki/sv/backoffice.md")
        assert "Links in (2)" in card.locator(".kg-links-in").text_content()
        card.locator(".kg-links-out .kg-link-name[data-id=frontoffice]").click()
        assert view.js("network.getSelectedNodes()") == ["frontoffice"]
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


# --- issue 19: labels an analyst can read, one language, CJK and right-to-left text ---------

JAPANESE = {
    "ja/backoffice.md": article(
        "バックオフィス",
        "会社には[フロントオフィス](/frontoffice)と[公認会計士](/cpa)がいる。",
        keywords="Investing",
    ),
    "ja/frontoffice.md": article(
        "フロントオフィス",
        "顧客に接する部門。[バックオフィス](/backoffice)。",
        keywords="Investing",
    ),
    "ja/cpa.md": article("公認会計士 (CPA)", "会計の専門家。", keywords="Business"),
}
ARABIC = {
    "ar/isda.md": article(
        "(ISDA) الرابطة الدولية للمبادلات والمشتقات",
        "انظر [المحاسب](/cpa) و[رأس المال](/capital).",
        keywords="Trading",
    ),
    "ar/cpa.md": article("مُحَاسِبٌ قَانُونِيٌّ", "انظر [الرابطة](/isda).", keywords="Business"),
    "ar/capital.md": article("رأس المـــال", "انظر [المحاسب](/cpa).", keywords="Economy"),
    "tr/isletme.md": article("İşletme", "Bir [muhasebeci](/cpa).", keywords="Business"),
}


def record_canvas_text(view_page) -> None:
    """Record every fillText of the page's canvases with the direction it was drawn in."""
    view_page.add_init_script(
        """(() => { window.__texts = [];
             const fill = CanvasRenderingContext2D.prototype.fillText;
             CanvasRenderingContext2D.prototype.fillText = function (t, x, y, w) {
               window.__texts.push([String(t), this.direction, this.font]);
               return fill.apply(this, arguments); }; })();"""
    )


def open_recorded(browser, tmp_path: Path, page_html: str, name: str, **kw) -> Page:
    path = tmp_path / name
    path.write_text(page_html, encoding="utf-8")
    view = Page.__new__(Page)
    view.url = path.resolve().as_uri()
    view.page = browser.new_page(viewport={"width": kw.get("width", 1280), "height": 800})
    view.requests, view.errors = [], []
    view.page.on("console", view._console)
    view.page.on("pageerror", lambda exc: view.errors.append(f"pageerror: {exc}"))
    view.page.route("**/*", view._route)
    record_canvas_text(view.page)
    view.page.goto(view.url)
    wait_ready(view.page)
    return view


def test_arabic_labels_are_drawn_right_to_left(browser, tmp_path):
    G = graph_of(ARABIC)
    view = open_recorded(browser, tmp_path, render_html(G, lang="ar"), "ar.html")
    try:
        drawn = {t: d for t, d, _ in view.js("window.__texts")}
        (isda,) = [t for t in drawn if t.startswith("(ISDA)")]
        assert drawn[isda] == "rtl"
        assert drawn["İşletme"] == "ltr"
        x, y = view.node_point("isda")
        view.page.mouse.click(x, y)
        # in the card, "(ISDA)" stands at the visual start of the line: its right end
        sides = view.js(
            """() => { const span = document.querySelector('#kg-details .kg-card-title span');
                 const text = span.firstChild, range = document.createRange();
                 range.setStart(text, 0); range.setEnd(text, 6);
                 const latin = range.getBoundingClientRect();
                 range.setStart(text, 7); range.setEnd(text, text.length);
                 const arabic = range.getBoundingClientRect();
                 return [span.dir, span.lang, latin.left, arabic.left, latin.right,
                         arabic.right]; }"""
        )
        assert sides[:2] == ["rtl", "ar"]
        assert sides[2] > sides[3] and sides[4] >= sides[5]  # (ISDA) right of the Arabic
        view.page.screenshot(path=str(SCREENSHOTS / "arabic.png"))
        view.assert_clean()
    finally:
        view.close()


@pytest.mark.parametrize(
    "query,expected",
    [
        ("オフィス", "backoffice"),  # a CJK substring from the middle of a label
        ("会計", "cpa"),
        ("ｵﾌｨｽ", "backoffice"),  # half-width katakana, NFKC
    ],
)
def test_search_finds_cjk_labels_by_any_part(browser, tmp_path, query, expected):
    view = open_view(browser, tmp_path, render_html(graph_of(JAPANESE)), "ja.html")
    try:
        view.page.locator("#kg-search").fill(query)
        assert view.page.locator("#kg-results li").first.get_attribute("data-id") == expected
        view.assert_clean()
    finally:
        view.close()


@pytest.mark.parametrize(
    "query,expected",
    [
        ("محاسب", "cpa"),  # without the diacritics of the title
        ("مُحَاسِبٌ", "cpa"),  # with them
        ("المال", "capital"),  # the title has a tatweel
        ("المـال", "capital"),  # the query has one
        ("isletme", "isletme"),  # Turkish dotted capital I
        ("IŞLETME", "isletme"),
    ],
)
def test_search_ignores_arabic_marks_and_tatweel(browser, tmp_path, query, expected):
    view = open_view(browser, tmp_path, render_html(graph_of(ARABIC)), "ar.html")
    try:
        view.page.locator("#kg-search").fill(query)
        assert view.page.locator("#kg-results li").first.get_attribute("data-id") == expected
        view.assert_clean()
    finally:
        view.close()


def test_cjk_labels_are_drawn_with_a_cjk_font(browser, tmp_path):
    view = open_recorded(browser, tmp_path, render_html(graph_of(JAPANESE)), "ja.html")
    try:
        texts = {t: font for t, _, font in view.js("window.__texts")}
        assert "バックオフィス" in texts and "Noto Sans CJK JP" in texts["バックオフィス"]
        width = view.js(
            """() => { const c = document.createElement('canvas').getContext('2d');
                 c.font = '20px ' + KG_FONT; const cjk = c.measureText('会計').width;
                 c.font = '20px monospace'; return [cjk, c.measureText('\\u0000').width]; }"""
        )
        assert width[0] >= 36  # two full-width glyphs, not two empty boxes of tofu
        view.page.screenshot(path=str(SCREENSHOTS / "japanese.png"))
        view.assert_clean()
    finally:
        view.close()


WORDS = ["asset", "bond", "credit", "equity", "fund", "hedge", "index"]
WORDS += ["lease", "margin", "option", "rate", "share", "stock", "tax"]


def crowded_graph(n: int = 120):
    """``n`` articles of one to four words, linked as a wiki grows (each new article links
    to three earlier ones, the much-linked more likely: seeded), and missing targets."""
    import random

    rng = random.Random(0)
    targets: list[int] = [0, 1, 2]
    files = {}
    for i in range(n):
        title = " ".join(rng.choice(WORDS) for _ in range(1 + i % 4)) + f" {i}"
        links = sorted({rng.choice(targets) for _ in range(3)} - {i}) if i > 2 else [0, 1, 2]
        targets.extend([*links, i])
        body = " ".join(f"[t{j}](/c{j})" for j in links) + f" [gone](/missing{i % 40})."
        files[f"en/c{i}.md"] = article(title.title(), body, ("Investing", "Business")[i % 2])
    return graph_of(files)


def test_labels_never_overlap_and_the_30_most_central_are_drawn(browser, tmp_path):
    view = open_view(browser, tmp_path, render_html(crowded_graph()), "crowded.html", width=1400)
    try:
        view.page.set_viewport_size({"width": 1400, "height": 900})
        view.page.wait_for_timeout(300)
        boxes = view.js("kgState.labelBoxes")
        assert len(boxes) >= 30
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                apart = (
                    a[0] + a[2] <= b[0]
                    or b[0] + b[2] <= a[0]
                    or a[1] + a[3] <= b[1]
                    or b[1] + b[3] <= a[1]
                )
                assert apart, (a, b)
        top = view.js("kgOrder.slice(0, 30)")
        labelled = set(view.js("kgState.labelled"))
        assert set(top) <= labelled
        # zoomed out, fewer labels, still none over another; the most central stays
        view.js("network.moveTo({scale: network.getScale() * 0.4})")
        view.page.wait_for_timeout(200)
        assert view.js("kgOrder[0]") in view.js("kgState.labelled")
        assert len(view.js("kgState.labelled")) < len(labelled)
        view.assert_clean()
    finally:
        view.close()


def test_missing_concepts_are_small_and_hidden_past_300(browser, tmp_path):
    G = crowded_graph(300)
    view = open_view(browser, tmp_path, render_html(G), "many.html")
    try:
        assert not view.js("kgState.missing")
        assert view.js("nodes.get().filter(n => kgRecords.get(n.id).missing).length") == 0
        view.page.locator("#kg-show-missing").check()  # one click shows them
        sizes = view.js(
            "[Math.max(...nodes.get().filter(n => kgRecords.get(n.id).missing).map(n => n.size)),"
            " Math.min(...nodes.get().filter(n => !kgRecords.get(n.id).missing).map(n => n.size))]"
        )
        assert sizes[0] < sizes[1]
        view.assert_clean()
    finally:
        view.close()
