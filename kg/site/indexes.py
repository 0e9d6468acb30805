"""The index pages: home, A–Z per language, keywords, most wanted, orphans.

Each function gives ``[(path, template, data)]``: where the page goes, the template that
renders it, and what the template shows (the writer adds the site's frame).

Examples
--------
>>> from kg.articles import parse_article
>>> from kg.graph import build_graph
>>> from kg.site.context import SiteContext
>>> G = build_graph([parse_article("# ört\\n[a](/apa)", slug="ort", lang="sv"),
...                  parse_article("# Apa\\n", slug="apa", lang="sv")])
>>> [path for path, _, _ in az_pages(SiteContext(G))]
['a-z/sv/index.html', 'a-z/sv/a.html', 'a-z/sv/u00f6.html']
"""

from __future__ import annotations

from typing import Any

from kg.labels import display_label
from kg.report import make_report
from kg.site.collation import letter, letter_file, letter_order, sort_key
from kg.site.context import Label, SiteContext
from kg.site.urls import AZ_DIR, KEYWORD_DIR, relative

Page = tuple[str, str, dict[str, Any]]
SOURCES_MAX = 12
"""Concepts named per missing concept on the most wanted page (the concept's page has all)."""


def az_path(lang: str, item: str | None = None) -> str:
    """The path of a language's A–Z index (``item`` None) or of one of its letters."""
    return f"{AZ_DIR}/{lang}/{'index' if item is None else letter_file(item)}.html"


def az_letters(site: SiteContext, lang: str) -> dict[str, list[tuple[Label, str]]]:
    """``{letter: [(label, concept)]}`` of the concepts with an article, as ``lang`` names
    them (else by the fall-back order), in index order."""
    entries = []
    for node in site.concepts:
        data = site.data(node)
        if not data.get("exists"):
            continue
        text, got = display_label(data, lang)
        text = " ".join(str(text).split()) or node
        entries.append((Label(text, got, bool(got) and got != lang), node))
    entries.sort(key=lambda e: (sort_key(e[0].text, lang), e[1]))
    groups: dict[str, list[tuple[Label, str]]] = {}
    for entry in entries:
        groups.setdefault(letter(entry[0].text, lang), []).append(entry)
    return {item: groups[item] for item in letter_order(set(groups), lang)}


def az_pages(site: SiteContext) -> list[Page]:
    """Every language's A–Z index and letter pages."""
    pages: list[Page] = []
    for lang in site.languages:
        groups = az_letters(site, lang)
        index = az_path(lang)

        def switch(path: str) -> dict[str, str]:
            return {other: relative(path, az_path(other)) for other in site.languages}

        letters = [
            {"text": item, "href": relative(index, az_path(lang, item)), "count": len(rows)}
            for item, rows in groups.items()
        ]
        pages.append(
            (
                index,
                "az_index.html",
                {"lang": lang, "letters": letters, "current": None, "switch": switch(index)},
            )
        )
        for item, rows in groups.items():
            path = az_path(lang, item)
            nav = [
                {
                    "text": x["text"],
                    "href": relative(path, az_path(lang, x["text"])),
                    "count": x["count"],
                }
                for x in letters
            ]
            entries = [
                {"label": label, "href": site.href(path, node), "slug": node}
                for label, node in rows
            ]
            pages.append(
                (
                    path,
                    "az_letter.html",
                    {
                        "lang": lang,
                        "letter": item,
                        "letters": nav,
                        "entries": entries,
                        "switch": switch(path),
                        "index": relative(path, index),
                    },
                )
            )
    return pages


def keyword_pages(site: SiteContext) -> list[Page]:
    """The keyword index and one page per keyword listing its concepts."""
    G = site.G
    index = f"{KEYWORD_DIR}/index.html"
    rows = []
    pages: list[Page] = []
    for kid in site.keywords:
        members = sorted(
            (u for u in G.pred[kid] if G.nodes[u].get("kind") == "concept"),
            key=site.order,
        )
        name = str(G.nodes[kid].get("label") or kid)
        path = site.paths[kid]
        rows.append({"name": name, "href": relative(index, path), "count": len(members)})
        pages.append(
            (
                path,
                "keyword.html",
                {
                    "name": name,
                    "concepts": [site.link(path, n) for n in members],
                    "index": relative(path, index),
                },
            )
        )
    rows.sort(key=lambda r: (sort_key(r["name"]), r["href"]))
    return [(index, "keywords.html", {"keywords": rows}), *pages]


def wanted_rows(site: SiteContext, page: str, report: dict[str, Any]) -> list[dict[str, Any]]:
    """The missing concepts that articles link to, most wanted first, with who wants them."""
    rows = []
    for r in report["wanted"]:
        if not r["wanted_by"]:
            continue
        sources = sorted(r["sources"], key=lambda n: (-site.links_in[n], n))
        rows.append(
            {
                "link": site.link(page, r["id"]),
                "wanted_by": r["wanted_by"],
                "mentions": r["mentions"],
                "sources": [site.link(page, n) for n in sources[:SOURCES_MAX]],
                "more": max(len(sources) - SOURCES_MAX, 0),
            }
        )
    return rows


def wanted_page(site: SiteContext, report: dict[str, Any]) -> Page:
    """``wanted.html``: every missing concept that is linked to, most wanted first."""
    return ("wanted.html", "wanted.html", {"rows": wanted_rows(site, "wanted.html", report)})


def orphans_page(site: SiteContext, report: dict[str, Any]) -> Page:
    """``orphans.html``: concepts with an article that nothing links to and that link nowhere."""
    ordered = sorted(report["orphans"], key=site.order)
    return (
        "orphans.html",
        "orphans.html",
        {"orphans": [site.link("orphans.html", n) for n in ordered]},
    )


def home_page(site: SiteContext, report: dict[str, Any]) -> Page:
    """``index.html``: the figures, the A–Z letters, keywords, most wanted, the dashboard."""
    G = site.G
    groups = az_letters(site, site.lang) if site.lang in site.languages else {}
    top_keywords = sorted(
        site.keywords,
        key=lambda k: (-sum(1 for u in G.pred[k] if G.nodes[u].get("kind") == "concept"), k),
    )[:24]
    return (
        "index.html",
        "home.html",
        {
            "report": {k: report[k] for k in ("concepts", "missing_concepts", "keywords", "links")},
            "orphans": len(report["orphans"]),
            "letters": [
                {"text": item, "href": az_path(site.lang, item), "count": len(rows)}
                for item, rows in groups.items()
            ],
            "az": {lang: az_path(lang) for lang in site.languages},
            "keywords": [
                {
                    "link": site.link("index.html", k),
                    "count": sum(1 for u in G.pred[k] if G.nodes[u].get("kind") == "concept"),
                }
                for k in top_keywords
            ],
            "wanted": wanted_rows(site, "index.html", report)[:10],
        },
    )


def report_of(site: SiteContext) -> dict[str, Any]:
    """:func:`kg.report.make_report` of the site's graph."""
    return make_report(site.G)
