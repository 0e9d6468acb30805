"""Incremental exports: a rebuild copies the pieces of the nodes that did not change.

Most export files are a head, then one or more sorted sections in which every node of
the graph owns one piece (its element, its line, its subject block, its out-links), then
a foot: a :class:`kg.formats.pieces.Layout`. :func:`write_together` writes such files in
one pass over their items and says where each node's pieces stand in them; the build
keeps that in its cache (:class:`Reuse`). The next build compares each node's
:func:`signatures` with the last build's: the piece of a node that did not change is
copied byte for byte from the last file, and only changed nodes are rendered again.
The result is the file :func:`kg.formats.pieces.write_layout` writes; a file that was
touched since (its size or time differ) or a layout whose ``context`` changed (the base
IRI, say) is rendered whole.
"""

from __future__ import annotations

import hashlib
import io
import mmap
import pickle
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any, BinaryIO

import networkx as nx

from kg.atomic import atomic_file
from kg.formats.pieces import Layout
from kg.graph import adjacency


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
    nodes, succ, pred = adjacency(G)
    given = inputs.get if inputs is not None else _nothing
    found = {}
    for node, data in nodes.items():
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


def write_together(
    paths: Sequence[Path],
    layouts: Sequence[Layout],
    unchanged: Callable[[str], bool] | None = None,
    indexes: Sequence[dict[str, Any] | None] | None = None,
    changes: Sequence[list[tuple[bytes, bytes]] | None] | None = None,
    old_paths: Sequence[Path] | None = None,
) -> list[dict[str, Any]]:
    """:func:`write_pieces` for several files in one pass over their items; return each
    file's index. The last build's files, whose pieces are copied, are ``old_paths``
    (default: ``paths`` themselves, replaced when the new ones are complete).

    Each item's pieces are asked of one file after the other, so that writers which share
    the work of an item (the three RDF formats, the flat formats) make it once and keep
    only the last item's. Sections after a file's first are written to a temporary file
    as they come and appended at the end; a section whose items are in another order than
    the pass holds a piece back until its turn (a few, when the orders nearly agree).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> sections = [(",", ["a", "b"]), (";", ["b", "a"])]  # the second in another order
    >>> up = Layout("", sections, ["|", ""], "", lambda item: (item, item.upper()))
    >>> twice = Layout("", [("", ["a", "b"])], [""], "", lambda i: (i * 2,))
    >>> _ = write_together([folder / "up", folder / "twice"], [up, twice])
    >>> (folder / "up").read_text(), (folder / "twice").read_text()
    ('a,b|B;A', 'aabb')
    """
    indexes = indexes if indexes is not None else [None] * len(paths)
    changes = changes if changes is not None else [None] * len(paths)
    olds = old_paths if old_paths is not None else paths
    files = [
        _FileWrite(path, layout, _old_file(old, layout, index) if unchanged else None, got)
        for path, old, layout, index, got in zip(
            paths, olds, layouts, indexes, changes, strict=True
        )
    ]
    same = unchanged or _never
    with ExitStack() as stack:
        for file in files:
            stack.callback(file.close)
        handles = [stack.enter_context(atomic_file(file.path)) for file in files]
        for file, handle in zip(files, handles, strict=True):
            file.open(handle)
        for item in _drive(layouts):
            for file in files:
                file.add(item, same)
        for file, handle in zip(files, handles, strict=True):
            file.finish(handle)
    return [file.index() for file in files]


def _drive(layouts: Sequence[Layout]) -> list[str]:
    """The order of a pass: the first section of the first file, then every item met
    elsewhere that it lacks, in the order met."""
    sections = [items for layout in layouts for _, items in layout.sections]
    if not sections:
        return []
    first = sections[0]
    if all(items is first or items == first for items in sections):
        return list(first)
    seen = set(first)
    extra = [i for items in sections[1:] for i in items if i not in seen and not seen.add(i)]
    return [*first, *extra]


