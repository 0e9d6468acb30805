"""`python -m kg build` as a user runs it: exit codes, messages, never a traceback."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg import BadInput
from kg import build as kg_build
from tests.corpora import MALFORMED_COLON, article, make_bad_folder, run_cli, write_articles

REPO = Path(__file__).resolve().parents[2]
CORE = "graphml,gexf,json,csv,report"


def kg(*args: str, cwd: Path, hash_seed: str | None = None) -> subprocess.CompletedProcess:
    """``kg ARGS`` in this process; in a new one when the hash seed must differ."""
    if hash_seed is None:
        return run_cli(*args, cwd=cwd)
    env = dict(os.environ)
    if hash_seed is not None:
        env["PYTHONHASHSEED"] = hash_seed
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("KG_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "kg", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stdout, proc.stdout


@pytest.fixture
def good(tmp_path) -> Path:
    return write_articles(
        tmp_path / "good",
        {
            "sv/a.md": article("A", "Se [b](/b)."),
            "sv/b.md": article("B", "Se [a](/a)."),
        },
    )


def test_build_ok_exits_0_and_writes_the_files(good, tmp_path):
    proc = kg("build", str(good), "--out", str(tmp_path / "out"), "--formats", CORE, cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    for name in (
        "graph.graphml",
        "graph.gexf",
        "graph.json",
        "nodes.csv",
        "edges.csv",
        "report.json",
        "report.md",
    ):
        assert (tmp_path / "out" / name).is_file(), name
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["articles"] == 2 and report["links"] == 2
    assert "articles" in proc.stdout  # the summary table


def test_defaults_are_articles_and_exports(good, tmp_path):
    good.rename(tmp_path / "articles")
    proc = kg("build", "--formats", "json", "--quiet", cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "exports" / "graph.json").is_file()
    assert proc.stdout == ""


def test_bad_input_exits_1_names_files_and_never_shows_a_traceback(tmp_path):
    src = make_bad_folder(tmp_path / "bad")
    proc = kg("build", str(src), "--out", str(tmp_path / "out"), "--formats", CORE, cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 1
    assert "kg: error: sv/binary.md: binary file" in proc.stderr
    assert "kg: error: sv/broken.md: cannot read" in proc.stderr
    assert "duplicate" in proc.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert {p["path"] for p in report["errors"]} >= {"sv/binary.md", "sv/broken.md"}
    # the build carried on: the good articles are in the graph
    graph = json.loads((tmp_path / "out" / "graph.json").read_text())
    assert {"lease", "capital", "hnwi"} <= {n["id"] for n in graph["nodes"]}


def test_warnings_only_exit_0_and_1_with_strict(tmp_path):
    src = write_articles(
        tmp_path / "src", {"sv/capital.md": MALFORMED_COLON, "sv/lease.md": article("L", "x")}
    )
    proc = kg("build", str(src), "--out", str(tmp_path / "out"), "--formats", CORE, cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    strict = kg(
        "build",
        str(src),
        "--out",
        str(tmp_path / "out2"),
        "--formats",
        CORE,
        "--strict",
        cwd=tmp_path,
    )
    no_traceback(strict)
    assert strict.returncode == 1
    assert "sv/capital.md:4" in strict.stderr


def test_strict_without_warnings_exits_0(good, tmp_path):
    proc = kg(
        "build",
        str(good),
        "--out",
        str(tmp_path / "out"),
        "--formats",
        "json",
        "--strict",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--jobs", "0"],
        ["--jobs", "-1"],
        ["--jobs", "many"],
        ["--formats", "json,pdf"],
        ["--formats", ""],
        ["--no-such-option"],
    ],
)
def test_usage_errors_exit_2(good, tmp_path, args):
    proc = kg("build", str(good), "--out", str(tmp_path / "out"), *args, cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 2
    assert "usage:" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_missing_source_is_a_clean_error(tmp_path):
    proc = kg(
        "build",
        str(tmp_path / "nowhere"),
        "--out",
        str(tmp_path / "out"),
        "--formats",
        "json",
        cwd=tmp_path,
    )
    no_traceback(proc)
    assert proc.returncode == 1
    assert proc.stderr.startswith("kg: error:")
    assert "nowhere" in proc.stderr


def test_flat_folder_with_lang(tmp_path):
    src = write_articles(tmp_path / "flat", {"a.md": article("A", "[b](/b)")})
    proc = kg(
        "build",
        str(src),
        "--out",
        str(tmp_path / "out"),
        "--lang",
        "fi",
        "--formats",
        "json",
        "-q",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    graph = json.loads((tmp_path / "out" / "graph.json").read_text())
    assert graph["graph"]["languages"] == ["fi"]


def test_lang_filter_and_site_url(tmp_path):
    src = write_articles(
        tmp_path / "wiki",
        {
            "Swedish/a.md": article("A", "[b](https://www.investors.wiki/sv/b/) [c](/c)"),
            "English/a.md": article("A en", "[d](/d)"),
        },
    )
    proc = kg(
        "build",
        str(src),
        "--out",
        str(tmp_path / "out"),
        "--lang",
        "sv",
        "--site-url",
        "https://investors.wiki",
        "--formats",
        "json",
        "-q",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    graph = json.loads((tmp_path / "out" / "graph.json").read_text())
    edges = {(e["source"], e["target"]) for e in graph["edges"] if e["kind"] == "link"}
    assert edges == {("a", "b"), ("a", "c")}
    assert graph["graph"]["site_url"] == "https://investors.wiki"


def test_jobs_and_hash_seed_do_not_change_the_output(small_wiki, tmp_path):
    for jobs, seed in (("1", "1"), ("2", "12345")):
        proc = kg(
            "build",
            str(small_wiki),
            "--out",
            str(tmp_path / jobs),
            "--jobs",
            jobs,
            "--no-cache",
            "--formats",
            CORE,
            "-q",
            cwd=tmp_path,
            hash_seed=seed,
        )
        assert proc.returncode == 0, proc.stderr
    for name in ("graph.json", "graph.graphml", "nodes.csv", "edges.csv", "report.json"):
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes()


def test_no_cache_writes_no_cache_folder(good, tmp_path):
    proc = kg(
        "build",
        str(good),
        "--out",
        str(tmp_path / "out"),
        "--no-cache",
        "--formats",
        "json",
        "-q",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "out" / ".cache").exists()


def test_help_has_a_worked_example(tmp_path):
    proc = kg("build", "--help", cwd=tmp_path)
    assert proc.returncode == 0
    assert "kg build" in proc.stdout and "--site-url" in proc.stdout
    assert "example" in proc.stdout.lower()


def test_all_formats_build_has_no_traceback(good, tmp_path):
    """The default (every format) builds without a traceback."""
    proc = kg("build", str(good), "--out", str(tmp_path / "out"), cwd=tmp_path)
    no_traceback(proc)
    if all(importlib.util.find_spec(m) for m in ("kg.formats.rdf", "kg.viz", "kg.store.query")):
        assert proc.returncode == 0, proc.stderr
        for name in ("graph.ttl", "graph.nt", "graph.jsonld", "graph.html"):
            assert (tmp_path / "out" / name).is_file(), name
    else:
        assert proc.returncode == 1
        assert proc.stderr.startswith("kg: ")


def test_build_command_lists_the_same_formats_as_the_exporters():
    from kg.cli import build as command
    from kg.formats import FORMATS

    assert command.FORMATS == FORMATS


def test_a_folder_without_articles_is_a_failed_input(tmp_path):
    (tmp_path / "empty").mkdir()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg",
            "build",
            str(tmp_path / "empty"),
            "--out",
            str(tmp_path / "out"),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert "no markdown articles" in run.stderr and "Traceback" not in run.stderr
    assert f"{tmp_path / 'empty'}: no markdown articles" in run.stderr  # no ":0:"
    assert not (tmp_path / "out").exists()  # nothing built, nothing written


def test_no_article_in_the_chosen_languages_writes_nothing(tmp_path):
    (tmp_path / "src" / "Swedish").mkdir(parents=True)
    (tmp_path / "src" / "Swedish" / "lease.md").write_text("# hyresavtal\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("kept")
    with pytest.raises(BadInput, match="no article in the chosen languages"):
        kg_build([tmp_path / "src"], out, lang="fi")
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["mine.txt"]
