"""The search index: small JavaScript files the pages load when the search box is used.

Browsers refuse ``fetch()`` of ``file://`` URLs, so the index is not JSON but scripts that
each add their part to the global ``kgSearchData`` (``kg/site/static/site.js`` adds them
as ``<script>`` elements, on first use only, so a page opens without them):

``search/concepts.js``
    ``concepts``: one ``[file stem, label, label's language, has an article (0/1)]`` per
    concept, in id order; the other files refer to a concept by its place here.
``search/index-<lang>.js``
    ``lang:<lang>``: ``[text, concept, kind]`` for every title (kind 0) and alternative
    label (kind 1, the words of links to it) in that language.
``search/keywords.js``
    ``keywords``: ``[keyword, file stem of its page, concepts]``.

Each is JSON in a script, with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped.

Examples
--------
>>> from kg.articles import parse_article
>>> from kg.graph import build_graph
>>> from kg.site.context import SiteContext
>>> G = build_graph([parse_article("---\\nkeywords: Rent\\n---\\n# hyra\\n[avtal](/lease)",
...                                slug="rent", lang="sv")])
>>> files = search_files(SiteContext(G))
>>> sorted(files)
['search/concepts.js', 'search/index-sv.js', 'search/keywords.js']
>>> files["search/index-sv.js"]
'(window.kgSearchData=window.kgSearchData||{})["lang:sv"]=[["avtal",0,1],["hyra",1,0]];\\n'
"""

from __future__ import annotations

from typing import Any

from kg.site.context import SiteContext
from kg.site.urls import SEARCH_DIR
from kg.viz import script_json

_HEAD = "(window.kgSearchData=window.kgSearchData||{})"


def search_files(site: SiteContext) -> dict[str, str]:
    """``{path in the site: text}`` of every file of the search index."""
    G = site.G
    index = {node: i for i, node in enumerate(site.concepts)}
    concepts = []
    for node in site.concepts:
        label = site.label(node)
        stem = site.paths[node][len("concept/") : -len(".html")]
        concepts.append([stem, label.text, label.lang, int(bool(G.nodes[node].get("exists")))])
    per_lang: dict[str, set[tuple[str, int, int]]] = {}
    for node in site.concepts:
        data = G.nodes[node]
        i = index[node]
        for lang, title in (data.get("labels") or {}).items():
            if str(title).strip():
                per_lang.setdefault(lang, set()).add((str(title), i, 0))
        titles = {str(t) for t in (data.get("labels") or {}).values()}
        for lang, anchors in (data.get("alt_labels") or {}).items():
            for anchor in anchors:
                anchor = str(anchor)
                if anchor.strip() and anchor not in titles:
                    per_lang.setdefault(lang, set()).add((anchor, i, 1))
    keywords = [
        [
            str(G.nodes[k].get("label") or k),
            site.paths[k][len("keyword/") : -len(".html")],
            sum(1 for u in G.pred[k] if G.nodes[u].get("kind") == "concept"),
        ]
        for k in site.keywords
    ]
    files = {
        f"{SEARCH_DIR}/concepts.js": _script("concepts", concepts),
        f"{SEARCH_DIR}/keywords.js": _script("keywords", keywords),
    }
    for lang in sorted(set(per_lang) | set(site.languages)):
        rows = sorted(per_lang.get(lang, ()), key=lambda r: (r[0].casefold(), r[0], r[1], r[2]))
        files[f"{SEARCH_DIR}/index-{lang}.js"] = _script(f"lang:{lang}", [list(r) for r in rows])
    return files


def search_langs(site: SiteContext) -> list[str]:
    """The languages of the index files, the display language's first."""
    from kg.labels import language_order

    return language_order(site.languages, site.asked)


def _script(key: str, rows: list[Any]) -> str:
    return f"{_HEAD}[{script_json(key)}]={script_json(rows)};\n"
