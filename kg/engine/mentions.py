"""The build's unlinked-mention scan: cached per text, and shared with a helper process.

The same answers as :func:`kg.mentions.find_unlinked_mentions`, faster for a build:

* the titles come from the articles themselves, so the scan needs no graph: it starts
  before the graph is built, and :func:`start_scan`'s caller builds the graph meanwhile;
* from :data:`PARALLEL_MIN` texts on, a helper process scans from the front while this
  process, once its graph is built, scans from the back (:class:`_Split`);
* a text scanned by the last build against the same titles is not scanned again (the
  cache, :meth:`kg.engine.cache.BuildCache.mentions`);
* each article's prose is let go as soon as its digest is made (the build has no other
  use for it, and it is half of the parsed articles' memory).
"""

from __future__ import annotations

import hashlib
import queue
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from multiprocessing.connection import Connection

import networkx as nx

from kg.engine.parallel import Workers
from kg.mentions import (
    Found,
    Names,
    Scanner,
    automaton,
    by_language,
    names_in,
    title_owners,
    titles,
    unlinked,
)
from kg.records import Article

PARALLEL_MIN = 2000
"""Texts to scan from which a helper process shares the scan (see :class:`_Split`)."""

BATCH = 32
"""Texts this process takes at a time from the back of a :class:`_Split`."""

HELPER_BATCH = 256
"""Texts sent to the helper process at a time (two batches are in flight)."""

Cache = dict[str, tuple[str, dict[bytes, Names]]]
"""Per language: the digest of its titles and the names found per text digest."""

_Todo = list[tuple[str, bytes, str]]
"""Texts to scan: ``(language, text digest, text)``."""


