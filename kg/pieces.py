"""Export files made of per-node pieces, so a rebuild copies what did not change.

Most export files are a head, then one or more sorted sections in which every node of
the graph owns one piece (its element, its line, its subject block, its out-links), then
a foot. :func:`write_pieces` writes such a file and keeps, in the build's cache, where
each node's pieces stand in it. The next build compares each node's
:func:`signatures` with the last build's: the piece of a node that did not change is
copied byte for byte from the last file, and only changed nodes are rendered again.
The result is the file a cold build writes; a file that was touched since (its size or
time differ) or a writer whose ``context`` changed (the base IRI, say) is rendered whole.
"""

from __future__ import annotations

import hashlib
import io
import mmap
import pickle
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import networkx as nx

from kg.atomic import atomic_file
from kg.cachefile import load_dict, save_dict

Render = Callable[[str], Sequence[str]]
"""Renders one item (a node id) into its text for each section (``""`` for none)."""


@dataclass
class Layout:
    """What a writer gives :func:`write_pieces`: the file's fixed parts and its items.

    ``sections`` holds, per section, its separator (put between non-empty pieces) and the
    item ids in file order; ``between[i]`` follows section ``i``. ``render(item)`` gives
    the item's text for every section; ``fresh`` items are rendered every time (pieces
    that do not belong to one node, such as a scheme). ``context`` is anything else the
    pieces depend on: when it changes, nothing is reused.
    """

    head: str
    sections: list[tuple[str, list[str]]]
    between: list[str]
    foot: str
    render: Render
    context: str = ""
    fresh: frozenset[str] = frozenset()


def signatures(G: nx.DiGraph, inputs: Mapping[str, str] | None = None) -> dict[str, bytes]:
    """A digest per node of everything its pieces may show: its data, its out-edges' data
    and who links to it.

    The bytes digested are a pickle without its memo (``Pickler.fast``), so they depend on
    the values only: with the memo, a string met twice is written once and then referred
    to, and whether two equal strings are one object depends on how the graph was made
    (parsed now or read from the caches), which made unchanged nodes look changed.

    ``inputs`` maps a node to what its articles were read from (their cache keys, which
    hash each file's bytes, path, slug and language). A node given there is digested with
    its inputs in place of its out-links' ``contexts``: those sentences come from the
    node's own articles only, and which link went to which target shows in the targets and
    weights, which are digested. The sentences are most of a wiki's bytes, so this is the
    cheap signature, and a build process that does not read them does not copy their pages
    while a forked child shares them.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b")])
    >>> before = signatures(G)
    >>> G.add_edge("c", "b")
    >>> after = signatures(G)
    >>> before["a"] == after["a"], before["b"] == after["b"]
    (True, False)
    >>> G.edges["a", "b"]["contexts"] = [{"sentence": "A names b."}]
    >>> signatures(G, {"a": "key of a.md"})["a"] == signatures(G, {"a": "key of a.md"})["a"]
    True
    """
    blake = hashlib.blake2b
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True  # no memo: equal values give equal bytes, shared or not
    dump, getvalue, seek, truncate = pickler.dump, buffer.getvalue, buffer.seek, buffer.truncate
    succ, pred = G._succ, G._pred  # the adjacency dicts themselves, as networkx's own code does
    given = inputs.get if inputs is not None else _nothing
    found = {}
    for node, data in G._node.items():
        seek(0)
        truncate()
        read_from = given(node)
        if read_from is None:
            dump((node, data, succ[node], tuple(pred[node])))
        else:
            out = [(v, _without_contexts(d)) for v, d in succ[node].items()]
            dump((node, data, out, tuple(pred[node]), read_from))
        found[node] = blake(getvalue(), digest_size=16).digest()
    return found


def _nothing(node: str) -> None:
    return None


def _without_contexts(data: dict[str, Any]) -> dict[str, Any]:
    if "contexts" not in data:
        return data
    return {k: v for k, v in data.items() if k != "contexts"}


