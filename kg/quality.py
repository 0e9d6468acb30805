"""Quality checks over the concept graph that name every concept concerned.

Each check is a small function ``(G) -> [(concept, detail)]``; :func:`check` runs the
chosen ones and returns a summary (a count per check, every check present) and the
issues themselves, sorted by check (in :data:`CHECKS` order), concept and detail.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath
from typing import Any

import networkx as nx

from kg.errors import InvalidArgument
from kg.graph import concepts, is_link, link_edges, links_in
from kg.labels import judge_anchors
from kg.report import orphans

CHECKS = (
    "dangling-link",
    "orphan",
    "missing-description",
    "duplicate-label",
    "self-link",
    "unlinked-mention",
    "missing-translation",
    "parse-warning",
    "odd-anchor",
)
"""Every check's name, in the order reports list them."""

_Found = list[tuple[str, str]]


def check(G: nx.DiGraph, checks: Iterable[str] | None = None) -> dict[str, Any]:
    """Run quality checks on the graph and name every concept concerned.

    The checks (see :data:`CHECKS`):

    ``dangling-link``
        A concept linked to that has no article; one issue per missing concept, the
        detail says which articles want it and how often.
    ``orphan``
        A concept with an article and no link in or out (a link to itself counts, as in
        the build report; ``self-link`` reports it).
    ``missing-description``
        A concept with an article in a language but no description in it.
    ``duplicate-label``
        Two or more concepts with one title in one language (ignoring case); one issue
        per concept involved, the detail names the others.
    ``self-link``
        An article that links to itself.
    ``unlinked-mention``
        An article whose prose names other concepts' titles without linking them; one
        issue per concept, the detail lists the concepts named per language. Read from
        the ``unlinked_mentions`` the build found (:mod:`kg.mentions`), not recomputed.
    ``missing-translation``
        A slug present in some language folders but not all of the build's languages.
    ``parse-warning``
        A warning of the parser (``G.graph["warnings"]``), at ``path:line``, matched to
        the concept whose article that file is.
    ``odd-anchor``
        A link text that is no name of the concept it points to (:func:`kg.labels.judge_anchors`:
        function words such as ``till``, phrases such as ``alla de ger tillstånd till``, or
        a text used for many concepts); one issue per concept linked to, the detail lists
        the anchors, their language, why, and the articles using them. Such anchors stay on
        the links as evidence and are left out of the concept's labels.

    Parameters
    ----------
    G : networkx.DiGraph
        The concept graph.
    checks : iterable of str, optional
        The checks to run (default: all). ``"all"`` may be given as one of them.

    Returns
    -------
    dict
        ``summary`` {check: number of issues} for the checks run, and ``issues``:
        [{check, concept, detail}].

    Raises
    ------
    InvalidArgument
        For an unknown check name.

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> G = build_graph([parse_article("---\\ndescription: A.\\n---\\n[b](/b) [a](/a)",
    ...                                slug="a")])
    >>> report = check(G, ["dangling-link", "self-link"])
    >>> report["summary"]
    {'dangling-link': 1, 'self-link': 1}
    >>> [(i["check"], i["concept"]) for i in report["issues"]]
    [('dangling-link', 'b'), ('self-link', 'a')]
    """
    chosen = _chosen(checks)
    issues: list[dict[str, str]] = []
    summary: dict[str, int] = {}
    for name in chosen:
        found = sorted(set(_RUN[name](G)))
        summary[name] = len(found)
        issues.extend({"check": name, "concept": c, "detail": d} for c, d in found)
    return {"summary": summary, "issues": issues}


def _chosen(checks: Iterable[str] | None) -> list[str]:
    if checks is None:
        return list(CHECKS)
    if isinstance(checks, str):
        checks = [checks]
    wanted = set(checks)
    unknown = sorted(wanted - set(CHECKS) - {"all"})
    if unknown:
        raise InvalidArgument(
            "checks",
            f"unknown check {', '.join(unknown)}; choose from {', '.join(CHECKS)}, all",
            prefix=False,
        )
    if "all" in wanted:
        return list(CHECKS)
    return [c for c in CHECKS if c in wanted]


# --- the checks -----------------------------------------------------------------------------


def _dangling(G: nx.DiGraph) -> _Found:
    found = []
    for node in concepts(G, exists=False):
        wanted = links_in(G, node)
        if not wanted:
            continue
        times = sum(int(d.get("weight", 1)) for _, d in wanted)
        who = ", ".join(f"{u} ×{int(d.get('weight', 1))}" for u, d in wanted)
        found.append(
            (
                node,
                f"no article; wanted by {len(wanted)} article{'s' * (len(wanted) != 1)} "
                f"({times} link{'s' * (times != 1)}): {who}",
            )
        )
    return found


def _orphans(G: nx.DiGraph) -> _Found:
    return [(node, "no link in or out") for node in orphans(G)]


def _missing_description(G: nx.DiGraph) -> _Found:
    found = []
    for node in concepts(G, exists=True):
        data = G.nodes[node]
        descriptions = data.get("descriptions") or {}
        langs = sorted(
            lang
            for lang in (data.get("paths") or {})
            if not str(descriptions.get(lang, "")).strip()
        )
        if langs:
            found.append((node, f"no description in {', '.join(langs)}"))
    return found


