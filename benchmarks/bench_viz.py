"""Time the HTML view: Python render time, and Chromium's time until the view is steady.

For each size, a synthetic corpus (``generate_corpus.generate``) is built into a graph,
rendered with :func:`kg.viz.render_html` (whole graph, ``top=0``, and the default view),
and opened from ``file://`` in headless Chromium with every outside request aborted.
"Steady" is the page's ``window.kgReadyAt``: the first ``afterDrawing`` once physics is
off (or, for small views with physics, once stabilisation is done), measured from the
start of navigation. Also timed: a click that highlights a neighbourhood, and one full
redraw. Nothing is asserted; the figures are printed and saved as JSON.

Examples
--------
::

    python benchmarks/bench_viz.py                      # 500, 2000 and 5000 articles
    python benchmarks/bench_viz.py --articles 5000 --runs 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.generate_corpus import generate  # noqa: E402
from kg.engine.build import load  # noqa: E402
from kg.viz import render_html  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
OUT = ROOT / "benchmarks" / "out"


def time_render(G, runs: int, **options) -> tuple[float, str]:
    times, page = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        page = render_html(G, **options)
        times.append(time.perf_counter() - start)
    return statistics.median(times), page


def time_browser(browser, path: Path, runs: int) -> dict[str, float]:
    figures: dict[str, list[float]] = {
        "steady_ms": [],
        "network_ms": [],
        "click_ms": [],
        "redraw_ms": [],
    }
    url = path.resolve().as_uri()
    for _ in range(runs):
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        outside: list[str] = []
        errors: list[str] = []
        page.on("console", _collect_errors(errors))
        page.route("**/*", _only(url, outside))
        page.goto(url)
        page.wait_for_function("window.kgReady === true", timeout=120_000)
        marks = page.evaluate(
            "Object.fromEntries(performance.getEntriesByType('mark')"
            ".map(m => [m.name, m.startTime]))"
        )
        figures["steady_ms"].append(marks["kg-ready"])
        figures["network_ms"].append(marks["kg-network"] - marks["kg-datasets"])
        figures["click_ms"].append(
            page.evaluate(
                """() => { const id = nodes.getIds()[0]; const t = performance.now();
                       kgHighlight(id); return performance.now() - t; }"""
            )
        )
        figures["redraw_ms"].append(
            page.evaluate(
                "() => { const t = performance.now(); network.redraw(); "
                "return performance.now() - t; }"
            )
        )
        if outside or errors:
            print(f"  ! outside requests {outside}, console errors {errors}")
        page.close()
    return {k: round(statistics.median(v), 1) for k, v in figures.items()}


def _collect_errors(errors: list[str]):
    def on_console(msg) -> None:
        if msg.type == "error":
            errors.append(msg.text)

    return on_console


def _only(url: str, outside: list[str]):
    """A route handler that lets the page itself load and aborts (and logs) the rest."""

    def handle(route) -> None:
        if route.request.url == url:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    return handle


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[500, 2000, 5000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    results = []
    with tempfile.TemporaryDirectory(prefix="kg-bench-viz-") as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for n in args.articles:
            corpus = generate(Path(tmp) / f"c{n}", n, langs=("en",), seed=args.seed)
            G = load(corpus)
            n_concepts = sum(1 for _, k in G.nodes(data="kind") if k == "concept")
            n_links = sum(1 for *_, k in G.edges(data="kind") if k == "link")
            for view, options in [("all (top=0)", {"top": 0}), ("default", {})]:
                render_s, page = time_render(G, args.runs, **options)
                path = Path(tmp) / f"view-{n}-{len(results)}.html"
                path.write_text(page, encoding="utf-8")
                drawn = len(
                    json.loads(
                        page.split('type="application/json">', 1)[1].split("</script>", 1)[0]
                    )["nodes"]
                )
                figures = time_browser(browser, path, args.runs)
                row = {
                    "articles": n,
                    "concepts": n_concepts,
                    "links": n_links,
                    "view": view,
                    "drawn": drawn,
                    "render_s": round(render_s, 2),
                    "html_mb": round(len(page.encode()) / 1e6, 2),
                    **figures,
                }
                results.append(row)
                print(json.dumps(row))
        browser.close()

    headers = [
        "articles",
        "view",
        "drawn",
        "links",
        "render_s",
        "html_mb",
        "network_ms",
        "steady_ms",
        "click_ms",
        "redraw_ms",
    ]
    print()
    print("  ".join(f"{h:>11}" for h in headers))
    for row in results:
        print("  ".join(f"{row[h]!s:>11}" for h in headers))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench_viz.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