def write_pieces(
    path: Path,
    layout: Layout,
    unchanged: Callable[[str], bool] | None = None,
    index: dict[str, Any] | None = None,
    changes: list[tuple[bytes, bytes]] | None = None,
) -> dict[str, Any]:
    """Write ``layout`` to ``path`` atomically; return the new index of its pieces.

    Parameters
    ----------
    path : Path
        The file to write.
    layout : Layout
        The writer's file.
    unchanged : callable, optional
        True for an item whose signature is the last build's (its pieces may be copied).
    index : dict, optional
        What this function returned for ``path`` in the last build.
    changes : list, optional
        Gets ``(old, new)`` bytes for every piece made again or gone, when the last file
        could be used (the index's ``"copied"`` is then True): what changed in the file.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "x.txt"
    >>> layout = Layout("[", [(",", ["a", "b"])], [""], "]", lambda item: (item.upper(),))
    >>> index = write_pieces(path, layout)
    >>> path.read_text()
    '[A,B]'
    >>> layout.render = lambda item: ("?",)  # nothing changed: nothing is rendered again
    >>> _ = write_pieces(path, layout, lambda item: True, index)
    >>> path.read_text()
    '[A,B]'
    """
    old = _old_file(path, layout, index) if unchanged is not None else None
    spans: dict[str, list[tuple[int, int]]] = {}
    old_spans = old[1] if old is not None else {}
    fresh = layout.fresh
    rendered: dict[str, Sequence[bytes]] = {}
    last = len(layout.sections) - 1
    try:
        with atomic_file(path) as handle:
            out = _Output(handle, old[0] if old is not None else None)
            out.text(layout.head.encode())
            for number, (sep, items) in enumerate(layout.sections):
                out.start_section(sep.encode())
                for item in items:
                    where = old_spans.get(item)
                    if where is not None and item not in fresh and unchanged(item):  # type: ignore[misc]
                        spans.setdefault(item, []).append(out.copy(*where[number]))
                        continue
                    texts = rendered.get(item)
                    if texts is None:
                        texts = rendered[item] = [t.encode() for t in layout.render(item)]
                    if number == last:
                        del rendered[item]  # no later section needs it
                    spans.setdefault(item, []).append(out.piece(texts[number]))
                    if changes is not None and old is not None:
                        changes.append((_old_piece(old, item, number), texts[number]))
                out.text(layout.between[number].encode())
            out.text(layout.foot.encode())
            out.flush()
        if changes is not None and old is not None:
            for item in old_spans.keys() - spans.keys():  # items gone since the last build
                changes.extend((_old_piece(old, item, n), b"") for n in range(last + 1))
    finally:
        if old is not None:
            old[0].close()
    st = path.stat()
    return {
        "stat": (st.st_size, st.st_mtime_ns),
        "context": layout.context,
        "spans": {k: v for k, v in spans.items() if len(v) == last + 1},
        "copied": old is not None,
    }


class _Output:
    """The new file as it is written: rendered pieces, and runs of the last file's bytes
    (neighbouring copied pieces are taken in one slice, with the separators between)."""

    def __init__(self, handle: BinaryIO, last: mmap.mmap | None) -> None:
        self.handle = handle
        self.last = last
        self.size = 0
        self.run: list[int] | None = None  # [start, end] in the last file, not yet written
        self.separator = b""
        self.first = True

    def start_section(self, separator: bytes) -> None:
        self.separator = separator
        self.first = True

    def text(self, data: bytes) -> None:
        self.flush()
        self.handle.write(data)
        self.size += len(data)

    def piece(self, data: bytes) -> tuple[int, int]:
        """Add a rendered piece (nothing when empty); return where it stands."""
        if not data:
            return self.size, self.size
        if not self.first:
            self.text(self.separator)
        self.first = False
        start = self.size
        self.text(data)
        return start, self.size

    def copy(self, start: int, end: int) -> tuple[int, int]:
        """Add the last file's bytes ``start:end``; return where they stand now."""
        if start == end:
            return self.size, self.size
        gap = len(self.separator)
        if self.run is not None and not self.first and self.run[1] + gap == start:
            self.run[1] = end  # the separator between them comes along
            self.size += gap
        else:
            if not self.first:
                self.text(self.separator)
            self.flush()
            self.run = [start, end]
        self.first = False
        begin = self.size
        self.size += end - start
        return begin, self.size

    def flush(self) -> None:
        """Write the pending run of the last file's bytes."""
        if self.run is not None:
            assert self.last is not None
            self.handle.write(self.last[self.run[0] : self.run[1]])
            self.run = None


