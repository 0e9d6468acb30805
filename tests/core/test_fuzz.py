"""Fuzzing the whole build: random front matter and markdown, as files, through ``kg.build``.

Not only the parser: each example is a folder of files that ``kg.build`` reads, parses,
builds into a graph and writes every export of (the SPARQL store included), in this
process (``jobs=1``). Asserted for each: no exception, every file in the graph or in the
report, and bounded work: the memory the build allocates (traced) and a time limit that
only catches a hang (``signal.alarm``; no speed is asserted here).
"""

from __future__ import annotations

import json
import shutil
import signal
import tempfile
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import kg

# pieces of YAML and markdown that broke parsers before, mixed with random text
_YAML_BITS = [
    "'",
    '"',
    ": ",
    "&a ",
    "*a",
    "!!python/object ",
    "!!binary ",
    "[",
    "]",
    "{",
    "}",
    "- ",
    "#",
    "|",
    ">",
    "2020-02-30",
    "1e999999",
    "9" * 5000,
    "\t",
    "\x1b[31m",
    "\x07",
    "\x85",
    "\u2028",
    "&amp;quot;",
    "keyword:",
    "…",
]
_MD_BITS = [
    "[a](/b)",
    "[x](/keyword:Investing)",
    "[](/)",
    "[y](../sv/z.md#p)",
    "[z](https://investors.wiki/sv/lease)",
    "![i](/img.png)",
    "\n# ",
    "\n##",
    "\n```\n",
    "`",
    "<img src=x onerror=alert(1)>",
    "&lt;b&gt;",
    "&#0;",
    "\x00",
    "\x1b",
    "> ",
    "\n- ",
    "|a|b|\n|-|-|\n",
    "[link [nested](/n)](/m)",
    "[a](/" + "t" * 300 + ")",
    ". ",
    "\r\n",
    "*",
    "_",
]

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=40)
_yaml_value = st.lists(st.one_of(_text, st.sampled_from(_YAML_BITS)), max_size=6).map("".join)
_key = st.sampled_from(["title", "description", "keywords", "a", "title "])
_front_line = st.one_of(
    st.tuples(_key, _yaml_value).map(lambda kv: f"{kv[0]}: {kv[1]}"),
    _yaml_value.map(lambda v: f"  - {v}"),
    _yaml_value,
)
_front = st.lists(_front_line, max_size=8).map("\n".join)
_body = st.lists(st.one_of(_text, st.sampled_from(_MD_BITS)), max_size=40).map("".join)
_closing = st.sampled_from(["---\n", "...\n", "", "--- \n"])
_article = st.builds(
    lambda front, closing, body, fenced: (f"---\n{front}\n{closing}" if fenced else "") + body,
    _front,
    _closing,
    _body,
    st.booleans(),
)
_name = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
    min_size=1,
    max_size=12,
).filter(lambda n: n not in (".", "..") and len(n.encode()) < 200)
_corpus = st.dictionaries(
    _name, st.one_of(_article, st.binary(max_size=300)), min_size=1, max_size=4
)

MEMORY_LIMIT = 256 * 2**20
"""Bytes one example's build may allocate at its peak (the files are a few KB each)."""

HANG_LIMIT = 120
"""Seconds after which an example counts as hung (a build of a few small files takes far
less; this catches a build that never ends, it measures no speed)."""


@contextmanager
def bounded() -> Iterator[None]:
    def hung(signum, frame):
        raise AssertionError(f"the build did not end within {HANG_LIMIT} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(HANG_LIMIT)
    tracemalloc.start()
    try:
        yield
        peak = tracemalloc.get_traced_memory()[1]
        assert peak < MEMORY_LIMIT, f"the build allocated {peak / 2**20:.0f} MB at its peak"
    finally:
        tracemalloc.stop()
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(_corpus)
@example({"0": "", "\U000e0000": b""})  # a tag character: no IRI may hold it unencoded
def test_any_files_build_and_every_file_is_in_the_graph_or_the_report(files):
    root = Path(tempfile.mkdtemp(prefix="kg-fuzz-"))
    try:
        src = root / "src"
        src.mkdir()
        for name, content in files.items():
            path = src / f"{name}.md"
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8", errors="surrogatepass")
        with bounded():
            result = kg.build(src, root / "out", jobs=1)
        report = json.loads((root / "out" / "report.json").read_text("utf-8"))
        in_graph = {
            p for _, d in result.graph.nodes(data=True) for p in (d.get("paths") or {}).values()
        }
        reported = {p["path"] for p in report["errors"] + report["warnings"]}
        for name in files:
            rel = f"{name}.md"
            assert rel in in_graph or rel in reported, (rel, reported)
        assert report["articles"] == len(in_graph)
        for node, data in result.graph.nodes(data=True):
            assert (
                len(str(data.get("label", ""))) <= 500
                or data.get("kind") == "concept"
                and not data.get("exists")
            )
            assert not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in data["label"]), node
            if data.get("kind") == "concept":
                assert not node.startswith("keyword:"), node
    finally:
        shutil.rmtree(root, ignore_errors=True)
