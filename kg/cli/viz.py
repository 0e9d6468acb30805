"""``kg viz``: write the interactive HTML view of a build (a thin wrapper over kg.visualize)."""

from __future__ import annotations

import argparse
import textwrap

from kg.cli.output import add_data_option, add_display_lang_option, chosen_lang, whole_number
from kg.errors import BadInput

DEFAULT_OUT = "viz.html"

EPILOG = textwrap.dedent(
    """\
    The page is one self-contained file: vis-network and every style are inlined, nothing
    is fetched from the network, and article text is shown as text. Open it in any browser.
    In it: hover a concept for its name; click one to highlight its links and open its
    card (labels in every language, description, source files, links out and in with the
    sentence each stands in); search by any label or anchor text (CJK by any part, Arabic
    with or without vowel marks); click a legend entry to hide or show a group; toggle
    keywords and concepts without an article. The most central concepts are labelled
    first, wherever their labels do not overlap.

    By default the whole graph is drawn up to 2,000 concepts; past that, the 500 most
    central (PageRank), which keeps the page quick and readable. --top 0 draws everything.
    Concepts without an article are drawn small, and hidden at first past 300 concepts.

    example:
      kg build articles --out exports
      kg viz --focus backoffice --depth 2 --out backoffice.html
      kg viz --top 300 --color-by community --size-by in-links      # writes ./viz.html
      kg viz --display-lang sv --sources articles --out sv.html    # Swedish labels first
    """
)


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``viz`` command."""
    parser = sub.add_parser(
        "viz",
        help="write an interactive HTML view of the graph (offline, one file)",
        description="Write an interactive HTML view of the build in --data: the whole "
        "graph, its most central concepts (--top), or the neighbourhood of one concept "
        "(--focus, --depth).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_data_option(parser)
    parser.add_argument(
        "--focus", metavar="SLUG", help="draw only the concepts within --depth links of SLUG"
    )
    parser.add_argument(
        "--depth",
        type=whole_number(0),
        default=1,
        metavar="N",
        help="links away from --focus, either direction (default: 1)",
    )
    parser.add_argument(
        "--top",
        type=whole_number(0),
        default=None,
        metavar="N",
        help="keep the N most central concepts (PageRank); 0 keeps all "
        "(default: all up to 2,000 concepts, else 500)",
    )
    parser.add_argument(
        "--out",
        metavar="FILE",
        default=DEFAULT_OUT,
        help=f"the HTML file to write (default: ./{DEFAULT_OUT})",
    )
    parser.add_argument(
        "--color-by",
        choices=["keyword", "community"],
        default="keyword",
        help="colour concepts by first keyword or by link community (default: keyword)",
    )
    parser.add_argument(
        "--size-by",
        choices=["pagerank", "in-links"],
        default="pagerank",
        help="size concepts by PageRank or by in-links (default: pagerank)",
    )
    parser.add_argument(
        "--keywords",
        action="store_true",
        help="draw keywords as nodes from the start (the page can toggle)",
    )
    parser.add_argument(
        "--missing",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="draw concepts without an article at first, or not (the page can toggle; "
        "default: drawn in views of up to 300 concepts)",
    )
    parser.add_argument(
        "--sources",
        metavar="DIR|URL",
        help="where the articles are, so that the card links each source file "
        "(default: the build's --site-url, if any)",
    )
    add_display_lang_option(parser)
    parser.add_argument("--title", help="page title")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Read the build, render the view, write it, print the path."""
    from kg.formats.nodelink import read_graph
    from kg.viz import visualize

    G = read_graph(args.data)
    try:
        path = visualize(
            G,
            out=args.out,
            focus=args.focus,
            depth=args.depth,
            top=args.top,
            color_by=args.color_by,
            size_by=args.size_by,
            show_keywords=args.keywords,
            show_missing=args.missing,
            title=args.title,
            lang=chosen_lang(args),
            sources=args.sources,
        )
    except OSError as exc:
        raise BadInput(f"cannot write {args.out}: {exc.strerror or exc}") from exc
    print(path)
    return 0
