"""A file made of per-node pieces: a head, sorted sections of pieces, a foot.

Most export files are a head, then one or more sections in which every node of the
graph owns one piece (its element, its line, its subject block, its out-links), then a
foot. A format describes its file as a :class:`Layout`; :func:`generate` gives the
file's text piece by piece and :func:`write_layout` writes it. The build engine writes
the same layouts incrementally (:mod:`kg.engine.incremental`), copying the pieces of
nodes that did not change, and gives the same bytes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.atomic import atomic_file

Render = Callable[[str], Sequence[str]]
"""Renders one item (a node id) into its text for each section (``""`` for none)."""


@dataclass
class Layout:
    """A file as its fixed parts and its items' pieces.

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


def generate(layout: Layout) -> Iterator[str]:
    """The text of ``layout``'s file, in pieces (head, each non-empty piece and separator,
    what stands between sections, foot).

    Examples
    --------
    >>> layout = Layout("[", [(",", ["a", "b"]), (";", ["b"])], ["|", ""], "]",
    ...                 lambda item: (item.upper(), item * 2))
    >>> "".join(generate(layout))
    '[A,B|bb]'
    """
    yield layout.head
    render = layout.render
    for number, (separator, items) in enumerate(layout.sections):
        first = True
        for item in items:
            text = render(item)[number]
            if text:
                if not first:
                    yield separator
                first = False
                yield text
        yield layout.between[number]
    yield layout.foot


def write_layout(path: str | os.PathLike, layout: Layout) -> Path:
    """Write ``layout``'s file to ``path`` atomically (a temporary file, then a rename).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "x.txt"
    >>> _ = write_layout(path, Layout("[", [(",", ["a", "b"])], [""], "]", lambda i: (i,)))
    >>> path.read_text()
    '[a,b]'
    """
    with atomic_file(path) as handle:
        for text in generate(layout):
            handle.write(text.encode("utf-8", "surrogatepass"))
    return Path(path)
