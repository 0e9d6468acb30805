"""``kg site``: write the browsable concept site of a build (a thin wrapper over kg.write_site)."""

from __future__ import annotations

import argparse
import os
import textwrap

from kg.cli.output import add_data_option

DEFAULT_OUT = "site"
LANG_ENV = "KG_DISPLAY_LANG"

EPILOG = textwrap.dedent(
    """\
    The site is a folder of static pages that works offline (open index.html) and from
    any web server: a page per concept (concept/<slug>.html) with its titles in every
    language, definitions, links out and in with the sentences they stand in, related
    concepts and a small graph; A-Z per language, keywords, most wanted missing concepts,
    orphans; a search over every label in every language; quality.html, the dashboard of
    kg check. Each concept page links to its own Turtle and JSON-LD (concept/<slug>.ttl,
    .jsonld). A rebuild writes only the files that changed.

    example:
      kg build articles --out exports
      kg site --data exports --out site --display-lang sv
      kg site --site-url https://investors.wiki --base-iri https://me.github.io/wiki/
      xdg-open site/index.html

    With --base-iri set to the URL the site is published at, the concepts' RDF IRIs
    (<base>concept/<slug>) are the addresses of their pages on servers that add .html,
    as GitHub Pages does (see the README).
    """
)


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``site`` command."""
    parser = sub.add_parser(
        "site",
        help="write a browsable concept site and quality dashboard (static, offline)",
        description="Write a static site of the build in --data: a page per concept, "
        "indexes, search and a quality dashboard, into --out.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_data_option(parser)
    parser.add_argument(
        "--out",
        metavar="DIR",
        default=DEFAULT_OUT,
        help=f"the folder of the site (default: ./{DEFAULT_OUT})",
    )
    parser.add_argument(
        "--display-lang",
        metavar="L",
        default=os.environ.get(LANG_ENV) or None,
        help="language concepts are named in, e.g. sv; else English, else any "
        f"(default: ${LANG_ENV}, else English)",
    )
    parser.add_argument(
        "--site-url",
        metavar="URL",
        help="the wiki's URL, to link each article there as URL/<lang>/<slug> "
        "(or a pattern with {lang} and {slug}); default: the build's --site-url",
    )
    parser.add_argument(
        "--base-iri",
        metavar="IRI",
        help="base of the RDF IRIs on the pages; give the site's URL so that IRIs "
        "resolve to the pages (default: the build's)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Read the build, write the site, print what was written."""
    from kg.formats.nodelink import read_graph as read_build
    from kg.site import write_site

    G = read_build(args.data)
    result = write_site(
        G,
        args.out,
        display_lang=args.display_lang,
        site_url=args.site_url,
        base_iri=args.base_iri,
    )
    print(
        f"{result.out / 'index.html'}: {result.files:,} files, {result.written:,} written, "
        f"{result.unchanged:,} unchanged, {result.removed:,} removed ({result.seconds:.1f} s)"
    )
    return 0