class _FileWrite:
    """One file of :func:`write_together` while it is written: a stream per section."""

    def __init__(
        self,
        path: Path,
        layout: Layout,
        old: tuple[mmap.mmap, dict[str, list[tuple[int, int]]]] | None,
        changes: list[tuple[bytes, bytes]] | None,
    ) -> None:
        self.path = path
        self.layout = layout
        self.old = old
        self.old_spans = old[1] if old is not None else {}
        self.changes = changes if old is not None else None
        self.parts: list[BinaryIO] = []
        self.streams: list[_Stream] = []
        self.offsets: list[int] = []

    def open(self, handle: BinaryIO) -> None:
        """Start the file: its head, then a stream per section (the later ones to parts)."""
        last = self.old[0] if self.old is not None else None
        head = _Output(handle, last)
        head.text(self.layout.head.encode())
        for number, (sep, items) in enumerate(self.layout.sections):
            if number == 0:
                out = head
            else:
                part = tempfile.TemporaryFile(dir=self.path.parent)  # noqa: SIM115 - see close
                self.parts.append(part)
                out = _Output(part, last)
            out.start_section(sep.encode())
            self.streams.append(_Stream(number, items, out))

    def add(self, item: str, unchanged: Callable[[str], bool]) -> None:
        """Give ``item``'s pieces to the sections that hold it, rendered only if needed."""
        where = self.old_spans.get(item)
        copy = where is not None and item not in self.layout.fresh and unchanged(item)
        texts: list[bytes] | None = None
        for stream in self.streams:
            if not stream.wants(item):
                continue
            if copy:
                stream.put(item, True, where[stream.number])  # type: ignore[index]
                continue
            if texts is None:
                texts = [t.encode() for t in self.layout.render(item)]
            text = texts[stream.number]
            stream.put(item, False, text)
            if self.changes is not None:
                self.changes.append((_old_piece(self.old, item, stream.number), text))  # type: ignore[arg-type]

    def finish(self, handle: BinaryIO) -> None:
        """Join the sections: what stands between them, the parts, the foot."""
        between = self.layout.between
        first = self.streams[0].out if self.streams else _Output(handle, None)
        first.flush()
        size = first.size
        self.offsets = [0]
        for number, stream in enumerate(self.streams):
            stream.done(self.path)
            if number:
                stream.out.flush()
                part = self.parts[number - 1]
                part.seek(0)
                shutil.copyfileobj(part, handle, 1 << 20)
                self.offsets.append(size)
                size += stream.out.size
            size += handle.write(between[number].encode())
        handle.write(self.layout.foot.encode())
        if self.changes is not None:
            written = set().union(*(stream.spans for stream in self.streams))
            gone = self.old_spans.keys() - written
            for item in sorted(gone):  # items gone since the last build
                self.changes.extend(
                    (_old_piece(self.old, item, n), b"")
                    for n in range(len(self.streams))  # type: ignore[arg-type]
                )

    def index(self) -> dict[str, Any]:
        """Where each item's pieces stand in the file written (items in every section)."""
        st = self.path.stat()
        first, *rest = [stream.spans for stream in self.streams] or [{}]
        shifted = list(zip(self.offsets[1:], rest, strict=True))
        spans = {}
        for item, span in first.items():
            found = [span]
            for offset, other in shifted:
                where = other.get(item)
                if where is None:
                    break
                found.append((where[0] + offset, where[1] + offset))
            else:
                spans[item] = found
        return {
            "stat": (st.st_size, st.st_mtime_ns),
            "context": self.layout.context,
            "spans": spans,
            "copied": self.old is not None,
        }

    def close(self) -> None:
        for part in self.parts:
            part.close()
        if self.old is not None:
            self.old[0].close()


class _Stream:
    """One section of a file: its pieces in its own order, those that come early held."""

    def __init__(self, number: int, items: list[str], out: _Output) -> None:
        self.number = number
        self.items = items
        self.out = out
        self.next = 0
        self.held: dict[str, tuple[bool, Any]] = {}
        self.members: set[str] | None = None
        self.spans: dict[str, tuple[int, int]] = {}

    def wants(self, item: str) -> bool:
        """Whether ``item`` has a piece in this section."""
        if self.next < len(self.items) and self.items[self.next] == item:
            return True
        if self.members is None:
            self.members = set(self.items)
        return item in self.members

    def put(self, item: str, copy: bool, what: Any) -> None:
        """Add ``item``'s piece (bytes, or the last file's span when ``copy``) in its turn."""
        items = self.items
        if self.items[self.next] != item:
            self.held[item] = (copy, what)
            return
        self._emit(item, copy, what)
        held = self.held
        while held and self.next < len(items) and items[self.next] in held:
            following = items[self.next]
            self._emit(following, *held.pop(following))

    def _emit(self, item: str, copy: bool, what: Any) -> None:
        self.spans[item] = self.out.copy(*what) if copy else self.out.piece(what)
        self.next += 1

    def done(self, path: Path) -> None:
        if self.held or self.next != len(self.items):
            raise RuntimeError(f"{path.name}: section {self.number} left pieces out")


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

    ``last`` is the state the last build saved (:meth:`state`; empty for a cold build);
    ``inputs`` is what each node was read from (see :func:`signatures`); ``previous`` is
    the folder of the last build's files (default: the folder written). With nothing to
    copy from, the signatures are only needed by :meth:`state`: :meth:`prepare` makes
    them when the caller has a moment (while it waits for another process, say).
    """

    def __init__(
        self,
        G: nx.DiGraph,
        last: dict[str, Any],
        inputs: Mapping[str, str] | None = None,
        previous: Path | None = None,
    ) -> None:
        self.G = G
        self.inputs = inputs
        self.previous = previous
        self.old: dict[str, Any] = last.get("files") or {}
        self.new: dict[str, Any] = {}
        self.signatures: dict[str, bytes] | None = None
        self.unchanged: Callable[[str], bool] = _never
        if self.old:
            self.unchanged = _unchanged_since(last.get("signatures") or {}, self.prepare())

    def prepare(self) -> dict[str, bytes]:
        """The nodes' signatures now (made on the first call)."""
        if self.signatures is None:
            self.signatures = signatures(self.G, self.inputs)
        return self.signatures

    def write_together(
        self,
        files: Sequence[tuple[Path, Layout]],
        changes: Mapping[Path, list[tuple[bytes, bytes]]] | None = None,
    ) -> dict[Path, bool]:
        """:func:`write_together` with what the last build left of each file; for each,
        whether pieces could be copied from its last version (``changes`` then got, for
        the files it names, what changed in them)."""
        changes = changes or {}
        paths = [path for path, _ in files]
        previous = self.previous
        indexes = write_together(
            paths,
            [layout for _, layout in files],
            self.unchanged,
            [self.old.get(path.name) for path in paths],
            [changes.get(path) for path in paths],
            [previous / path.name for path in paths] if previous is not None else None,
        )
        for path, index in zip(paths, indexes, strict=True):
            self.new[path.name] = index
        return {path: bool(index["copied"]) for path, index in zip(paths, indexes, strict=True)}

    def state(self) -> dict[str, Any]:
        """What the next build needs: the signatures and the files' indexes."""
        return {"signatures": self.prepare(), "files": self.new}


def _never(item: str) -> bool:
    return False


def _unchanged_since(old: dict[str, bytes], new: dict[str, bytes]) -> Callable[[str], bool]:
    get = old.get

    def same(item: str) -> bool:
        return get(item) == new.get(item, b"")

    return same
