"""Corpora the tests write themselves, and where the real sample is."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

REAL_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def write_articles(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: text}`` under ``root`` and return ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (its path relative to it) → its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def graph_of(files: dict[str, str]):
    """The graph of ``{"lang/slug.md": text}`` articles, parsed in memory (no files)."""
    from kg.articles import parse_article
    from kg.graph import build_graph

    articles = []
    for rel, text in sorted(files.items()):
        lang, name = rel.split("/")
        articles.append(parse_article(text, path=rel, slug=name.removesuffix(".md"), lang=lang))
    return build_graph(articles)


def article(title: str, body: str, keywords: str = "", description: str = "") -> str:
    """A markdown article with front matter."""
    lines = ["---"]
    if keywords:
        lines.append(f"keywords: {keywords}")
    lines.append(f"title: {title}")
    if description:
        lines.append(f"description: {description}")
    lines += ["---", "", f"# {title}", body, ""]
    return "\n".join(lines)


SMALL_WIKI = {
    "sv/backoffice.md": article(
        "back office",
        "## Vad är Back Office?\n\nTre delar: [front office](/frontoffice) och "
        "[middle office](/middleoffice). Kommersiella [hyresavtal](/lease) är billiga.\n\n"
        "##Höjdpunkter\n\n- Erfarna [CPA:er](/cpa) arbetar hemifrån.\n",
        keywords="Investing,Brokers,Stock Brokers",
        description="Backoffice är administrationen.",
    ),
    "sv/frontoffice.md": article(
        "front office",
        "Front office möter kunder, till skillnad från [back office](/backoffice).\n",
        keywords="Investing,Brokers",
        description="Front office är kundnära.",
    ),
    "sv/lease.md": article(
        "hyresavtal",
        "Ett avtal om att hyra. Se [front office](/frontoffice).\n",
        keywords="Real Estate",
    ),
    "en/backoffice.md": article(
        "back office",
        "A firm has a [front office](/frontoffice) and a [middle office](/middleoffice).\n",
        keywords="Investing,Brokers,Stock Brokers",
        description="The back office is administration.",
    ),
}


HOSTILE_IMG = "<img src=x onerror=window.__pwned=1>"
HOSTILE_SCRIPT = "</script><script>window.__pwned=2</script>"


def hostile_files() -> dict[str, str]:
    files = dict(SMALL_WIKI)
    files["en/evil.md"] = article(
        "evil",
        "Links to [back office](/backoffice) and [x](/evil2).\n",
        keywords="Investing",
        description="desc \u2028 line & <b>bold</b>",
    ).replace("title: evil", f"title: '{HOSTILE_IMG}'")
    files["en/evil2.md"] = article(
        "evil2",
        "Back to [the <i>evil</i> one](/evil).\n",
        keywords="<b>kw</b>",
    ).replace("title: evil2", f"title: '{HOSTILE_SCRIPT}'")
    return files


MALFORMED_COLON = (
    "---\nkeywords: Economy,Capital\ntitle: Huvudstad\n"
    "description: Fyra typer: skulder och arbete.\n---\n\n# Kapital\n\nSe [lease](/lease).\n"
)
MALFORMED_AMP = (
    "---\nkeywords: Personal Finance,Wealth\ntitle: HNWI\n"
    "description: &amp;quot;Rik&amp;quot; person.\n---\n\n# HNWI\n\nSe [capital](/capital).\n"
)
UNCLOSED = "---\nkeywords: Investing\n\n# Öppen rubrik\n\nSe [lease](/lease).\n"


def make_bad_folder(root: Path) -> Path:
    """A folder holding every kind of bad input next to good articles."""
    write_articles(
        root,
        {
            "sv/lease.md": article("hyresavtal", "Se [capital](/capital)."),
            "sv/capital.md": MALFORMED_COLON,
            "sv/hnwi.md": MALFORMED_AMP,
            "sv/open.md": UNCLOSED,
            "sv/empty.md": "",
            "sv/dup.md": article("dup sv", "x"),
            "Swedish/dup.md": article("dup Swedish", "x"),
        },
    )
    (root / "sv" / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (root / "sv" / "latin.md").write_bytes(
        "---\ntitle: Caf\xe9\n---\n\nEn [hyresavtal](/lease) p\xe5 rad fem.\n".encode("latin-1")
    )
    (root / "sv" / "folder.md").mkdir()
    (root / "sv" / "folder.md" / "inner.txt").write_text("not an article")
    (root / "sv" / "broken.md").symlink_to(root / "does-not-exist.md")
    return root


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``kg ARGS`` in this process (``kg.cli.main``), as a finished process would look:
    its exit code and what it printed. Usage errors of argparse exit 2 as they do."""
    import contextlib

    from kg.cli import main

    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    err = io.StringIO()
    with contextlib.ExitStack() as stack:
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(err))
        if cwd is not None:
            stack.enter_context(contextlib.chdir(cwd))
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse: --help, usage errors
            code = exc.code if isinstance(exc.code, int) else 1
    out.flush()
    text = out.buffer.getvalue().decode("utf-8")  # type: ignore[attr-defined]
    return subprocess.CompletedProcess(["kg", *args], code, text, err.getvalue())
