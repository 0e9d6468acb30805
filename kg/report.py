"""The build report: counts, per-language coverage, problems, wanted and orphan articles.

A view of the graph like any other export: :func:`make_report` gives the data of
``report.json``; :func:`report_markdown` renders it as ``report.md``.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx

from kg.atomic import write_atomic
from kg.graph import concepts, count_links, link_edges, links_in

TOP_WANTED = 50


def language_counts(G: nx.DiGraph) -> dict[str, int]:
    """Articles per language, from the concepts' ``paths``.

    Examples
    --------
    >>> G = nx.DiGraph(); G.add_node("a", kind="concept", exists=True, paths={"sv": "sv/a.md"})
    >>> language_counts(G)
    {'sv': 1}
    """
    counts: Counter[str] = Counter()
    for node in concepts(G, exists=True):
        counts.update((G.nodes[node].get("paths") or {}).keys())
    return dict(sorted(counts.items()))


def coverage(counts: dict[str, int]) -> dict[str, float]:
    """Each language's article count as a share of the largest language's (0–1, 4 decimals)."""
    largest = max(counts.values(), default=0)
    return {lang: round(n / largest, 4) if largest else 0.0 for lang, n in counts.items()}


def wanted(G: nx.DiGraph) -> list[dict[str, Any]]:
    """Missing concepts ranked by how many concepts link to them, then by mentions."""
    rows = []
    for node in concepts(G, exists=False):
        wanted_by = links_in(G, node)
        sources = [u for u, _ in wanted_by]
        mentions = sum(d.get("weight", 1) for _, d in wanted_by)
        rows.append(
            {
                "id": node,
                "label": G.nodes[node].get("label", node),
                "wanted_by": len(sources),
                "mentions": mentions,
                "sources": sorted(sources),
            }
        )
    return sorted(rows, key=lambda r: (-r["wanted_by"], -r["mentions"], r["id"]))


def orphans(G: nx.DiGraph) -> list[str]:
    """Concepts with an article and no link in or out."""
    succ, pred = G.succ, G.pred
    return [n for n in concepts(G, exists=True) if not count_links(succ[n]) + count_links(pred[n])]


def counts(G: nx.DiGraph) -> dict[str, Any]:
    """How many articles, concepts, missing concepts, keywords, links (and mentions) ``G``
    holds, and its articles per language: the counts every summary shows.

    Examples
    --------
    >>> G = nx.DiGraph(); G.add_node("a", kind="concept", exists=True, paths={"sv": "a.md"})
    >>> G.add_node("b", kind="concept", exists=False); G.add_edge("a", "b", kind="link")
    >>> counts(G)["links"], counts(G)["missing_concepts"], counts(G)["languages"]
    (1, 1, {'sv': 1})
    """
    per_lang = language_counts(G)
    edges = link_edges(G)
    return {
        "articles": G.graph.get("articles", sum(per_lang.values())),
        "concepts": len(concepts(G, exists=True)),
        "missing_concepts": len(concepts(G, exists=False)),
        "keywords": sum(1 for _, d in G.nodes(data=True) if d.get("kind") == "keyword"),
        "links": len(edges),
        "mentions": sum(d.get("weight", 1) for _, _, d in edges),
        "languages": per_lang,
    }


def make_report(G: nx.DiGraph) -> dict[str, Any]:
    """The data of ``report.json``.

    Keys: ``articles``, ``concepts``, ``missing_concepts``, ``keywords``, ``links``,
    ``mentions``, ``languages`` {lang: articles}, ``coverage`` {lang: share of the
    largest}, ``warnings`` and ``errors`` ([{path, line, message}]), ``wanted``
    (missing concepts ranked), ``orphans``.
    """
    found = counts(G)
    return {
        **found,
        "coverage": coverage(found["languages"]),
        "warnings": list(G.graph.get("warnings", [])),
        "errors": list(G.graph.get("errors", [])),
        "wanted": wanted(G),
        "orphans": orphans(G),
        "skipped_languages": dict(G.graph.get("skipped_languages", {})),
    }


def write_report(G: nx.DiGraph, folder: str | os.PathLike) -> tuple[Path, Path]:
    """Write ``folder/report.json`` (:func:`make_report`) and ``folder/report.md``
    (:func:`report_markdown`); return their paths.

    Examples
    --------
    >>> import json, tempfile
    >>> G = nx.DiGraph(); G.add_node("a", kind="concept", exists=True, paths={"en": "a.md"})
    >>> data, page = write_report(G, tempfile.mkdtemp())
    >>> json.loads(data.read_text())["orphans"], page.read_text().splitlines()[0]
    (['a'], '# kg build report')
    """
    report = make_report(G)
    out = Path(folder)
    text = json.dumps(report, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    return (
        write_atomic(out / "report.json", text),
        write_atomic(out / "report.md", report_markdown(report)),
    )


def report_markdown(report: dict[str, Any]) -> str:
    """Render :func:`make_report`'s data as a readable markdown page."""
    out = ["# kg build report", "", "| | |", "|---|---|"]
    for key in ("articles", "concepts", "missing_concepts", "keywords", "links", "mentions"):
        out.append(f"| {key.replace('_', ' ')} | {report[key]} |")
    out.append(f"| warnings | {len(report['warnings'])} |")
    out.append(f"| errors | {len(report['errors'])} |")
    out += ["", "## Languages", "", "| language | articles | coverage |", "|---|---:|---:|"]
    for lang, n in report["languages"].items():
        out.append(f"| {_md(lang)} | {n} | {report['coverage'][lang]:.1%} |")
    if report.get("skipped_languages"):
        skipped = ", ".join(f"{_md(k)} {v}" for k, v in report["skipped_languages"].items())
        out += ["", f"Left out by the language filter (files): {skipped}."]
    for title, key in (("Errors (files not in the graph)", "errors"), ("Warnings", "warnings")):
        out += ["", f"## {title}", ""]
        rows = report[key]
        out += [f"- {_code(_where(p))} {_md(p['message'])}" for p in rows]
        out += [] if rows else ["None."]
    out += ["", "## Most wanted missing articles", ""]
    rows = report["wanted"][:TOP_WANTED]
    if rows:
        out += ["| concept | label | wanted by | mentions |", "|---|---|---:|---:|"]
        out += [
            f"| {_code(r['id'])} | {_md(r['label'])} | {r['wanted_by']} | {r['mentions']} |"
            for r in rows
        ]
        if len(report["wanted"]) > TOP_WANTED:
            out.append(f"\n…and {len(report['wanted']) - TOP_WANTED} more in report.json.")
    else:
        out.append("None.")
    out += ["", "## Orphans (no link in or out)", ""]
    out += [", ".join(_code(o) for o in report["orphans"]) or "None."]
    return "\n".join(out) + "\n"


_MARKUP = frozenset("\\`*_[]()<>&|~!#")
"""Characters that make markdown or HTML in inline text: each is escaped with a backslash."""


def _md(text: Any) -> str:
    """``text`` as inline markdown that shows it as it is: no emphasis, link, image, HTML
    tag or entity, table cell break or line break can come of a value taken from an article.

    Examples
    --------
    >>> print(_md("<img src=x> *a* | [b](c)"))
    \\<img src=x\\> \\*a\\* \\| \\[b\\]\\(c\\)
    """
    value = " ".join(str(text).split())
    if not _MARKUP.intersection(value):
        return value
    return "".join("\\" + c if c in _MARKUP else c for c in value)


def _where(problem: dict[str, Any]) -> str:
    return f"{problem['path']}:{problem['line']}"


def _code(text: Any) -> str:
    """``text`` as a code span (shown verbatim, HTML included), safe in a table cell.

    Examples
    --------
    >>> print(_code("sv/lease.md:3"), _code("a`b|c"))
    `sv/lease.md:3` ``a`b\\|c``
    """
    value = " ".join(str(text).split()).replace("|", "\\|")
    ticks = max((len(run) for run in re.findall("`+", value)), default=0)
    fence = "`" * (ticks + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"
