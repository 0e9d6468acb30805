"""The quality dashboard: the build's figures, as charts with their tables.

:func:`figures` measures the graph (what ``summary.json`` keeps, so that the next build
can show what changed); :func:`quality_page` turns the figures, and those of the previous
build when there are any, into the charts of ``quality.html``:

- links per concept (out and in), on a logarithmic scale, over bins 0, 1, 2–3, 4–7, …;
- articles per language and their coverage (share of the largest language);
- the most wanted missing concepts;
- the concepts concerned by each check of ``kg check``;
- the sizes of the connected parts of the graph (links either way), logarithmic.

Examples
--------
>>> bins_of([0, 1, 2, 3, 9])
{'0': 1, '1': 1, '2–3': 2, '4–7': 0, '8–15': 1}
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import networkx as nx

from kg.quality import CHECKS, check
from kg.site.charts import Bar, hbars, vbars
from kg.site.context import SiteContext
from kg.site.render import number, signed

WANTED_TOP = 15
ISSUES_SHOWN = 50
"""Concepts listed per check on the dashboard (``kg check`` lists them all)."""


def bin_name(k: int) -> str:
    """The name of power-of-two bin ``k``: ``0``, ``1``, ``2–3``, ``4–7``, …"""
    if k <= 1:
        return str(k)
    return f"{2 ** (k - 1)}–{2**k - 1}"


def bins_of(values: Iterable[int], start: int = 0) -> dict[str, int]:
    """How many ``values`` fall in each power-of-two bin, every bin from ``start`` to the
    largest value's."""
    counts: Counter[int] = Counter(0 if v <= 0 else int(v).bit_length() for v in values)
    last = max(counts, default=start)
    return {bin_name(k): counts.get(k, 0) for k in range(start, max(last, start) + 1)}


def components(site: SiteContext) -> list[int]:
    """Sizes of the connected parts of the concepts and their links (either way), largest first."""
    H = nx.Graph()
    H.add_nodes_from(site.concepts)
    H.add_edges_from(
        (u, v) for u, v, kind in site.G.edges(data="kind") if kind == "link" and u != v
    )
    return sorted((len(c) for c in nx.connected_components(H)), reverse=True)


def figures(site: SiteContext, report: dict[str, Any], checked: dict[str, Any]) -> dict[str, Any]:
    """The build's figures, as ``summary.json`` keeps them (plain JSON values)."""
    existing = [n for n in site.concepts if site.data(n).get("exists")]
    concerned: dict[str, set[str]] = {name: set() for name in checked["summary"]}
    for issue in checked["issues"]:
        concerned[issue["check"]].add(issue["concept"])
    sizes = components(site)
    return {
        "concepts": report["concepts"],
        "missing_concepts": report["missing_concepts"],
        "keywords": report["keywords"],
        "links": report["links"],
        "orphans": len(report["orphans"]),
        "warnings": len(report["warnings"]),
        "errors": len(report["errors"]),
        "languages": dict(report["languages"]),
        "coverage": dict(report["coverage"]),
        "links_out": bins_of(site.links_out[n] for n in existing),
        "links_in": bins_of(site.links_in[n] for n in site.concepts),
        "checks": {name: len(concerned[name]) for name in CHECKS if name in concerned},
        "components": {
            "count": len(sizes),
            "largest": sizes[0] if sizes else 0,
            "sizes": bins_of(sizes, start=1),
            "concepts": _concepts_per_bin(sizes),
        },
        "wanted": {
            r["id"]: r["wanted_by"] for r in report["wanted"][:WANTED_TOP] if r["wanted_by"]
        },
    }


def _concepts_per_bin(sizes: list[int]) -> dict[str, int]:
    out: Counter[str] = Counter()
    for size in sizes:
        out[bin_name(size.bit_length())] += size
    return {name: out.get(name, 0) for name in bins_of(sizes, start=1)}


def run_checks(site: SiteContext) -> dict[str, Any]:
    """:func:`kg.quality.check` of the site's graph, every check."""
    return check(site.G)


def quality_page(
    site: SiteContext,
    now: dict[str, Any],
    before: dict[str, Any] | None,
    checked: dict[str, Any],
    report: dict[str, Any],
) -> tuple[str, str, dict[str, Any]]:
    """``quality.html``: the key figures with their change, the charts, the checks' concepts."""
    page = "quality.html"
    prev = before is not None
    key = [
        ("concepts", "concepts with an article"),
        ("missing_concepts", "linked to without an article"),
        ("links", "links"),
        ("keywords", "keywords"),
        ("orphans", "orphans"),
        ("warnings", "parse warnings"),
        ("errors", "files left out"),
    ]
    key_rows = [
        {
            "name": name,
            "value": now[k],
            "change": _delta(now[k], before.get(k) if before else None) if prev else "",
        }
        for k, name in key
    ]
    comp, comp_before = now["components"], (before or {}).get("components") or {}
    key_rows.append(
        {
            "name": "connected parts",
            "value": comp["count"],
            "change": _delta(comp["count"], comp_before.get("count")) if prev else "",
        }
    )
    key_rows.append(
        {
            "name": "concepts in the largest part",
            "value": comp["largest"],
            "change": _delta(comp["largest"], comp_before.get("largest")) if prev else "",
        }
    )
    charts = [
        _degree_chart(now, before),
        _coverage_chart(now, before),
        _wanted_chart(site, page, report, before),
        _checks_chart(now, before),
        _components_chart(now, before),
    ]
    issues = []
    by_check: dict[str, list[dict[str, str]]] = {}
    for issue in checked["issues"]:
        by_check.setdefault(issue["check"], []).append(issue)
    for name in checked["summary"]:
        found = by_check.get(name, [])
        issues.append(
            {
                "check": name,
                "count": len(found),
                "rows": [
                    {
                        "link": site.link(page, i["concept"]) if i["concept"] in site.G else None,
                        "concept": i["concept"],
                        "detail": i["detail"],
                    }
                    for i in found[:ISSUES_SHOWN]
                ],
                "more": max(len(found) - ISSUES_SHOWN, 0),
            }
        )
    return (
        page,
        "quality.html",
        {
            "key": key_rows,
            "charts": charts,
            "issues": issues,
            "previous": prev,
            "shown": ISSUES_SHOWN,
        },
    )


