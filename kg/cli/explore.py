"""``kg show``, ``neighbors``, ``path``, ``related``, ``stats`` and ``check``.

Thin wrappers: read the build, call :mod:`kg.explore` or :mod:`kg.quality`, print a
table or JSON.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from typing import TYPE_CHECKING, Any

from kg.cli.output import (
    add_data_option,
    add_display_lang_option,
    add_format_option,
    chosen_lang,
    format_table,
    print_json,
    table_width,
    whole_number,
)

# the names of kg.quality.CHECKS, kept here so that `kg --help` does not import networkx
# (a test checks that the two agree)
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

if TYPE_CHECKING:
    import networkx as nx

_CHECK_LIST = textwrap.fill(
    "checks: " + ", ".join(CHECKS), width=78, subsequent_indent="  ", break_on_hyphens=False
)


def register(sub: argparse._SubParsersAction) -> None:
    """Add the exploration and quality commands to the ``kg`` parser."""
    p = _parser(
        sub,
        "show",
        "the concept card: labels, descriptions, keywords, links",
        """\
examples:
  kg show backoffice                  # by slug
  kg show hyresavtal                  # by any title or anchor text, in any language
  kg show "back office" --format json --data exports
  kg show lease --display-lang sv     # labels in Swedish first (else English: label@en)
""",
        labels=True,
    )
    p.add_argument("slug", metavar="SLUG", help="a slug, or any title or anchor text")
    p.set_defaults(func=run_show)

    p = _parser(
        sub,
        "neighbors",
        "concepts within N links of a concept, with their distance",
        """\
examples:
  kg neighbors backoffice                         # direct links, both directions
  kg neighbors backoffice --depth 2 --direction out
  kg neighbors lease --direction in --format json
""",
        labels=True,
    )
    p.add_argument("slug", metavar="SLUG", help="a slug, or any title or anchor text")
    p.add_argument(
        "--depth", type=whole_number(0), default=1, metavar="N", help="links away (default 1)"
    )
    p.add_argument(
        "--direction",
        choices=("out", "in", "both"),
        default="both",
        help="follow links out of, into, or both ways (default both)",
    )
    p.set_defaults(func=run_neighbors)

    p = _parser(
        sub,
        "path",
        "a shortest chain of links between two concepts, with evidence",
        """\
examples:
  kg path frontoffice lease          # links followed either way; each hop shows its sentence
  kg path backoffice cpa --directed  # only in the links' direction
  kg path "front office" hyresavtal --format json
  kg path backoffice lease --display-lang sv   # Swedish sentences first
""",
        labels=True,
    )
    p.add_argument("a", metavar="A", help="start concept")
    p.add_argument("b", metavar="B", help="end concept")
    p.add_argument("--directed", action="store_true", help="follow links only in their direction")
    p.set_defaults(func=run_path)

    p = _parser(
        sub,
        "related",
        "concepts worth reading next: close, but not linked yet",
        """\
Scored by shared neighbours (Adamic-Adar) plus shared keywords (rarer keywords count more).

examples:
  kg related backoffice
  kg related backoffice --top 5 --format json
""",
        labels=True,
    )
    p.add_argument("slug", metavar="SLUG", help="a slug, or any title or anchor text")
    p.add_argument(
        "--top", type=whole_number(0), default=10, metavar="N", help="how many (default 10)"
    )
    p.set_defaults(func=run_related)

    p = _parser(
        sub,
        "stats",
        "counts, languages, degrees, central concepts and communities",
        """\
examples:
  kg stats
  kg stats --data exports --format json
  kg stats --top 20 --no-communities      # faster on a whole wiki
""",
        labels=True,
    )
    p.add_argument(
        "--top",
        type=whole_number(0),
        default=10,
        metavar="N",
        help="concepts and communities to list (default 10)",
    )
    p.add_argument(
        "--no-communities",
        dest="communities",
        action="store_false",
        help="skip community detection (the slow part on a large wiki)",
    )
    p.set_defaults(func=run_stats)

    p = _parser(
        sub,
        "check",
        "quality report naming every concept concerned",
        f"""\
{_CHECK_LIST}

examples:
  kg check                                   # report everything, exit 0
  kg check --fail-on dangling-link self-link # exit 1 if any of these is found (for CI)
  kg check --fail-on all --format json
  kg check --only orphan duplicate-label
