"""The build's unlinked-mention scan (kg.engine.mentions): the cache, the helper process,
and a helper that misbehaves; the answers are always those of the core scan."""

from __future__ import annotations

import copy
from multiprocessing.connection import Connection

import networkx as nx

from kg.articles import parse_article
from kg.engine import mentions as engine_mentions
from kg.engine.mentions import _Split, scan, start_scan
from kg.engine.parallel import Helper, Workers
from kg.graph import build_graph, set_unlinked_mentions
from kg.mentions import automaton, find_unlinked_mentions


def _articles(langs=("sv", "fi"), n=40):
    titles = [f"term{i:02d}" for i in range(n)]
    arts = []
    for lang in langs:
        for i, title in enumerate(titles):
            prose = " ".join(titles[(i * 7 + k) % n] for k in range(6))
            body = f"# {title}\n\n{prose}. See [x](/{titles[(i + 1) % n]}).\n"
            arts.append(parse_article(f"---\ntitle: {title}\n---\n{body}", slug=title, lang=lang))
    return arts


def _engine_scan(arts, cache=None, workers=None):
    G = build_graph(arts, mentions=False)
    finish = start_scan(arts, cache, workers or Workers())
    set_unlinked_mentions(G, finish(G))
    return G


def _mentions(G: nx.DiGraph) -> dict[str, dict[str, list[str]]]:
    return {n: d["unlinked_mentions"] for n, d in G.nodes(data=True) if d.get("unlinked_mentions")}


def test_a_scan_shared_with_a_helper_finds_what_the_core_scan_finds(monkeypatch):
    # from PARALLEL_MIN texts on, a helper process scans from the front while this process
    # builds the graph, then this one scans from the back until they meet
    arts = _articles()
    alone = build_graph(copy.deepcopy(arts))
    monkeypatch.setattr(engine_mentions, "PARALLEL_MIN", 1)
    monkeypatch.setattr(engine_mentions, "BATCH", 3)
    monkeypatch.setattr(engine_mentions, "HELPER_BATCH", 5)
    split = _engine_scan(arts)
    found = _mentions(split)
    assert found == _mentions(alone)
    assert len(found) == 40 and all(set(v) == {"sv", "fi"} for v in found.values())
    assert all(a.text == "" for a in arts)  # the prose is let go once its digest is made


def test_the_cache_answers_a_rebuild_without_a_scan():
    titles = [f"term{i:02d}" for i in range(30)]

    def arts():
        return [parse_article(f"---\ntitle: {t}\n---\n{t} och term00.\n", slug=t) for t in titles]

    cache: dict = {}
    first = _engine_scan(arts(), cache)
    assert set(cache) == {"en"} and len(cache["en"][1]) == 30
    again = arts()
    G = build_graph(again, mentions=False)
    finish = start_scan(again, cache, Workers(1))
    found = finish(G)
    assert found == find_unlinked_mentions(G, arts()) == {n: d for n, d in _mentions(first).items()}
    assert found["term01"] == {"en": ["term00"]}


def _split_todo():
    owners = {"en": {" lease ": "lease", " bond ": "bond"}, "sv": {" obligation ": "bond"}}
    scanners = {lang: automaton(o) for lang, o in owners.items()}
    texts = [("en", "a lease"), ("en", "a bond"), ("en", "lease and bond"), ("sv", "en obligation")]
    todo = [(lang, b"", text) for lang, text in texts * 50]
    return owners, scanners, todo, scan(scanners, todo)


def test_the_helper_process_scans_what_it_is_given_in_order(monkeypatch):
    monkeypatch.setattr(engine_mentions, "HELPER_BATCH", 7)
    owners, scanners, todo, one = _split_todo()
    assert one[:4] == [("lease",), ("bond",), ("bond", "lease"), ("bond",)]
    split = _Split(owners, list(todo), _Helped())
    split.feeder.join()  # the helper alone: it takes every batch from the front
    assert split.helped == len(todo)
    assert split.finish(scanners) == one


class _Helped(Workers):
    """Workers that always start a helper (even on one core)."""

    def can_help(self) -> bool:
        return True


class _HelperRunning(_Helped):
    """Workers whose helper runs another program than the scan."""

    def __init__(self, target) -> None:
        super().__init__()
        self.target = target

    def helper(self, target) -> Helper | None:
        return super().helper(self.target)


class _NoHelper(_Helped):
    def helper(self, target) -> Helper | None:
        return None


def says_nothing(inbox: Connection, outbox: Connection) -> None:
    """A helper that ends at once."""


def says_other_things(inbox: Connection, outbox: Connection) -> None:
    """A helper whose answers are not names (a start-up message, say)."""
    inbox.recv()
    outbox.send_bytes(b"hello from a sitecustomize" * 100)
    outbox.send("hello")


def test_each_end_of_a_split_scan_takes_its_own_texts():
    owners, scanners, todo, one = _split_todo()
    split = _Split(owners, list(todo), _HelperRunning(says_nothing))
    assert split.finish(scanners) == one  # what the helper left, this process scanned
    assert split.helped == 0
    split.ends = [7, 20]
    assert split.take(4, front=False) == (16, 20) and split.take(10, front=True) == (7, 16)
    assert split.take(1, front=True) == (16, 16) and split.take(1, front=False) == (16, 16)


def test_a_helper_that_cannot_start_leaves_the_scan_to_this_process():
    owners, scanners, todo, one = _split_todo()
    split = _Split(owners, list(todo), _NoHelper())
    split.feeder.join()
    assert split.helped == 0 and split.finish(scanners) == one


def test_a_helper_that_answers_something_else_leaves_the_scan_to_this_process():
    owners, scanners, todo, one = _split_todo()
    split = _Split(owners, list(todo), _HelperRunning(says_other_things))
    split.feeder.join()  # before this process scans from the back, which could take all
    assert split.helped == 0 and split.broken
    assert split.finish(scanners) == one


def test_one_process_workers_start_no_helper():
    owners, scanners, todo, one = _split_todo()
    split = _Split(owners, list(todo), Workers(1))
    assert split.feeder is None and split.finish(scanners) == one
