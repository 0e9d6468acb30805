"""Rebuilds that copy unchanged pieces of the last files give exactly a cold build's files."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import networkx as nx
import pytest

from kg.engine.build import build
from kg.engine.cache import PIECES
from kg.engine.incremental import signatures, write_together
from kg.formats.pieces import Layout, write_layout
from tests.corpora import article, write_articles

PIECE_FORMATS = ["nt", "ttl", "jsonld", "json", "graphml", "gexf", "csv"]
SKIP = {".cache", "store", ".kg-lock", ".kg-build.json"}


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name not in SKIP}


def wiki(root: Path, n: int = 60, seed: int = 7) -> Path:
    rng = random.Random(seed)
    files = {}
    for i in range(n):
        links = " ".join(f"[ord {j}](/s{j:03d})" for j in rng.sample(range(n + 5), 4))
        files[f"sv/s{i:03d}.md"] = article(
            f"sak {i}",
            f"## Del\n\nText om sak {(i + 1) % n}. {links}.\n",
            keywords=",".join(rng.sample(["Aktier", "Fonder", "Skatt", "Lån"], 2)),
            description=f"Beskrivning {i}",
        )
    write_articles(root, files)
    return root


EDITS = {
    "a new link": lambda src: _append(src / "sv" / "s005.md", "\nSe [ny sak](/ny-sak).\n"),
    "a new title": lambda src: _replace(src / "sv" / "s010.md", "title: sak 10", "title: ny titel"),
    "a new keyword": lambda src: _replace(src / "sv" / "s011.md", "keywords: ", "keywords: Ny,"),
    "a file removed": lambda src: (src / "sv" / "s012.md").unlink(),
    "a new sentence around a link": lambda src: _replace(
        src / "sv" / "s013.md", "Text om sak", "Annan text om sak"
    ),
    "a file added": lambda src: (src / "sv" / "s999.md").write_text(
        article("sak 999", "Länk till [sak 1](/s001).\n"), encoding="utf-8"
    ),
}


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_rebuild_after_an_edit_equals_a_cold_build(tmp_path, edit):
    src = wiki(tmp_path / "wiki")
    out = tmp_path / "out"
    build([src], out, formats=PIECE_FORMATS, jobs=1)
    assert (out / ".cache" / PIECES).is_file()
    EDITS[edit](src)
    build([src], out, formats=PIECE_FORMATS, jobs=1)
    cold = build([src], tmp_path / "cold", formats=PIECE_FORMATS, jobs=1, cache=False)
    assert not (tmp_path / "cold" / ".cache").exists()
    assert files_of(out) == files_of(cold.out)


def test_a_new_base_iri_renders_every_piece_again(tmp_path):
    src = wiki(tmp_path / "wiki", n=20)
    out = tmp_path / "out"
    build([src], out, formats=["nt", "ttl"], jobs=1)
    build([src], out, formats=["nt", "ttl"], jobs=1, base_iri="https://investors.wiki/kg/")
    cold = build(
        [src],
        tmp_path / "cold",
        formats=["nt", "ttl"],
        jobs=1,
        cache=False,
        base_iri="https://investors.wiki/kg/",
    )
    assert files_of(out) == files_of(cold.out)
    assert b"http://example.org/" not in (out / "graph.nt").read_bytes()


def test_an_export_touched_since_the_last_build_is_written_whole(tmp_path):
    src = wiki(tmp_path / "wiki", n=20)
    out = tmp_path / "out"
    build([src], out, formats=["nt", "json"], jobs=1)
    nt = out / "graph.nt"
    nt.write_bytes(nt.read_bytes().replace(b"sak", b"SAK"))  # the user edits an export
    _append(src / "sv" / "s003.md", "\nMer text.\n")
    build([src], out, formats=["nt", "json"], jobs=1)
    cold = build([src], tmp_path / "cold", formats=["nt", "json"], jobs=1, cache=False)
    assert files_of(out) == files_of(cold.out)


def test_write_pieces_renders_only_changed_items(tmp_path):
    path = tmp_path / "x.txt"
    rendered: list[str] = []

    def render(item: str) -> tuple[str, str]:
        rendered.append(item)
        return f"<{item}>", (f"({item})" if item != "b" else "")

    layout = Layout("H", [(",", ["a", "b", "c"]), (";", ["c", "b", "a"])], ["|", "|"], "F", render)
    index = write_pieces(path, layout)
    assert path.read_text() == "H<a>,<b>,<c>|(c);(a)|F"
    rendered.clear()
    layout.sections = [(",", ["a", "b", "c", "d"]), (";", ["d", "c", "b", "a"])]
    write_pieces(path, layout, lambda item: item != "c", index)
    assert path.read_text() == "H<a>,<b>,<c>,<d>|(d);(c);(a)|F"
    assert sorted(rendered) == ["c", "d"]  # a and b were copied from the last file


def test_write_together_passes_once_and_equals_files_written_alone(tmp_path):
    made: list[str] = []
    last: dict[str, str] = {}

    def work(item: str) -> str:  # what two writers share, kept for the last item only
        if last.get("item") != item:
            made.append(item)
            last.update(item=item, value=item.upper())
        return last["value"]

    items = ["b", "a2", "a", "c"]
    other = ["a", "a2", "b", "c"]  # the second section in another order, as RDF's links
    one = Layout("[", [(",", items), (";", other)], ["|", ""], "]", lambda i: (i, work(i)))
    two = Layout("", [("\n", items)], [""], "\n", lambda i: (f"{work(i)}!",))
    paths = [tmp_path / "one", tmp_path / "two"]
    indexes = write_together(paths, [one, two])
    assert made == items  # each item's shared work done once, in the pass's order
    assert paths[0].read_text() == "[b,a2,a,c|A;A2;B;C]"
    assert paths[1].read_text() == "B!\nA2!\nA!\nC!\n"
    alone = tmp_path / "alone"
    write_layout(alone, one)  # the core writer, no cache: the same bytes
    assert alone.read_bytes() == paths[0].read_bytes()

    made.clear()
    changes: list[tuple[bytes, bytes]] = []
    work_was = work

    def work(item: str) -> str:  # noqa: F811 - a changed item "a"
        return "NEW" if item == "a" else work_was(item)

    again = write_together(paths, [one, two], lambda item: item != "a", indexes, [changes, None])
    assert paths[0].read_text() == "[b,a2,a,c|NEW;A2;B;C]"
    assert paths[1].read_text() == "B!\nA2!\nNEW!\nC!\n"
    assert made == []  # only "a" was rendered again, and not through the shared work
    assert (b"A", b"NEW") in changes and all(index["copied"] for index in again)
    spans = again[0]["spans"]
    text = paths[0].read_bytes()
    assert [text[s:e] for s, e in spans["a2"]] == [b"a2", b"A2"]


def test_signatures_depend_on_values_not_on_which_strings_are_shared():
    # a graph made from the caches shares fewer (or more) string objects than one parsed
    # afresh; a signature that saw that would re-render unchanged nodes
    shared = "".join(["front", "office"])
    one, two = nx.DiGraph(), nx.DiGraph()
    one.add_node("a", labels={"sv": shared, "fi": shared})
    two.add_node("a", labels={"sv": "".join(["front", "office"]), "fi": "frontoffice"})
    assert one.nodes["a"] == two.nodes["a"]
    assert signatures(one) == signatures(two)
    two.nodes["a"]["labels"]["fi"] = "front office"
    assert signatures(one) != signatures(two)


def test_a_rebuild_renders_only_the_nodes_an_edit_touched(tmp_path):
    # the cold build's articles come from the parse pool, the rebuild's from the cache:
    # only the edited concept and the one it now links to may differ
    src = tmp_path / "src"
    for lang in ("sv", "fi"):
        write_articles(
            src / lang,
            {
                f"c{i}.md": article(
                    f"concept {i}",
                    f"See [concept {i + 1}](/c{i + 1}) and [concept {i + 2}](/c{i + 2}).",
                )
                for i in range(30)
            },
        )
    out = tmp_path / "out"
    build([str(src)], out)
    before = _saved_signatures(out)
    with open(src / "sv" / "c3.md", "a", encoding="utf-8") as fh:
        fh.write("\nAlso [concept 20](/c20).\n")
    build([str(src)], out)
    after = _saved_signatures(out)
    assert sorted(n for n in after if before.get(n) != after[n]) == ["c20", "c3"]


def _saved_signatures(out: Path) -> dict[str, bytes]:
    from kg.engine.cache import FOLDER as CACHE_FOLDER
    from kg.engine.cache import PIECES, load_dict

    return dict(load_dict(out / CACHE_FOLDER / PIECES)["signatures"])


def test_write_pieces_ignores_an_index_of_another_file(tmp_path):
    path = tmp_path / "x.txt"
    layout = Layout("", [("", ["a", "b"])], [""], "", lambda item: (item * 3,))
    index = write_pieces(path, layout)
    path.write_text("something else entirely")
    os.utime(path, ns=(1, 1))
    write_pieces(path, layout, lambda item: True, index)
    assert path.read_text() == "aaabbb"


def test_a_copied_build_folder_still_rebuilds_right(tmp_path):
    src = wiki(tmp_path / "wiki", n=20)
    build([src], tmp_path / "out", formats=PIECE_FORMATS, jobs=1)
    shutil.copytree(tmp_path / "out", tmp_path / "moved")  # new mtimes: nothing is reused
    _append(src / "sv" / "s004.md", "\nLänk [sak 2](/s002).\n")
    build([src], tmp_path / "moved", formats=PIECE_FORMATS, jobs=1)
    cold = build([src], tmp_path / "cold", formats=PIECE_FORMATS, jobs=1, cache=False)
    assert files_of(tmp_path / "moved") == files_of(cold.out)


@pytest.mark.parametrize("edit", ["a new link", "a file removed"])
def test_the_store_is_patched_with_what_changed_and_holds_the_new_graph(
    tmp_path, edit, monkeypatch
):
    import pyoxigraph as ox

    import kg.engine.store
    from kg.store.database import open_store, store_is_fresh

    src = wiki(tmp_path / "wiki")
    out = tmp_path / "out"
    build([src], out, formats=["nt", "store"], jobs=1)
    EDITS[edit](src)

    def tripwire(*args, **kwargs):
        raise AssertionError("the store was loaded again, not patched")

    monkeypatch.setattr(kg.engine.store, "write_store", tripwire)
    build([src], out, formats=["nt", "store"], jobs=1)  # a copy of the last store, patched
    monkeypatch.undo()
    assert store_is_fresh(out)
    expected = {str(t) for t in ox.parse(path=str(out / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)}
    held = {str(ox.Triple(q.subject, q.predicate, q.object)) for q in open_store(out)}
    assert held == expected


def test_the_parse_cache_grows_by_a_small_file_and_is_rewritten_when_it_drifts(tmp_path):
    src = wiki(tmp_path / "wiki", n=100)
    out = tmp_path / "out"
    build([src], out, formats=["json"], jobs=1)
    cache = out / ".cache"
    whole = next(cache.glob("parse-v*[0-9].kgc"))
    written = whole.stat().st_mtime_ns
    _append(src / "sv" / "s001.md", "\nMer text.\n")
    again = build([src], out, formats=["json"], jobs=1)
    assert (again.corpus.parsed, again.corpus.cached) == (1, 99)
    assert whole.stat().st_mtime_ns == written  # one edit: only the small file is written
    assert len(list(cache.glob("parse-v*.delta.kgc"))) == 1
    for i in range(2, 12):  # a tenth of the articles edited: the whole file is written again
        _append(src / "sv" / f"s{i:03d}.md", "\nÄnnu mer.\n")
    third = build([src], out, formats=["json"], jobs=1)
    assert (third.corpus.parsed, third.corpus.cached) == (10, 90)
    assert whole.stat().st_mtime_ns != written
    assert not list(cache.glob("parse-v*.delta.kgc"))
    fourth = build([src], out, formats=["json"], jobs=1, base_iri="https://x.org/kg/")
    assert (fourth.corpus.parsed, fourth.corpus.cached) == (0, 100)


def test_rebuilds_of_the_real_sample_after_edits_equal_cold_builds(tmp_path, real_corpus):
    src = tmp_path / "wiki"
    shutil.copytree(real_corpus, src, ignore=shutil.ignore_patterns("*.tsv", "*.txt"))
    out = tmp_path / "out"
    build([src], out, jobs=2)
    files = sorted(src.rglob("*.md"))
    _append(files[0], "\nSe även [hyresavtal](/lease) och [ny sida](/ny-sida).\n")
    text = files[1].read_text(encoding="utf-8")
    files[1].write_text(text.replace("title:", "title: Ny", 1), encoding="utf-8")
    files[2].unlink()
    again = build([src], out, jobs=2)
    assert again.corpus.parsed == 2
    cold = build([src], tmp_path / "cold", jobs=1, cache=False)
    assert files_of(out) == files_of(cold.out)
    assert again.report == cold.report


def test_signatures_with_inputs_leave_out_sentences_but_see_everything_else():
    G = nx.DiGraph()
    G.add_edge("a", "b", kind="link", weight=1, anchors=["B"], contexts=[{"sentence": "x"}])
    G.add_edge("c", "b", kind="link", weight=1, anchors=["B"], contexts=[{"sentence": "y"}])
    inputs = {"a": "key a1", "c": "key c1"}
    before = signatures(G, inputs)
    G.edges["a", "b"]["contexts"] = [{"sentence": "changed"}]
    assert signatures(G, inputs)["a"] == before["a"]  # the key stands for the sentences
    assert signatures(G)["a"] != signatures(G, inputs)["a"]
    assert signatures(G, {**inputs, "a": "key a2"})["a"] != before["a"]  # the file changed
    G.edges["a", "b"]["weight"] = 2
    assert signatures(G, inputs)["a"] != before["a"]
    assert signatures(G, inputs)["c"] == before["c"]
    whole = signatures(G, {"a": "key a1"})["c"]  # c not in inputs: its sentences digested
    G.edges["c", "b"]["contexts"].append({"sentence": "z"})
    assert signatures(G, {"a": "key a1"})["c"] != whole


def write_pieces(path, layout, unchanged=None, index=None):
    """One file written by the incremental writer; the index of its pieces."""
    return write_together([path], [layout], unchanged, [index])[0]