def _delta(value: int, previous: int | None) -> str:
    return "new" if previous is None else signed(value - previous)


def _bins(*tables: dict[str, int] | None) -> list[str]:
    """Every bin named by any of ``tables``, in order."""
    return sorted({name for t in tables if t for name in t}, key=_bin_order)


def _bin_order(name: str) -> int:
    return int(name.split("–")[0])


def _column(table: dict[str, int], names: list[str]) -> list[int]:
    return [table.get(n, 0) for n in names]


def _degree_chart(now, before):
    old_out = before.get("links_out", {}) if before else None
    old_in = before.get("links_in", {}) if before else None
    names = _bins(now["links_out"], now["links_in"], old_out, old_in)
    return vbars(
        "links-per-concept",
        "Links per concept",
        names,
        [
            ("links out", _column(now["links_out"], names), _maybe(old_out, names)),
            ("links in", _column(now["links_in"], names), _maybe(old_in, names)),
        ],
        head=["links", "concepts (out)", "concepts (in)"],
        desc="How many concepts have 0, 1, 2–3, 4–7, … distinct links out (articles) and in "
        "(every concept), on a logarithmic scale.",
        note="Distinct concepts linked to (out, articles only) and linked from (in, every "
        "concept, missing ones too); logarithmic scale.",
    )


def _maybe(table: dict[str, int] | None, names: list[str]) -> list[int] | None:
    return None if table is None else _column(table, names)


def _coverage_chart(now, before):
    langs = sorted(now["languages"], key=lambda lang: (-now["languages"][lang], lang))
    rows = [
        Bar(
            lang,
            now["coverage"].get(lang, 0.0),
            previous=(before or {}).get("coverage", {}).get(lang) if before else None,
            text=f"{now['coverage'].get(lang, 0.0):.1%}",
            extra=[number(now["languages"][lang])],
        )
        for lang in langs
    ]
    return hbars(
        "coverage",
        "Coverage per language",
        rows,
        head=["language", "coverage", "articles"],
        desc="Articles in each language as a share of the largest language's.",
        note="Articles in each language as a share of the language with the most.",
        percent=True,
        has_previous=before is not None,
    )


def _wanted_chart(site, page, report, before):
    wanted = [r for r in report["wanted"] if r["wanted_by"]][:WANTED_TOP]
    previous = (before or {}).get("wanted") or {}
    rows = []
    for r in wanted:
        label = site.label(r["id"])
        rows.append(
            Bar(
                label.text,
                r["wanted_by"],
                href=site.href(page, r["id"]),
                lang=label.lang,
                previous=previous.get(r["id"]) if before else None,
                extra=[number(r["mentions"])],
            )
        )
    return hbars(
        "most-wanted",
        "Most wanted missing concepts",
        rows,
        head=["concept", "wanted by", "links"],
        desc=f"The {len(rows)} concepts without an article that the most articles link to.",
        note="Concepts without an article, by the number of articles that link to them.",
        has_previous=before is not None,
    )


def _checks_chart(now, before):
    previous = (before or {}).get("checks") or {}
    total = max(now["concepts"] + now["missing_concepts"], 1)
    rows = [
        Bar(
            name,
            count,
            href=f"#check-{name}",
            previous=previous.get(name) if before else None,
            extra=[f"{count / total:.1%}"],
        )
        for name, count in now["checks"].items()
    ]
    return hbars(
        "checks",
        "Concepts concerned per check",
        rows,
        head=["check", "concepts", "share"],
        desc="For each check of kg check, how many concepts it names.",
        note="How many concepts each check of kg check names (the lists are below).",
        has_previous=before is not None,
    )


def _components_chart(now, before):
    comp = now["components"]
    old = (before or {}).get("components") or {}
    old_sizes = old.get("sizes", {}) if before else None
    names = [  # the bins of some part, now or before: sizes are far apart
        n
        for n in _bins(comp["sizes"], old_sizes)
        if comp["sizes"].get(n) or (old_sizes or {}).get(n)
    ]
    chart = vbars(
        "components",
        "Sizes of the connected parts",
        names,
        [("parts", _column(comp["sizes"], names), _maybe(old_sizes, names))],
        head=["concepts in a part", "parts"],
        desc=f"{comp['count']:,} connected parts; the largest holds {comp['largest']:,} concepts.",
        note=f"{number(comp['count'])} part{'s' * (comp['count'] != 1)} of concepts joined "
        f"by links (either way); the largest holds {number(comp['largest'])} concepts. "
        "Logarithmic scale.",
    )
    head = chart["table"]["head"]
    chart["table"]["head"] = [*head, "concepts in them"]
    for row in chart["table"]["rows"]:
        row.append({"text": number(comp["concepts"].get(row[0]["text"], 0))})
    return chart