def _duplicate_labels(G: nx.DiGraph) -> _Found:
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    shown: dict[tuple[str, str], str] = {}
    for node in concepts(G, exists=True):
        for lang, title in (G.nodes[node].get("labels") or {}).items():
            key = (lang, " ".join(str(title).split()).casefold())
            if key[1]:
                owners[key].add(node)
                shown.setdefault(key, str(title))
    parts: dict[str, list[str]] = defaultdict(list)
    for key in sorted(owners):
        nodes = owners[key]
        if len(nodes) < 2:
            continue
        lang = key[0]
        for node in sorted(nodes):
            others = ", ".join(sorted(nodes - {node}))
            parts[node].append(f"{lang} title {shown[key]!r} is also the title of {others}")
    return [(node, "; ".join(items)) for node, items in parts.items()]


def _self_links(G: nx.DiGraph) -> _Found:
    found = []
    for node in concepts(G):
        if G.has_edge(node, node) and is_link(G.edges[node, node]):
            data = G.edges[node, node]
            times = int(data.get("weight", 1))
            anchors = ", ".join(repr(a) for a in data.get("anchors") or [])
            found.append(
                (
                    node,
                    f"links to itself {times} time{'s' * (times != 1)}"
                    + (f" (anchor {anchors})" if anchors else ""),
                )
            )
    return found


def unlinked_mentions(G: nx.DiGraph, node: str) -> dict[str, list[str]]:
    """``{lang: [concept ids]}`` that ``node``'s article names without linking them.

    Reads the ``unlinked_mentions`` node attribute the build computed
    (:mod:`kg.mentions`).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph()
    >>> G.add_node("lease", unlinked_mentions={"en": ["landlord"]})
    >>> unlinked_mentions(G, "lease")
    {'en': ['landlord']}
    """
    value = G.nodes[node].get("unlinked_mentions") or {}
    return {lang: sorted(targets) for lang, targets in sorted(value.items()) if targets}


def _unlinked_mentions(G: nx.DiGraph) -> _Found:
    found = []
    for node in concepts(G, exists=True):
        per_lang = unlinked_mentions(G, node)
        if per_lang:
            count = len({t for targets in per_lang.values() for t in targets})
            listed = "; ".join(f"{lang}: {', '.join(ts)}" for lang, ts in per_lang.items())
            found.append(
                (
                    node,
                    f"names {count} concept{'s' * (count != 1)} without linking "
                    f"{'them' if count != 1 else 'it'}: {listed}",
                )
            )
    return found


def _missing_translations(G: nx.DiGraph) -> _Found:
    languages = sorted(G.graph.get("languages") or [])
    if len(languages) < 2:
        return []
    found = []
    for node in concepts(G, exists=True):
        present = sorted(G.nodes[node].get("paths") or {})
        missing = [lang for lang in languages if lang not in present]
        if missing and present:
            found.append((node, f"in {', '.join(present)}; missing in {', '.join(missing)}"))
    return found


def _parse_warnings(G: nx.DiGraph) -> _Found:
    by_path: dict[str, str] = {}
    for node in concepts(G, exists=True):
        for rel in (G.nodes[node].get("paths") or {}).values():
            by_path[str(rel)] = node
    found = []
    for warning in G.graph.get("warnings") or []:
        rel = str(warning.get("path", ""))
        concept = by_path.get(rel) or PurePosixPath(rel.replace("\\", "/")).stem
        found.append((concept, f"{rel}:{warning.get('line', 0)}: {warning.get('message', '')}"))
    return found


def anchor_uses(G: nx.DiGraph) -> dict[str, dict[str, dict[str, int]]]:
    """``{target: {lang: {anchor: links}}}``: the anchor texts of the links to each concept,
    per language, from the links themselves (the language of an anchor is the one of the
    sentences that hold it, else every language of the link).

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> G = build_graph([parse_article("Ta [till](/b).", slug="a", lang="sv")])
    >>> anchor_uses(G)
    {'b': {'sv': {'till': 1}}}
    """
    found: dict[str, dict[str, dict[str, int]]] = {}
    for _, target, data in link_edges(G):
        contexts = data.get("contexts") or []
        for anchor in data.get("anchors") or []:
            folded = anchor.casefold()
            langs = sorted(
                {
                    c.get("lang", "")
                    for c in contexts
                    if folded in str(c.get("sentence", "")).casefold()
                }
                - {""}
            ) or list(data.get("langs") or [])
            for lang in langs:
                per_anchor = found.setdefault(target, {}).setdefault(lang, {})
                per_anchor[anchor] = per_anchor.get(anchor, 0) + 1
    return found


def _odd_anchors(G: nx.DiGraph) -> _Found:
    uses = anchor_uses(G)
    sources: dict[tuple[str, str], list[str]] = defaultdict(list)
    for source, target, data in link_edges(G):
        for anchor in data.get("anchors") or []:
            sources[(target, anchor)].append(source)
    parts: dict[str, list[str]] = defaultdict(list)
    for target, lang, anchor, _, problem in judge_anchors(uses, G.nodes):
        if problem is not None:
            who = ", ".join(sources[(target, anchor)])
            parts[target].append(f"{anchor!r} ({lang}, in {who}): {problem}")
    return [
        (node, "link text that is no name: " + "; ".join(items)) for node, items in parts.items()
    ]


_RUN: dict[str, Callable[[nx.DiGraph], _Found]] = {
    "dangling-link": _dangling,
    "orphan": _orphans,
    "missing-description": _missing_description,
    "duplicate-label": _duplicate_labels,
    "self-link": _self_links,
    "unlinked-mention": _unlinked_mentions,
    "missing-translation": _missing_translations,
    "parse-warning": _parse_warnings,
    "odd-anchor": _odd_anchors,
}
