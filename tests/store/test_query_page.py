"""The query page of ``kg serve`` (issue 19) in a real headless Chromium: its editor holds
kg's prefixes, and the query it starts with runs. Requests to anything but the server are
aborted and recorded (none is expected to matter)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.formats.rdf import prefixes

from .test_endpoint import Served

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


def test_the_query_page_starts_with_kgs_prefixes_and_runs_its_query(small_build):
    server = Served(small_build)
    outside: list[str] = []
    answers: list[tuple[str, int]] = []
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page()

            def route(r):
                if r.request.url.startswith(server.base):
                    r.continue_()
                else:
                    outside.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.on("response", lambda res: answers.append((res.url, res.status)))
            page.goto(server.base + "/")
            page.wait_for_function("window.yasgui && window.yasgui.getTab()", timeout=30_000)
            text = page.evaluate("window.yasgui.getTab().getYasqe().getValue()")
            for name, iri in prefixes().items():
                assert f"PREFIX {name}: <{iri}>" in text
            page.evaluate("window.yasgui.getTab().getYasqe().query()")
            page.wait_for_function(
                "document.querySelector('.yasr') && "
                "document.querySelector('.yasr').innerText.includes('results in')",
                timeout=30_000,
            )
            shown = page.evaluate("document.querySelector('.yasr').innerText")
            browser.close()
    finally:
        code, err = server.stop()
    assert code == 0, err
    ran = [status for url, status in answers if url.startswith(server.base + "/query")]
    assert ran and ran[-1] == 200
    assert "concept:backoffice" in shown  # the answer, IRIs written with the page's prefixes
    assert all(not url.startswith("http://127.0.0.1") for url in outside)
