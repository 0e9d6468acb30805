"""The README's promises: a two-command Quickstart, SPARQL examples whose output is real, and
every `kg …` command line it shows runs as it says."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from tests.corpora import article, run_cli, write_articles

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```sparql\n(.*?)\n```\n\n```text\n(.*?)\n```", README, re.DOTALL)
COMMANDS = [
    line.strip()
    for block in re.findall(r"```bash\n(.*?)\n```", README, re.DOTALL)
    for line in block.splitlines()
    if re.match(r"^(KG_\w+=\S+ )*kg ", line.strip())
]
SHOWN = re.findall(r"```text\n\$ (kg .*?)\n(.*?)\n```", README, re.DOTALL)

# README commands that need what a test cannot hold here, with where they are tested instead
ELSEWHERE = {
    "kg serve": "a server that runs until stopped: tests/store/test_server.py serves a build",
    "kg push": "a SPARQL store to push to: tests/store/test_server.py pushes to oxigraph",
}
# README commands that exit 1 on the project's articles, as the README says they may
EXIT_1 = {"kg check --fail-on dangling-link orphan": "articles/ has dangling links"}


def test_quickstart_is_two_commands_install_and_build_then_test():
    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)\n```", section, re.DOTALL).group(1)
    commands = [line for line in block.splitlines() if line.strip()]
    assert len(commands) == 2
    assert "pip install" in commands[0] and "kg build" in commands[0]
    assert "pip install" in commands[1] and "[test]" in commands[1] and "pytest" in commands[1]


def test_readme_has_a_dozen_sparql_examples():
    assert len(EXAMPLES) >= 12


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """A folder as a reader has it: the project's articles/ built into exports/, and the
    other folders and files the README's commands name (written here, not real text)."""
    root = tmp_path_factory.mktemp("readme")
    shutil.copytree(ROOT / "articles", root / "articles")
    done = run_cli("build", cwd=root)
    assert done.returncode == 0, done.stderr
    notes = {
        f"notes/n{i}.md": article(f"Anteckning {i}", f"Se [n{i + 1}](/n{i + 1}).") for i in (1, 2)
    }
    texts = {
        "Swedish/lease.md": article("hyresavtal", "Se [back office](/backoffice)."),
        "English/lease.md": article("lease", "See [back office](/backoffice)."),
        "Finnish/lease.md": article("vuokrasopimus", "Katso [back office](/backoffice)."),
    }
    write_articles(root, notes)
    write_articles(root / "Texts", texts)
    write_articles(root / "content" / "Texts", texts)
    for name in ("my.rq", "slow.rq"):
        (root / name).write_text("SELECT ?c WHERE { ?c a skos:Concept } ORDER BY ?c\n")
    return root


@pytest.fixture(autouse=True)
def columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("KG_DISPLAY_LANG", raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    "query,expected", EXAMPLES, ids=[f"q{i + 1}" for i in range(len(EXAMPLES))]
)
def test_sparql_example_prints_what_the_readme_shows(workspace, query, expected):
    done = run_cli("query", query, cwd=workspace)
    assert done.returncode == 0, done.stderr
    printed = "\n".join(
        line for line in done.stdout.rstrip().splitlines() if not line.startswith("@prefix")
    )
    assert printed == expected


def test_every_readme_command_is_run_or_tested_elsewhere():
    assert len(COMMANDS) >= 20
    for command in COMMANDS:
        assert command.split()[0].startswith(("kg", "KG_")), command


@pytest.mark.parametrize("line", COMMANDS)
def test_readme_command_runs(workspace, columns, line):
    words = shlex.split(line, comments=True)
    env = {}
    while "=" in words[0]:
        name, value = words.pop(0).split("=", 1)
        env[name] = value
    assert words[0] == "kg"
    args = words[1:]
    if ">" in args:  # kg query … > out.csv: what it prints goes to the file
        args = args[: args.index(">")]
    prefix = " ".join(words[:2])
    if prefix in ELSEWHERE:
        pytest.skip(ELSEWHERE[prefix])
    for name, value in env.items():
        columns.setenv(name, value)
    done = run_cli(*args, cwd=workspace)
    expected = 1 if line.split("#")[0].strip() in EXIT_1 else 0
    assert done.returncode == expected, f"{line}\n{done.stderr}"
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr


@pytest.mark.parametrize("command,expected", SHOWN, ids=[c for c, _ in SHOWN])
def test_readme_command_prints_what_it_shows(workspace, command, expected):
    done = run_cli(*shlex.split(command)[1:], cwd=workspace)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip() == expected


def test_readme_shows_the_display_language():
    assert "--display-lang" in README and "KG_DISPLAY_LANG" in README
    assert 'kg.show(G, "lease", lang="sv")' in README
    assert "--param slug=lease" in README and "--param concept=" not in README