def start_scan(
    articles: Iterable[Article], cache: Cache | None, workers: Workers
) -> Callable[[nx.DiGraph], Found]:
    """Start scanning ``articles``' prose for each other's titles and empty their ``text``;
    return the function that finishes the scan, leaves out what the graph ``G`` already
    links, and updates ``cache`` (in place) for the next build.

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> a = parse_article("---\\ntitle: lease\\n---\\nA landlord signs it.", slug="lease")
    >>> b = parse_article("---\\ntitle: landlord\\n---\\nOwns property.", slug="landlord")
    >>> G = build_graph([a, b], mentions=False)
    >>> finish = start_scan([a, b], {}, Workers(1))
    >>> a.text, finish(G)
    ('', {'lease': {'en': ['landlord']}})
    """
    plans: list[tuple[str, list[Article], list[bytes], str, dict[bytes, Names]]] = []
    scanners: dict[str, Scanner | None] = {}
    owners: dict[str, dict[str, str]] = {}
    todo: _Todo = []
    for lang, every in by_language(articles).items():
        arts = [a for a in every if a.text]
        if not arts:
            continue
        named_titles = titles(every)
        digest = _digest(named_titles)
        old_digest, old = (cache or {}).get(lang, ("", {}))
        known = old if old_digest == digest else {}
        keys = [
            hashlib.blake2b(a.text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
            for a in arts
        ]
        named = {key: known[key] for key in keys if key in known}
        new = {key: a.text for key, a in zip(keys, arts, strict=True) if key not in named}
        for article in arts:
            article.text = ""
        if new:
            owners[lang] = title_owners(named_titles)
            scanners[lang] = automaton(owners[lang])
            todo.extend((lang, key, text) for key, text in new.items())
        plans.append((lang, arts, keys, digest, named))
    split = _Split(owners, todo, workers) if len(todo) >= PARALLEL_MIN else None
    plans_named = {lang: named for lang, _, _, _, named in plans}

    def finish(G: nx.DiGraph) -> Found:
        # this process's share, once the graph is built: from the back, until the ends meet
        scanned = split.finish(scanners) if split is not None else scan(scanners, todo)
        for (lang, key, _), names in zip(todo, scanned, strict=True):
            plans_named[lang][key] = names
        found: Found = defaultdict(dict)
        fresh: Cache = {}
        for lang, arts, keys, digest, named in plans:
            for key, article in zip(keys, arts, strict=True):
                left = unlinked(G, article.slug, named[key])
                if left:
                    found[article.slug][lang] = left
            fresh[lang] = (digest, named)
        if cache is not None:
            cache.clear()
            cache.update(fresh)
        return dict(found)

    return finish


def scan(scanners: dict[str, Scanner | None], todo: _Todo) -> list[Names]:
    """The concepts each ``(lang, key, text)`` names, with that language's automaton."""
    return [names_in(scanners[lang], text) for lang, _, text in todo]


class _Split:
    """Texts scanned by two processes from both ends until they meet.

    A helper process scans from the front at once, fed batches by a thread of this
    process; this process scans from the back when it has built the graph. Whoever is
    free takes the next batch, so the work balances however long the graph takes.

    The helper is a fresh process, not a fork. A forked child keeps the pages of the
    parent's heap it started with for as long as it lives, and every page this process
    then writes (building the graph touches every article) is copied: on the whole wiki's
    shape the forked scanner held 4.5 GB. The helper holds its automata and two batches.
    If it cannot start or dies, this process scans what it left.
    """

    def __init__(self, owners: dict[str, dict[str, str]], todo: _Todo, workers: Workers) -> None:
        self.todo = todo
        self.found: list[Names | None] = [None] * len(todo)
        self.ends = [0, len(todo)]  # next index from the front, end of the back
        self.helped = 0  # texts the helper scanned
        self.broken = False  # the helper stopped answering
        self.lock = threading.Lock()
        self.feeder: threading.Thread | None = None
        if workers.can_help():
            self.feeder = threading.Thread(target=self._feed, args=(owners, workers), daemon=True)
            self.feeder.start()

    def take(self, size: int, front: bool) -> tuple[int, int]:
        """The next ``size`` texts ``(start, stop)`` from one end; empty when they met."""
        with self.lock:
            first, last = self.ends
            if front:
                self.ends[0] = stop = min(first + size, last)
                return first, stop
            self.ends[1] = start = max(last - size, first)
            return start, last

    def finish(self, scanners: dict[str, Scanner | None]) -> list[Names]:
        """Scan from the back until the ends meet, wait for the helper; every text's names."""
        while True:
            start, stop = self.take(BATCH, front=False)
            if start >= stop:
                break
            self.found[start:stop] = scan(scanners, self.todo[start:stop])
            self._scanned(start, stop)
        if self.feeder is not None:
            self.feeder.join()
        return [
            names if names is not None else scan(scanners, [self.todo[i]])[0]
            for i, names in enumerate(self.found)
        ]

    def _scanned(self, start: int, stop: int) -> None:
        """Texts ``start:stop`` have their names: let their texts go."""
        todo = self.todo
        for i in range(start, stop):
            lang, key, _ = todo[i]
            todo[i] = (lang, key, "")

    def _feed(self, owners: dict[str, dict[str, str]], workers: Workers) -> None:
        """(A thread.) Start the helper and send it batches, two at most unanswered; a
        second thread stores its answers (one thread doing both could wait on a full pipe
        while the helper waits on the other)."""
        helper = workers.helper(serve_scans)
        if helper is None:
            return
        slots = threading.Semaphore(2)
        sent: queue.SimpleQueue[tuple[int, int] | None] = queue.SimpleQueue()
        receiver = threading.Thread(
            target=self._store_answers, args=(helper.receive, sent, slots), daemon=True
        )
        receiver.start()
        try:
            helper.send.send(owners)
            while True:
                slots.acquire()
                if self.broken:
                    break
                start, stop = self.take(HELPER_BATCH, front=True)
                if start >= stop:
                    break
                sent.put((start, stop))
                helper.send.send(self.todo[start:stop])
        except Exception:  # noqa: BLE001 - the helper is gone: finish() scans what it left
            self.broken = True
        finally:
            sent.put(None)
            helper.send.close()
            receiver.join()
            helper.close()

    def _store_answers(
        self, answers: Connection, sent: queue.SimpleQueue, slots: threading.Semaphore
    ) -> None:
        """(A thread.) Store the helper's answers, batch by batch in the order sent."""
        try:
            while (batch := sent.get()) is not None:
                start, stop = batch
                names = answers.recv()
                if not isinstance(names, list) or len(names) != stop - start:
                    raise ValueError("the helper answered something else")
                self.found[start:stop] = names
                self._scanned(start, stop)
                self.helped += stop - start
                slots.release()
        except Exception:  # noqa: BLE001 - any answer it cannot read: the helper is done
            self.broken = True  # finish() scans what the helper left
            slots.release()


def serve_scans(inbox: Connection, outbox: Connection) -> None:
    """The helper process of a :class:`_Split`: read the titles' owners per language, then
    batches of ``(lang, key, text)``; answer each batch with its names."""
    scanners = {lang: automaton(owners) for lang, owners in inbox.recv().items()}
    while True:
        try:
            batch = inbox.recv()
        except EOFError:
            return
        outbox.send(scan(scanners, batch))


def _digest(named: list[tuple[str, str]]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for node, title in named:
        digest.update(f"{node}\0{title}\n".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()
