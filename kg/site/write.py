"""Write the site: every page, made from the graph, written only where its bytes changed.

:func:`write_site` makes each file of the site in memory and compares it with the file
on disk: a file whose bytes are the same is left alone (its time too), another is
written atomically (temporary file, then rename), and files of a previous site that this
one no longer has (the page of a concept gone) are removed. So a rebuild after an edit
writes the pages whose content changed and the indexes, and the folder ends the same,
byte for byte, as a cold build of the same graph into a folder holding the same
``summary.json`` (the dashboard's "since the previous build" comes from it).

Examples
--------
>>> import tempfile, kg
>>> G = kg.load("articles")
>>> result = write_site(G, tempfile.mkdtemp())
>>> result.written > 0, result.unchanged, result.removed
(True, 0, 0)
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import networkx as nx

from kg.atomic import write_atomic
from kg.errors import InvalidArgument, WriteFailed
from kg.site import summary
from kg.site.concept import concept_page
from kg.site.context import SiteContext
from kg.site.dashboard import figures, quality_page, run_checks
from kg.site.ego import CHUNK, place_all
from kg.site.indexes import az_pages, home_page, keyword_pages, orphans_page, report_of, wanted_page
from kg.site.linked_data import ConceptRdf
from kg.site.related import related_all
from kg.site.render import drawing_digest, render, static
from kg.site.search import search_files, search_langs
from kg.site.urls import MANAGED_DIRS, concept_path, root_of

STATIC_FILES = ("site.css", "site.js")
_MANAGED_SUFFIXES = (".html", ".ttl", ".jsonld", ".js")
_HEAD_BYTES = 600
_END = b"</html>\n"


@dataclass(frozen=True)
class SiteResult:
    """What :func:`write_site` did: files written, left as they were, removed; its time."""

    out: Path
    written: int
    unchanged: int
    removed: int
    seconds: float

    @property
    def files(self) -> int:
        """Files of the site (written or unchanged)."""
        return self.written + self.unchanged


class _Writer:
    """Writes files under ``out`` when their bytes differ from the disk's, and keeps count."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.made: set[str] = set()
        self.written = 0
        self.unchanged = 0

    def put(self, rel: str, data: str | bytes) -> None:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        if rel in self.made:
            raise RuntimeError(f"the site writes {rel} twice")  # two slugs, one file name
        self.made.add(rel)
        target = self.out / rel
        try:
            same = target.stat().st_size == len(raw) and target.read_bytes() == raw
        except OSError:
            same = False
        if same:
            self.unchanged += 1
            return
        try:
            write_atomic(target, raw)
        except OSError as exc:
            raise WriteFailed(f"cannot write {target}: {exc.strerror or exc}") from exc
        self.written += 1

    def keep(self, rel: str, digest: str) -> bool:
        """Whether the file ``rel`` on disk is the page of ``digest`` (then it is kept)."""
        try:
            with (self.out / rel).open("rb") as handle:
                head = handle.read(_HEAD_BYTES)
                handle.seek(max(handle.seek(0, os.SEEK_END) - len(_END), 0))
                tail = handle.read()
        except OSError:
            return False
        if _digest_meta(digest) not in head or tail != _END:  # another page, or a cut one
            return False
        if rel in self.made:
            raise RuntimeError(f"the site writes {rel} twice")
        self.made.add(rel)
        self.unchanged += 1
        return True

    def remove_others(self) -> int:
        """Remove the files of the managed folders that this site did not make."""
        removed = 0
        for folder in MANAGED_DIRS:
            base = self.out / folder
            if not base.is_dir():
                continue
            for dirpath, _, names in sorted(os.walk(base, topdown=False)):
                for name in sorted(names):
                    path = Path(dirpath) / name
                    rel = path.relative_to(self.out).as_posix()
                    if rel not in self.made and name.endswith(_MANAGED_SUFFIXES):
                        path.unlink()
                        removed += 1
                if Path(dirpath) != base and not any(Path(dirpath).iterdir()):
                    Path(dirpath).rmdir()
        return removed


