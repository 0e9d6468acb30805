"""The read-every-file-plus-one-regex floor that kg's build time is compared with.

The floor is what any tool must at least do: find every ``.md`` file under the
source folder, read its bytes, decode them as UTF-8 and run one link regex
(``\\[([^\\]]*)\\]\\(([^)\\s]*)\\)``) ``findall`` over the text. A build that takes
``k`` times the floor spends ``k - 1`` floors on parsing markdown properly,
building the graph and writing every export.

Page cache: :func:`warm` reads every file once first, so both the floor and the
build it is compared with run with the files in the OS page cache (warm cache
for both); disk speed is not measured by either figure.

Examples
--------
>>> from benchmarks.floor import floor          # doctest: +SKIP
>>> seconds = floor("/tmp/wiki")                 # doctest: +SKIP

From the shell::

    python benchmarks/floor.py /tmp/wiki
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")


def markdown_files(src: str | Path) -> list[str]:
    """Every ``*.md`` file under ``src`` (recursively), sorted; found with ``os.scandir``."""
    found: list[str] = []
    stack = [os.fspath(src)]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.name.endswith(".md") and entry.is_file():
                    found.append(entry.path)
    found.sort()
    return found


def warm(src: str | Path) -> int:
    """Read every ``.md`` file under ``src`` once (into the page cache); return the bytes read."""
    total = 0
    for path in markdown_files(src):
        with open(path, "rb") as fh:
            total += len(fh.read())
    return total


def floor_once(src: str | Path) -> tuple[float, int, int]:
    """One timed pass: list, read, decode, ``findall``; return (seconds, files, links)."""
    findall = LINK.findall
    t0 = time.perf_counter()
    files = markdown_files(src)
    links = 0
    for path in files:
        with open(path, "rb") as fh:
            text = fh.read().decode("utf-8", errors="replace")
        links += len(findall(text))
    return time.perf_counter() - t0, len(files), links


def floor(src: str | Path, repeat: int = 3, *, warm_first: bool = True) -> float:
    """Seconds to list, read, decode and regex every ``.md`` file under ``src``: best of ``repeat``.

    Parameters
    ----------
    src : str or Path
        The source folder (flat or one folder per language).
    repeat : int
        Timed passes; the fastest is returned (the least disturbed by other work).
    warm_first : bool
        Read every file once before timing, so the page cache is warm (as it is for
        the build measured in the same run).

    Returns
    -------
    float
        Seconds of the fastest pass.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.md").write_text("see [b](/b)", encoding="utf-8")
    >>> floor(d) >= 0
    True
    """
    if warm_first:
        warm(src)
    return min(floor_once(src)[0] for _ in range(max(1, repeat)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Time the read-every-file-plus-one-regex floor of a source folder.",
        epilog="example:\n  python benchmarks/floor.py /tmp/wiki",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("src", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    nbytes = warm(args.src)
    best = min((floor_once(args.src) for _ in range(max(1, args.repeat))), key=lambda r: r[0])
    seconds, files, links = best
    print(
        f"{files} files, {nbytes / 1e6:.1f} MB, {links} regex links: floor {seconds:.3f} s "
        f"({files / seconds if seconds else 0:,.0f} files/s, warm page cache)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
