"""Unlinked mentions: an article's prose names another concept's title without linking it.

One Aho–Corasick automaton per language holds every concept title of that language,
so the whole wiki is scanned in one pass per language, whatever the number of titles.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from operator import itemgetter
from pathlib import Path
from typing import Any

import ahocorasick
import networkx as nx

from kg.articles import Article
from kg.engine.parallel import in_one_process

_ASCII_TO_SPACE = bytes(32 if i < 128 and not chr(i).isalnum() else i for i in range(256))
_UNICODE_PUNCTUATION = (
    "\u00a0\u2013\u2014\u2018\u2019\u201c\u201d\u00ab\u00bb\u2026\u00b7\u2022\u3001\u3002"
)
_EMPTY: dict[str, Any] = {}
_VALUE = itemgetter(1)  # automaton.iter gives (end, value): the concept named
_NONE: tuple[str, ...] = ()
MIN_LABEL_LENGTH = 4
"""Titles shorter than this (``CPA``, ``IPO``) match too much ordinary text to be useful."""


def find_unlinked_mentions(
    G: nx.DiGraph, articles: Iterable[Article], cache: dict[str, Any] | None = None
) -> dict[str, dict[str, list[str]]]:
    """Return ``{slug: {lang: [targets]}}`` for titles named in prose but not linked.

    A mention is a whole-word, case-insensitive occurrence of another concept's title
    (in the article's own language) in its prose, where the concept does not already
    link to that concept in any language. Titles shared by several concepts are skipped
    (the mention would be ambiguous).

    With ``cache`` (a dict kept between builds, updated in place), an article whose text
    was scanned before against the same titles is not scanned again.

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> a = parse_article("---\\ntitle: lease\\n---\\nA lease is signed by a landlord.",
    ...                   slug="lease")
    >>> b = parse_article("---\\ntitle: landlord\\n---\\nOwns property.", slug="landlord")
    >>> build_graph([a, b]).nodes["lease"]["unlinked_mentions"]
    {'en': ['landlord']}
    """
    return scan_mentions(articles, cache)(G)


Found = dict[str, dict[str, list[str]]]
"""``{slug: {lang: [concepts named in its prose, not linked]}}``."""


def scan_mentions(
    articles: Iterable[Article], cache: dict[str, Any] | None = None, *, release: bool = False
) -> Callable[[nx.DiGraph], Found]:
    """Start scanning ``articles``' prose for each other's titles; return the function that
    finishes the scan and leaves out what the graph ``G`` already links.

    The titles come from the articles themselves (a concept's title in a language is its
    article's), so the scan needs no graph: from 2,000 texts on, a helper process starts
    on them at once and the caller builds the graph meanwhile (:func:`kg.graph.build_graph`
    does); the returned function scans the rest here.
    :func:`find_unlinked_mentions` is both steps at once.

    With ``release``, each article's ``text`` is emptied once its digest is made, and the
    scan drops each text as soon as it is scanned: for a caller that needs the texts for
    nothing else (``kg build``: they are half the parsed articles' memory).

    Examples
    --------
    >>> from kg.articles import parse_article
    >>> from kg.graph import build_graph
    >>> a = parse_article("---\\ntitle: lease\\n---\\nA landlord signs it.", slug="lease")
    >>> b = parse_article("---\\ntitle: landlord\\n---\\nOwns property.", slug="landlord")
    >>> finish = scan_mentions([a, b])
    >>> finish(build_graph([a, b], mentions=False))
    {'lease': {'en': ['landlord']}}
    """
    by_lang: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        by_lang[article.lang].append(article)
    plans: list[tuple[str, list[Article], list[bytes], str, dict[bytes, Names]]] = []
    automata: dict[str, ahocorasick.Automaton | None] = {}
    owners: dict[str, dict[str, str]] = {}
    todo: list[tuple[str, bytes, str]] = []
    for lang, every in sorted(by_lang.items()):
        every.sort(key=_slug_of)
        arts = [a for a in every if a.text]
        if not arts:
            continue
        titles = _titles(every)
        digest = _digest(titles)
        old_digest, old = (cache or {}).get(lang, ("", {}))
        known = old if old_digest == digest else {}
        keys = [
            hashlib.blake2b(a.text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
            for a in arts
        ]
        named = {key: known[key] for key in keys if key in known}
        new = {key: a.text for key, a in zip(keys, arts, strict=True) if key not in named}
        if release:
            for article in arts:
                article.text = ""
        if new:
            owners[lang] = _owners(titles)
            automata[lang] = _automaton(owners[lang])
            todo.extend((lang, key, text) for key, text in new.items())
        plans.append((lang, arts, keys, digest, named))
    named_in = {lang: named for lang, _, _, _, named in plans}
    helped = len(todo) >= PARALLEL_MIN and (os.cpu_count() or 1) > 1 and not in_one_process()
    split = _Split(owners, todo, release) if helped else None

    def finish(G: nx.DiGraph) -> Found:
        # this process's share, once the graph is built: from the back, until the ends meet
        scanned = split.finish(automata) if split is not None else _scan(automata, todo)
        for (lang, key, _), names in zip(todo, scanned, strict=True):
            named_in[lang][key] = names
        found: Found = defaultdict(dict)
        fresh: dict[str, Any] = {}
        for lang, arts, keys, digest, named in plans:
            for key, article in zip(keys, arts, strict=True):
                names = named[key]
                if not names:
                    continue
                slug = article.slug
                skip = G._succ.get(slug, _EMPTY)
                left = [n for n in names if n not in skip and n != slug]
                if left:
                    found[slug][lang] = left
            fresh[lang] = (digest, named)
        if cache is not None:
            cache.clear()
            cache.update(fresh)
        return dict(found)

    return finish


Names = tuple[str, ...]
"""The concepts a text names, sorted (a tuple takes a fifth of a frozenset's memory)."""

PARALLEL_MIN = 2000
"""Texts to scan from which a helper process shares the scan (see :class:`_Split`)."""

BATCH = 32
"""Texts this process takes at a time from the back of a :class:`_Split`."""

HELPER_BATCH = 256
"""Texts sent to the helper process at a time (two batches are in flight)."""

HELPER = [sys.executable, "-c", "from kg.mentions import serve_scans; serve_scans()"]
"""The helper's command: a fresh interpreter, not a fork (see :class:`_Split`)."""


class _Split:
    """Texts scanned by two processes from both ends until they meet.

    A helper process scans from the front at once, fed batches by a thread of this
    process; this process scans from the back when it has built the graph. Whoever is
    free takes the next batch, so the work balances however long the graph takes.

    The helper is a fresh interpreter, not a fork. A forked child keeps the pages of
    the parent's heap it started with for as long as it lives, and every page this
    process then writes (building the graph touches every article) is copied: on the
    whole wiki's shape the forked scanner held 4.5 GB. The helper holds its automata
    and two batches. If it cannot start or dies, this process scans what it left.
    """

    def __init__(
        self,
        owners: dict[str, dict[str, str]],
        todo: list[tuple[str, bytes, str]],
        release: bool = False,
    ) -> None:
        self.todo = todo
        self.release = release  # drop each text once its names are known
        self.found: list[Names | None] = [None] * len(todo)
        self.ends = [0, len(todo)]  # next index from the front, end of the back
        self.helped = 0  # texts the helper scanned
        self.broken = False  # the helper stopped answering
        self.lock = threading.Lock()
        self.feeder = threading.Thread(target=self._feed, args=(owners,), daemon=True)
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

    def finish(self, automata: dict[str, ahocorasick.Automaton | None]) -> list[Names]:
        """Scan from the back until the ends meet, wait for the helper; every text's names."""
        while True:
            start, stop = self.take(BATCH, front=False)
            if start >= stop:
                break
            self.found[start:stop] = _scan(automata, self.todo[start:stop])
            self._scanned(start, stop)
        self.feeder.join()
        return [
            names if names is not None else _scan(automata, [self.todo[i]])[0]
            for i, names in enumerate(self.found)
        ]

    def _scanned(self, start: int, stop: int) -> None:
        """Texts ``start:stop`` have their names: let their texts go (with ``release``)."""
        if self.release:
            todo = self.todo
            for i in range(start, stop):
                lang, key, _ = todo[i]
                todo[i] = (lang, key, "")

    def _feed(self, owners: dict[str, dict[str, str]]) -> None:
        """(A thread.) Start the helper and send it batches, two at most unanswered; a
        second thread stores its answers (one thread doing both could wait on a full pipe
        while the helper waits on the other)."""
        try:
            helper = subprocess.Popen(
                HELPER, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, env=_helper_env(), bufsize=0,
            )  # fmt: skip
        except (OSError, TypeError, ValueError):  # no interpreter to start (embedded Python)
            return
        assert helper.stdin is not None and helper.stdout is not None
        _widen(helper.stdin, helper.stdout)
        slots = threading.Semaphore(2)
        sent: queue.SimpleQueue[tuple[int, int] | None] = queue.SimpleQueue()
        answers = (helper, sent, slots)
        receiver = threading.Thread(target=self._store_answers, args=answers, daemon=True)
        receiver.start()
        try:
            _send(helper.stdin, owners)
            while True:
                slots.acquire()
                if self.broken:
                    break
                start, stop = self.take(HELPER_BATCH, front=True)
                if start >= stop:
                    break
                sent.put((start, stop))
                _send(helper.stdin, self.todo[start:stop])
        except Exception:  # noqa: BLE001 - the helper is gone: finish() scans what it left
            self.broken = True
        finally:
            sent.put(None)
            with contextlib.suppress(OSError):
                helper.stdin.close()
            receiver.join()
            helper.wait()

    def _store_answers(
        self, helper: subprocess.Popen, sent: queue.SimpleQueue, slots: threading.Semaphore
    ) -> None:
        """(A thread.) Store the helper's answers, batch by batch in the order sent."""
        assert helper.stdout is not None
        try:
            while (batch := sent.get()) is not None:
                start, stop = batch
                self.found[start:stop] = _receive(helper.stdout)
                self._scanned(start, stop)
                self.helped += stop - start
                slots.release()
        except Exception:  # noqa: BLE001 - any answer it cannot read: the helper is done
            self.broken = True  # finish() scans what the helper left
            helper.kill()
            slots.release()
        finally:
            helper.stdout.close()


def serve_scans() -> None:
    """The helper process of a :class:`_Split`: read the titles' owners per language, then
    batches of ``(lang, key, text)`` from stdin; write each batch's names to stdout."""
    source = open(sys.stdin.fileno(), "rb", buffering=0, closefd=False)  # noqa: SIM115
    sink = open(sys.stdout.fileno(), "wb", buffering=0, closefd=False)  # noqa: SIM115
    _widen(source, sink)
    automata = {lang: _automaton(owners) for lang, owners in _receive(source).items()}
    while True:
        try:
            batch = _receive(source)
        except EOFError:
            return
        _send(sink, _scan(automata, batch))


def _send(pipe: Any, value: Any) -> None:
    """Write ``value`` pickled, after its length, in one call: every call a thread makes
    waits for the GIL, which the thread building the graph holds up to 5 ms at a time."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(len(data).to_bytes(8, "little") + data)
    while view:
        view = view[pipe.write(view) :]


def _receive(pipe: Any) -> Any:
    """Read one value written by :func:`_send`; EOFError at the end of the pipe."""
    size = int.from_bytes(_read(pipe, 8), "little")
    if size > MESSAGE_LIMIT:  # not a length this protocol writes: the pipe carries other bytes
        raise ValueError(f"a message of {size} bytes")
    return pickle.loads(_read(pipe, size))


MESSAGE_LIMIT = 2**30
"""The largest message :func:`_receive` accepts (a batch of 256 texts is about 2 MB)."""


def _read(pipe: Any, size: int) -> bytearray:
    buffer = bytearray(size)
    view, got = memoryview(buffer), 0
    while got < size:
        n = pipe.readinto(view[got:])
        if not n:
            raise EOFError("the pipe closed")
        got += n
    return buffer


def _widen(*pipes: Any) -> None:
    """Make pipes hold 1 MB (Linux; 64 KB is the default), so a batch goes in a few calls."""
    try:
        import fcntl
    except ImportError:  # not POSIX
        return
    for pipe in pipes:
        with contextlib.suppress(OSError, AttributeError):
            fcntl.fcntl(pipe.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 2**20)


def _helper_env() -> dict[str, str]:
    """This environment, with the folder that holds this ``kg`` first on the path."""
    env = dict(os.environ)
    here = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join([here, *filter(None, [env.get("PYTHONPATH")])])
    return env


def _scan(
    automata: dict[str, ahocorasick.Automaton | None], todo: list[tuple[str, bytes, str]]
) -> list[Names]:
    """The concepts each ``(lang, key, text)`` names, with that language's automaton."""
    found: list[Names] = []
    for lang, _, text in todo:
        automaton = automata[lang]
        if automaton is None:
            found.append(_NONE)
        else:
            found.append(tuple(sorted(set(map(_VALUE, automaton.iter(_words(text)))))))
    return found


def _slug_of(article: Article) -> str:
    return article.slug


def _words(text: str) -> str:
    """Lower-case text with punctuation and white space made spaces, padded with a space.

    ASCII punctuation goes through ``bytes.translate`` (C speed); the common non-ASCII
    quotes and dashes through ``str.replace``.
    """
    lowered = text.lower()
    for mark in _UNICODE_PUNCTUATION:
        if mark in lowered:
            lowered = lowered.replace(mark, " ")
    data = lowered.encode("utf-8", "surrogatepass").translate(_ASCII_TO_SPACE)
    return f" {data.decode('utf-8', 'surrogatepass')} "


def _titles(articles: list[Article]) -> list[tuple[str, str]]:
    """``(concept, title)`` of each article of one language, by slug: the concepts' titles
    in that language, as the graph keeps them (an article without a title is named by its
    slug; of two articles with one slug, the later title)."""
    titles: dict[str, str] = {}
    for article in articles:
        titles[article.slug] = article.title or article.slug
    return list(titles.items())


def _owners(titles: list[tuple[str, str]]) -> dict[str, str]:
    """Normalised title → the one concept with that title (shared titles left out)."""
    owners: dict[str, set[str]] = defaultdict(set)
    for node, title in titles:
        if len(title) >= MIN_LABEL_LENGTH and any(c.isalpha() for c in title):
            owners[_words(title)].add(node)
    return {
        key: next(iter(nodes))
        for key, nodes in sorted(owners.items())
        if len(nodes) == 1 and key.strip()
    }


def _digest(titles: list[tuple[str, str]]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for node, title in titles:
        digest.update(f"{node}\0{title}\n".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _automaton(owners: dict[str, str]) -> ahocorasick.Automaton | None:
    if not owners:
        return None
    automaton = ahocorasick.Automaton()
    for key, node in owners.items():
        automaton.add_word(key, node)
    automaton.make_automaton()
    return automaton