def write_site(
    G: nx.DiGraph,
    out: str | os.PathLike = "site",
    *,
    display_lang: str | None = None,
    site_url: str | None = None,
    base_iri: str | None = None,
) -> SiteResult:
    """Write the browsable concept site of ``G`` into the folder ``out``.

    A static site that works from ``file://`` with no network and from any web server:
    a page per concept (``concept/<slug>.html``, with its Turtle and JSON-LD beside it),
    A–Z indexes per language, keyword pages, the most wanted missing concepts, orphans,
    a search over every label in every language, and the quality dashboard
    ``quality.html``. See the README's section on ``kg site``.

    Parameters
    ----------
    G : networkx.DiGraph
        A graph as :func:`kg.build_graph` makes it, or :func:`kg.load` reads from a build.
    out : str or path
        The site's folder (made if needed). Only files that changed are written; pages of
        concepts no longer in ``G`` are removed when ``out`` holds a site already.
    display_lang : str, optional
        The language concepts are named in (e.g. ``"sv"``); a concept without a title in it
        is named in English, else in any language, and the page says which.
    site_url : str, optional
        The wiki's URL, to link each concept's articles there: ``<site_url>/<lang>/<slug>``,
        or a pattern with ``{lang}`` and ``{slug}``. Default: the build's ``--site-url``.
    base_iri : str, optional
        The base of the RDF IRIs on the pages and in their Turtle and JSON-LD (default:
        the build's). Give the site's own URL, and ``<base>concept/<slug>`` is the page.

    Returns
    -------
    SiteResult
        Files written, unchanged and removed, and the seconds taken.

    Raises
    ------
    InvalidArgument
        A bad option (``display_lang``, ``base_iri``, ``out``).
    WriteFailed
        A file that cannot be written.
    """
    started = time.perf_counter()
    site = SiteContext(G, display_lang=display_lang, site_url=site_url, base_iri=base_iri)
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise InvalidArgument("out", f"{folder} is a file, not a folder for the site", prefix=False)
    old = summary.read(folder)
    writer = _Writer(folder)
    chrome = _chrome(site)

    def page(path: str, template: str, data: dict[str, Any], digest: str = "") -> None:
        frame = {**chrome, "root": root_of(path), "digest": digest}
        writer.put(path, render(template, p=data, chrome=frame))

    report = report_of(site)
    checked = run_checks(site)
    related = related_all(G)
    rdf = ConceptRdf(G, site.base_iri)
    waiting: list[tuple[dict[str, Any], str]] = []

    def render_waiting() -> None:
        views = place_all([data["ego"] for data, _ in waiting])
        for (data, digest), view in zip(waiting, views, strict=True):
            page(data["path"], "concept.html", {**data, "ego": view}, digest)
        waiting.clear()

    for node in site.concepts:
        ttl, jsonld = rdf.texts(node)
        writer.put(concept_path(node, "ttl"), ttl)
        writer.put(concept_path(node, "jsonld"), jsonld)
        data = concept_page(site, node, related=related.get(node, []), ttl_jsonld=(ttl, jsonld))
        digest = page_digest(data, chrome)
        if not writer.keep(data["path"], digest):
            waiting.append((data, digest))
            if len(waiting) >= CHUNK:
                render_waiting()
    if waiting:
        render_waiting()
    for path, template, data in [
        home_page(site, report),
        *az_pages(site),
        *keyword_pages(site),
        wanted_page(site, report),
        orphans_page(site, report),
    ]:
        page(path, template, data)
    for path, text in search_files(site).items():
        writer.put(path, text)
    for name in STATIC_FILES:
        writer.put(name, static(name))
    writer.put(".nojekyll", b"")  # GitHub Pages: serve every file as it is
    stored = summary.merge(old, figures(site, report, checked))
    page(*quality_page(site, stored["figures"], stored["previous"], checked, report))
    writer.put(summary.NAME, summary.text(stored))
    removed = writer.remove_others() if old is not None else 0
    return SiteResult(
        folder, writer.written, writer.unchanged, removed, time.perf_counter() - started
    )


def page_digest(data: dict[str, Any], chrome: dict[str, Any]) -> str:
    """A digest of everything a concept page shows and of what draws it
    (:func:`kg.site.render.drawing_digest`: another drawing draws every page again).

    The page carries it (``<meta name="kg-digest">``): a rebuild that finds it unchanged
    on disk neither lays out the page's small graph nor renders it again.
    """
    text = json.dumps(
        [drawing_digest(), chrome, data],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=_plain,
    )
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _plain(value: Any) -> Any:
    """A value JSON does not know, as one it does (for :func:`page_digest`)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__name__, dataclasses.astuple(value)]
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    return [type(value).__name__, str(value)]


def _digest_meta(digest: str) -> bytes:
    return f'<meta name="kg-digest" content="{digest}">'.encode()


def _chrome(site: SiteContext) -> dict[str, Any]:
    """What the frame of every page shows: the site's name, languages, search files."""
    host = urlsplit(site.site_url if "://" in site.site_url else "//" + site.site_url).hostname
    return {
        "name": f"{host} concepts" if host else "Concepts",
        "lang": site.lang,
        "languages": site.languages,
        "search_langs": search_langs(site),
        "articles": int(site.G.graph.get("articles") or 0),
    }
