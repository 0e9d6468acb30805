"""The benchmark corpus generator: deterministic, the requested size, and parsed as written."""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from pathlib import Path

import pytest

from kg.articles import parse_article

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"kg_bench_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


gen = _load("generate_corpus")
floor_mod = _load("floor")


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.md")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    a = gen.generate(tmp_path / "a", 40, langs=("en", "sv"), seed=3)
    b = gen.generate(tmp_path / "b", 40, langs=("en", "sv"), seed=3)
    c = gen.generate(tmp_path / "c", 40, langs=("en", "sv"), seed=4)
    assert _digest(a) == _digest(b)
    assert _digest(a) != _digest(c)


def test_files_per_language_and_same_slugs(tmp_path: Path) -> None:
    root = gen.generate(tmp_path / "wiki", 60, langs=("en", "sv", "fi"), seed=0)
    slugs = {
        lang: sorted(p.name for p in (root / lang).glob("*.md")) for lang in ("en", "sv", "fi")
    }
    assert [len(s) for s in slugs.values()] == [60, 60, 60]
    assert slugs["en"] == slugs["sv"] == slugs["fi"]
    # the words differ by language even though the structure is shared
    name = slugs["en"][0]
    assert (root / "en" / name).read_text("utf-8") != (root / "sv" / name).read_text("utf-8")


def test_missing_translations_only_after_first_language(tmp_path: Path) -> None:
    root = gen.generate(tmp_path / "wiki", 200, langs=("en", "de"), seed=0, missing=0.1)
    en = {p.name for p in (root / "en").glob("*.md")}
    de = {p.name for p in (root / "de").glob("*.md")}
    assert len(en) == 200
    assert de < en and 150 < len(de) < 200


def test_refuses_to_write_over_a_corpus(tmp_path: Path) -> None:
    gen.generate(tmp_path / "wiki", 5)
    with pytest.raises(FileExistsError):
        gen.generate(tmp_path / "wiki", 5)
    gen.generate(tmp_path / "wiki", 7, overwrite=True)
    assert len(list((tmp_path / "wiki" / "en").glob("*.md"))) == 7


def test_articles_look_like_the_wiki(tmp_path: Path) -> None:
    root = gen.generate(tmp_path / "wiki", 300, langs=("en",), seed=0)
    texts = [p.read_text("utf-8") for p in (root / "en").glob("*.md")]
    sizes = [len(t.encode()) for t in texts]
    assert 4000 < sum(sizes) / len(sizes) < 8500
    assert all(t.startswith("---\nkeywords: ") and "\ntitle: " in t for t in texts)
    joined = "\n".join(texts)
    assert re.search(r"^##\S", joined, re.M)  # headings without the space
    assert re.search(r"\[[^\]]+\]\((/[^)]+)\) \[[^\]]+\]\(\1\)", joined)  # split links
    assert re.search(r"\[[.,;:-]\]\(/", joined)  # punctuation-only anchors
    assert "```" in joined and "](https://" in joined or "](http://" in joined
    links = sum(len(floor_mod.LINK.findall(t)) for t in texts)
    assert 6 < links / len(texts) < 12


def test_kg_finds_the_links_written(tmp_path: Path) -> None:
    """Every written mention is found: a split link is one, fenced code holds none."""
    dangling = 0
    with_code = 0
    for w, text in gen.iter_articles(tmp_path, 150, langs=("en", "fi"), seed=2):
        article = parse_article(text, path=str(w.path), slug=w.slug, lang=w.lang)
        found = sorted(link.target for link in article.links)
        dangling += w.dangling
        with_code += "```" in text
        assert article.title
        assert found == sorted(w.targets), f"{w.path}: kg found {len(found)} of {w.links} links"
    assert dangling > 0
    assert with_code > 0


def test_floor_counts_every_file(tmp_path: Path) -> None:
    root = gen.generate(tmp_path / "wiki", 30, langs=("en", "sv"), seed=0)
    seconds, files, links = floor_mod.floor_once(root)
    assert files == 60
    assert links > 60 * 4
    assert floor_mod.floor(root, repeat=1) >= 0.0
