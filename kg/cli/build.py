"""``kg build``: source folders → the graph and every export."""

from __future__ import annotations

import argparse
import sys
from contextlib import nullcontext

from kg.cli.output import terminal_text, whole_number
from kg.formats import FORMATS
from kg.limits import MAX_FILE_SIZE

EXAMPLE = """\
examples:
  kg build                                   # articles/ → exports/
  kg build Texts --out wiki --site-url https://investors.wiki --jobs 2
  kg build notes --lang sv --formats ttl,json,report --strict
  kg build --site                            # and exports/site/index.html

Writes graph.ttl, graph.nt, graph.jsonld, graph.graphml, graph.gexf, graph.json,
nodes.csv, edges.csv, graph.html, report.json, report.md and the SPARQL store, into a
fresh folder that replaces DIR whole when the build is done (one build at a time).
Exit code 0 when every file was read (warnings allowed), 1 when files were left out
(errors), the build could not be written or, with --strict, when there is any warning;
2 for a usage error.
"""


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``kg build``."""
    p = sub.add_parser(
        "build",
        help="parse articles and write the graph and every export",
        description="Parse markdown articles into a knowledge graph and write every export.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "sources",
        nargs="*",
        default=["articles"],
        metavar="SOURCE",
        help="source folders, flat or one folder per language (default: articles)",
    )
    p.add_argument(
        "--out", default="exports", metavar="DIR", help="build folder (default: exports)"
    )
    p.add_argument(
        "--lang",
        action="append",
        metavar="L",
        help="language of a flat folder; with language folders, keep only these "
        "(repeat or comma-separate)",
    )
    p.add_argument(
        "--lang-tag",
        action="append",
        metavar="NAME=TAG",
        help="tag a language folder otherwise, e.g. Chinese=zh-Hant (repeat for more)",
    )
    p.add_argument(
        "--base-iri",
        metavar="IRI",
        help="base of RDF IRIs, ending in /, # or : (default http://example.org/kg/)",
    )
    p.add_argument(
        "--site-url",
        metavar="URL",
        help="links under this URL are internal, e.g. https://investors.wiki",
    )
    p.add_argument(
        "--jobs",
        type=whole_number(1),
        metavar="N",
        help="parsing processes (default: cores); 1: everything in one process, least memory",
    )
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="cold build: neither read nor write the cache (OUT/.cache)",
    )
    p.add_argument(
        "--formats",
        type=_formats,
        metavar="LIST",
        help=f"comma-separated exports to write (default all: {','.join(FORMATS)})",
    )
    p.add_argument(
        "--max-file-size",
        type=file_size,
        default=MAX_FILE_SIZE,
        metavar="SIZE",
        help="largest file read as an article, in bytes or with K, M or G "
        f"(default {MAX_FILE_SIZE // 2**20}M); bigger files are left out",
    )
    p.add_argument(
        "--follow-links",
        action="store_true",
        help="follow links to files and folders outside the sources (default: reported, "
        "not followed)",
    )
    p.add_argument(
        "--no-wait",
        action="store_true",
        help="when another build is writing DIR, stop at once instead of waiting for it",
    )
    p.add_argument(
        "--site",
        action="store_true",
        help="also write the browsable concept site into DIR/site (as kg site does)",
    )
    p.add_argument(
        "--display-lang",
        metavar="L",
        help="with --site: the language concepts are named in (default: English, else any)",
    )
    p.add_argument("--strict", action="store_true", help="exit 1 on any warning")
    p.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Build, show progress and a summary, and return the exit code."""
    from kg.engine.build import build

    quiet = args.quiet or not sys.stderr.isatty()
    with _progress(quiet) as progress:
        result = build(
            args.sources,
            args.out,
            lang=args.lang,
            base_iri=args.base_iri,
            site_url=args.site_url,
            jobs=args.jobs,
            cache=not args.no_cache,
            formats=args.formats,
            progress=progress,
            lang_tags=args.lang_tag,
            follow_links=args.follow_links,
            max_file_size=args.max_file_size,
            wait=not args.no_wait,
            on_wait=_say,
            site=args.site,
            display_lang=args.display_lang,
        )
    report = result.report
    if not args.quiet:
        for notice in result.notices:
            _say(f"warning: {notice}")
        _summary(result)
    for problem in report["errors"]:
        _say(f"error: {_where(problem)}: {problem['message']}")
    if args.strict:
        for problem in report["warnings"]:
            _say(f"warning: {_where(problem)}: {problem['message']}")
    code = 1 if report["errors"] or (args.strict and report["warnings"]) else 0
    if args.fast_exit:  # a whole wiki's graph: freed by the exit, not object by object
        from kg.engine.memory import exit_now

        exit_now(code)
    return code


def _say(text: str) -> None:
    print(terminal_text(f"kg: {text}"), file=sys.stderr, flush=True)


def file_size(text: str) -> int:
    """An argparse ``type`` for a size in bytes, or with a K, M or G suffix (powers of 1024).

    Examples
    --------
    >>> file_size("50M"), file_size("1g"), file_size("2048")
    (52428800, 1073741824, 2048)
    """
    value = text.strip().upper().removesuffix("B")
    scale = {"K": 2**10, "M": 2**20, "G": 2**30}.get(value[-1:], 1)
    number = value[:-1] if scale > 1 else value
    try:
        size = int(float(number) * scale)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (say 50M or 2048)") from None
    if size < 1:
        raise argparse.ArgumentTypeError(f"must be at least one byte, not {text!r}")
    return size


def _summary(result) -> None:
    from rich.console import Console
    from rich.table import Table

    report = result.report
    table = Table(title=f"kg build → {result.out}", show_header=False, box=None)
    table.add_column(justify="left")
    table.add_column(justify="right")
    corpus = result.corpus
    rows = [
        ("articles", report["articles"]),
        ("concepts", report["concepts"]),
        ("missing concepts", report["missing_concepts"]),
        ("links", report["links"]),
        ("keywords", report["keywords"]),
        ("languages", ", ".join(f"{k} {v}" for k, v in report["languages"].items()) or "-"),
        ("warnings", len(report["warnings"])),
        ("errors", len(report["errors"])),
    ]
    if corpus is not None:
        rows.append(("parsed / from cache", f"{corpus.parsed} / {corpus.cached}"))
    rows.append(("seconds", f"{result.seconds:.2f}"))
    for key, value in rows:
        table.add_row(key, str(value))
    Console(file=sys.stdout, highlight=False).print(table)
    if report["warnings"]:
        print(
            terminal_text(f"{len(report['warnings'])} warning(s): see {result.out / 'report.md'}")
        )


def _progress(quiet: bool):
    if quiet:
        return nullcontext(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    class _Bar:
        def __init__(self) -> None:
            self.progress = Progress(
                "parsing",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                transient=True,
            )
            self.task = None

        def __enter__(self):
            self.progress.__enter__()
            return self.update

        def __exit__(self, *exc):
            return self.progress.__exit__(*exc)

        def update(self, done: int, total: int) -> None:
            if self.task is None:
                self.task = self.progress.add_task("parse", total=total)
            self.progress.update(self.task, completed=done, total=total)

    return _Bar()


def _formats(text: str) -> list[str]:
    chosen = [f.strip() for f in text.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown format(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}"
        )
    return chosen


def _where(problem: dict) -> str:
    """``path:line`` of a problem of the report; ``path`` alone for the whole file (line 0)."""
    return f"{problem['path']}:{problem['line']}" if problem["line"] else str(problem["path"])