""",
    )
    p.add_argument(
        "--fail-on",
        nargs="+",
        choices=[*CHECKS, "all"],
        default=[],
        metavar="CHECK",
        help="exit 1 when any issue of these checks exists ('all' for every check)",
    )
    p.add_argument(
        "--only",
        nargs="+",
        choices=[*CHECKS, "all"],
        default=None,
        metavar="CHECK",
        help="run only these checks (default: all)",
    )
    p.set_defaults(func=run_check)


# --- handlers ---------------------------------------------------------------------------------


def run_show(args: argparse.Namespace) -> int:
    """``kg show``."""
    from kg.explore import show

    lang = chosen_lang(args)
    card = show(_graph(args, lang), args.slug, lang=lang)
    if args.format == "json":
        print_json(card)
        return 0
    label = tagged(card["label"], card["label_lang"], lang)
    title = f"{label} ({card['id']})" + ("" if card["exists"] else " — no article")
    print(title)
    print("=" * len(title))
    fields = [
        ("labels", _per_lang(card["labels"])),
        ("keywords", ", ".join(card["keywords"])),
        ("paths", _per_lang(card["paths"])),
        ("anchor texts", _per_lang({k: ", ".join(v) for k, v in card["alt_labels"].items()})),
        ("external links", ", ".join(card["external_links"])),
    ]
    print(format_table([f for f in fields if f[1]], ("field", "value")))
    if card["descriptions"]:
        print("\ndescriptions")
        for code, text in card["descriptions"].items():
            print(_wrap(f"[{code}] {text}", indent=2))
    for name, rows in (("links out", card["anchors_out"]), ("links in", card["anchors_in"])):
        print(f"\n{name} ({len(rows)})")
        if rows:
            print(
                format_table(
                    [
                        (
                            r["id"],
                            tagged(r["label"], r["label_lang"], lang)
                            + ("" if r["exists"] else " (missing)"),
                            r["anchors"],
                            r["weight"],
                            r["langs"],
                        )
                        for r in rows
                    ],
                    ("id", "label", "anchor texts", "links", "langs"),
                )
            )
    if card["unlinked_mentions"]:
        print("\nnamed without a link (unlinked mentions)")
        print(format_table(list(card["unlinked_mentions"].items()), ("lang", "concepts")))
    return 0


def run_neighbors(args: argparse.Namespace) -> int:
    """``kg neighbors``."""
    from kg.explore import neighbors

    lang = chosen_lang(args)
    G = _graph(args, lang)
    rows = neighbors(G, args.slug, depth=args.depth, direction=args.direction, lang=lang)
    if args.format == "json":
        print_json(rows)
    else:
        print(
            format_table(
                [
                    (
                        r["distance"],
                        r["id"],
                        tagged(r["label"], r["label_lang"], lang),
                        "" if r["exists"] else "missing",
                    )
                    for r in rows
                ],
                ("distance", "id", "label", "article"),
            )
        )
    return 0


def run_path(args: argparse.Namespace) -> int:
    """``kg path``."""
    from kg.explore import path

    lang = chosen_lang(args)
    G = _graph(args, lang)
    result = path(G, args.a, args.b, directed=args.directed, lang=lang)
    if args.format == "json":
        print_json(result)
        return 0
    if not result["path"]:
        how = "following links forwards" if args.directed else "in either direction"
        print(f"no chain of links from {args.a} to {args.b} ({how})")
        return 0
    chain = " → ".join(
        f"{r['id']} ({tagged(r['label'], r['label_lang'], lang)})" for r in result["labels"]
    )
    print(_wrap(chain, indent=0))
    for i, hop in enumerate(result["hops"], 1):
        if hop["direction"] == "forward":
            print(f"\n{i}. {hop['source']} → {hop['target']}")
        else:
            print(f"\n{i}. {hop['source']} ← {hop['target']}  (against the link)")
        for ctx in hop["contexts"]:
            where = " · ".join(x for x in (ctx.get("path"), ctx.get("section")) if x)
            print(_wrap(f"[{ctx.get('lang', '')}] {where}", indent=3))
            print(_wrap(f"“{ctx.get('sentence', '')}”", indent=6))
    return 0


def run_related(args: argparse.Namespace) -> int:
    """``kg related``."""
    from kg.explore import related, why_no_related

    lang = chosen_lang(args)
    G = _graph(args, lang)
    rows = related(G, args.slug, top=args.top, lang=lang)
    if args.format == "json":
        print_json(rows)
    elif not rows:
        print(_wrap(f"nothing to suggest: {why_no_related(G, args.slug, args.top)}", indent=0))
    else:
        print(
            format_table(
                [
                    (
                        r["id"],
                        tagged(r["label"], r["label_lang"], lang),
                        r["score"],
                        r["shared_neighbors"],
                        r["shared_keywords"],
                    )
                    for r in rows
                ],
                ("id", "label", "score", "shared neighbours", "shared keywords"),
            )
        )
    return 0


def run_stats(args: argparse.Namespace) -> int:
    """``kg stats``."""
    from kg.explore import stats

    lang = chosen_lang(args)
    s = stats(_graph(args, lang), top=args.top, communities=args.communities, lang=lang)
    if args.format == "json":
        print_json(s)
        return 0
    counts = [
        (k.replace("_", " "), s[k])
        for k in (
            "articles",
            "concepts",
            "missing_concepts",
            "keywords",
            "links",
            "mentions",
            "community_count",
            "warnings",
            "errors",
        )
        if s[k] is not None
    ]
    print(format_table(counts, ("count", "value")))
    _section(
        "languages",
        [
            (lang, s["articles_per_language"][lang], f"{s['coverage'][lang]:.1%}")
            for lang in s["languages"]
        ],
        ("language", "articles", "coverage"),
    )
    _section(
        "degrees (distinct links)",
        [
            (d, s["degree"][d]["mean"], s["degree"][d]["median"], s["degree"][d]["max"])
            for d in ("in", "out")
        ],
        ("direction", "mean", "median", "max"),
    )
    dist = s["degree_distribution"]
    shown = dist[:15]
    _section(
        "degree distribution (concepts with that many links)",
        [(r["degree"], r["in"], r["out"]) for r in shown],
        ("degree", "in", "out"),
    )
    if len(dist) > len(shown):
        print(f"… {len(dist) - len(shown)} more degrees (--format json for all)")
    _section(
        "top by PageRank",
        [
            (r["id"], tagged(r["label"], r["label_lang"], lang), r["score"])
            for r in s["top_pagerank"]
        ],
        ("id", "label", "pagerank"),
    )
    _section(
        "top by in-links",
        [
            (r["id"], tagged(r["label"], r["label_lang"], lang), r["in_links"])
            for r in s["top_in_links"]
        ],
        ("id", "label", "in-links"),
    )
    if s["community_count"] is not None:
        _section(
            f"communities (Louvain; {s['community_count']} in all, largest first)",
            [(c["community"], c["size"], c["examples"]) for c in s["communities"]],
            ("community", "size", "examples"),
        )
    return 0


def run_check(args: argparse.Namespace) -> int:
    """``kg check``: exit 1 when a check named by ``--fail-on`` found anything."""
    from kg.quality import check

    fail_on = list(CHECKS) if "all" in args.fail_on else list(args.fail_on)
    only = None if args.only is None or "all" in args.only else [*args.only, *fail_on]
    report = check(_graph(args), only)
    if args.format == "json":
        print_json(report)
    else:
        print(format_table(list(report["summary"].items()), ("check", "issues")))
        if report["issues"]:
            print()
            print(
                format_table(
                    [(i["check"], i["concept"], i["detail"]) for i in report["issues"]],
                    ("check", "concept", "detail"),
                )
            )
    failed = [c for c in fail_on if report["summary"].get(c)]
    if failed:
        counts = ", ".join(f"{c} ({report['summary'][c]})" for c in failed)
        print(f"kg: check failed: {counts}", file=sys.stderr)
        return 1
    return 0


# --- helpers ------------------------------------------------------------------------------------


def _parser(
    sub: argparse._SubParsersAction, name: str, summary: str, epilog: str, labels: bool = False
):
    p = sub.add_parser(
        name,
        help=summary,
        description=summary[0].upper() + summary[1:] + ".",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_data_option(p)
    add_format_option(p)
    if labels:
        add_display_lang_option(p)
    return p


def _graph(args: argparse.Namespace, lang: str | None = None) -> nx.DiGraph:
    """The build in ``--data``; a note on stderr when it has no text in ``lang``."""
    from kg.formats.nodelink import read_graph

    G = read_graph(args.data)
    languages = list(G.graph.get("languages") or [])
    base = (lang or "").casefold().split("-")[0]
    if lang and not any(code.casefold().split("-")[0] == base for code in languages):
        print(
            f"kg: note: the build has no text in {lang} ({', '.join(languages) or 'none'}); "
            "labels fall back to English, then any language, shown as label@lang",
            file=sys.stderr,
        )
    return G


def tagged(text: str, code: str, lang: str | None) -> str:
    """A label as tables show it: ``label@lang`` when it is a fall-back (kg.labels.tagged)."""
    from kg.labels import tagged as tag

    return tag(text, code, lang)


def _per_lang(values: dict[str, str]) -> str:
    return "; ".join(f"{lang}: {text}" for lang, text in values.items())


def _wrap(text: str, indent: int) -> str:
    pad = " " * indent
    return textwrap.fill(
        text,
        width=max(table_width(), indent + 20),
        initial_indent=pad,
        subsequent_indent=pad,
        break_on_hyphens=False,
    )


def _section(title: str, rows: list[tuple[Any, ...]], headers: tuple[str, ...]) -> None:
    print(f"\n{title}")
    print(format_table(rows, headers) if rows else "(none)")