def _old_piece(old: tuple[mmap.mmap, dict[str, Any]], item: str, section: int) -> bytes:
    """The bytes ``item`` had in ``section`` of the last file (none if it was not there)."""
    where = old[1].get(item)
    if where is None:
        return b""
    start, end = where[section]
    return old[0][start:end]


def _old_file(
    path: Path, layout: Layout, index: dict[str, Any] | None
) -> tuple[mmap.mmap, dict[str, list[tuple[int, int]]]] | None:
    """The last file, mapped, with its spans, if it is the one ``index`` describes."""
    if not index or index.get("context") != layout.context:
        return None
    try:
        st = path.stat()
        if (st.st_size, st.st_mtime_ns) != tuple(index["stat"]) or not st.st_size:
            return None
        with path.open("rb") as handle:
            data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return data, index.get("spans") or {}


class Reuse:
    """What one build may copy from the last: the nodes' signatures then and now, and
    where the pieces stand in each file the last build wrote.

    ``path`` is the state file (in the build's cache); ``code`` names the code that renders
    the pieces, so that a new kg renders everything again; ``inputs`` is what each node was
    read from (see :func:`signatures`). :meth:`save` keeps the state of
    the files written in this build, for the next. With nothing to copy from (a cold
    build), the signatures are only needed by :meth:`save`: :meth:`prepare` makes them
    when the caller has a moment (while it waits for another process, say).
    """

    def __init__(
        self, path: Path, G: nx.DiGraph, code: str, inputs: Mapping[str, str] | None = None
    ) -> None:
        self.path = path
        self.code = code
        self.G = G
        self.inputs = inputs
        state = load_dict(path)
        if state.get("code") != code:
            state = {}
        self.old: dict[str, Any] = state.get("files") or {}
        self.new: dict[str, Any] = {}
        self.signatures: dict[str, bytes] | None = None
        self.unchanged: Callable[[str], bool] = _never
        if self.old:
            self.unchanged = _unchanged_since(state.get("signatures") or {}, self.prepare())

    def prepare(self) -> dict[str, bytes]:
        """The nodes' signatures now (made on the first call)."""
        if self.signatures is None:
            self.signatures = signatures(self.G, self.inputs)
        return self.signatures

    def write(
        self, path: Path, layout: Layout, changes: list[tuple[bytes, bytes]] | None = None
    ) -> bool:
        """:func:`write_pieces` with what the last build left of ``path``; True when pieces
        could be copied from the last file."""
        index = write_pieces(path, layout, self.unchanged, self.old.get(path.name), changes)
        self.new[path.name] = index
        return bool(index["copied"])

    def save(self) -> None:
        """Keep the signatures and the files' indexes for the next build."""
        state = {"code": self.code, "signatures": self.prepare(), "files": self.new}
        save_dict(self.path, state)


def _never(item: str) -> bool:
    return False


def _unchanged_since(old: dict[str, bytes], new: dict[str, bytes]) -> Callable[[str], bool]:
    get = old.get

    def same(item: str) -> bool:
        return get(item) == new.get(item, b"")

    return same
