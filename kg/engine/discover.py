"""Source folders → the markdown files to read, with their slug and language.

A source folder is either flat (``*.md``, language from ``lang``) or holds one folder
per language, named by its code or by its English name (:mod:`kg.languages`). Hidden
files and folders, folders named like articles and folder links that loop back are
reported, not read. Links (to a file or a folder) that lead out of the source folder
are reported and not followed, unless ``follow_links``. A name that is not UTF-8 is
shown (and its slug made) with ``\\x`` escapes. The folders of ``exclude`` (a build's
output folder inside the source) are left out.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from kg.errors import BadInput
from kg.languages import DEFAULT_LANG, check_lang_tags, lang_matches, language_code
from kg.records import Problem


@dataclass(slots=True)
class SourceFile:
    """One markdown file to read: where it is, how reports name it, its slug and language."""

    path: str
    rel: str
    slug: str
    lang: str


def discover(
    sources: Sequence[str | os.PathLike],
    lang: Sequence[str] | str | None = None,
    lang_tags: Mapping[str, str] | Sequence[str] | None = None,
    *,
    follow_links: bool = False,
    exclude: Iterable[str | os.PathLike] = (),
) -> tuple[list[SourceFile], list[Problem], dict[str, int]]:
    """List the markdown files of the sources with slug and language.

    Returns ``(files, problems, skipped)``: problems for missing sources and folders named
    like articles; ``skipped`` counts files left out by the language filter, per language.
    A missing source raises :class:`~kg.errors.BadInput`. ``lang_tags`` retags language
    folders (:func:`kg.languages.language_code`); ``lang`` keeps ``zh-Hans`` for ``zh``.

    Examples
    --------
    >>> files, problems, skipped = discover(["articles"])
    >>> [(f.rel, f.slug, f.lang) for f in files]
    [('sv/backoffice.md', 'backoffice', 'sv')]
    """
    langs = [lang] if isinstance(lang, str) else list(lang or [])
    langs = [code for item in langs for code in item.split(",") if code]
    tags = check_lang_tags(lang_tags)
    flat_lang = langs[0] if langs else DEFAULT_LANG
    files: list[SourceFile] = []
    problems: list[Problem] = []
    skipped: dict[str, int] = {}
    left_out = _identities(exclude)
    for source in sources:
        root = os.fspath(source)
        if os.path.isfile(root):
            name = os.path.basename(root)
            shown = shown_name(name, problems)
            files.append(SourceFile(root, shown, _slug(shown), flat_lang))
            continue
        if not os.path.isdir(root):
            raise BadInput(
                f"{shown_name(str(source))}: no such folder (give a folder of markdown articles)"
            )
        walk = _Walk(root, problems, follow_links, left_out)
        for folder, code in _language_folders(root, flat_lang, tags):
            listed = walk.markdown_files(folder, top_only=folder == root)
            if folder != root and langs and not lang_matches(code, langs):
                skipped[code] = skipped.get(code, 0) + sum(1 for _ in listed)
                continue
            files.extend(SourceFile(path, rel, _slug(rel), code) for path, rel in listed)
    return files, problems, skipped


def shown_name(name: str, problems: list[Problem] | None = None) -> str:
    """``name`` as reports show it: a name that is not UTF-8 (undecodable bytes, which
    Python keeps as surrogates) with ``\\x`` escapes, and a warning added to ``problems``.

    Examples
    --------
    >>> import os
    >>> shown_name(os.fsdecode(b"bad\\xff\\xfe.md"))
    'bad\\\\xff\\\\xfe.md'
    """
    if name.isascii():
        return name
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(name).decode("utf-8", "backslashreplace")
        if problems is not None:
            problems.append(
                Problem(shown, 0, "the file name is not UTF-8; read, named with \\x escapes")
            )
        return shown
    return name


def _identities(folders: Iterable[str | os.PathLike]) -> set[tuple[int, int]]:
    found = set()
    for folder in folders:
        try:
            st = os.stat(folder)
        except OSError:
            continue
        found.add((st.st_dev, st.st_ino))
    return found


def _slug(rel: str) -> str:
    name = rel.rpartition("/")[2]
    return name[:-3] if name.lower().endswith(".md") else os.path.splitext(name)[0]


def _language_folders(
    root: str, flat_lang: str, lang_tags: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """``(folder, language)``: the root (its own files, in ``flat_lang``), then language folders."""
    found = [(root, flat_lang)]
    for name in sorted(os.listdir(root)):
        child = os.path.join(root, name)
        code = language_code(name, lang_tags) if os.path.isdir(child) else None
        if code:
            found.append((child, code))
    return found


class _Walk:
    """The walk of one source folder: what it reports, where it may go, what it has seen."""

    def __init__(
        self,
        root: str,
        problems: list[Problem],
        follow_links: bool,
        left_out: set[tuple[int, int]],
    ) -> None:
        self.root = root
        self.real = os.path.realpath(root)
        self.problems = problems
        self.follow_links = follow_links
        self.left_out = left_out

    def relative(self, path: str) -> str:
        rel = path[len(self.root) :].lstrip(os.sep)
        rel = rel.replace(os.sep, "/") if os.sep != "/" else rel
        return shown_name(rel, self.problems)

    def leaves(self, path: str) -> str | None:
        """Where the link ``path`` leads when that is out of the source folder (else None)."""
        if self.follow_links:
            return None
        target = os.path.realpath(path)
        if target == self.real or target.startswith(self.real.rstrip(os.sep) + os.sep):
            return None
        return target

    def markdown_files(self, folder: str, top_only: bool = False) -> Iterator[tuple[str, str]]:
        """``(path, path relative to root)`` of the markdown files (``*.md``, any case) below
        ``folder``, sorted, depth first; the relative path with ``/`` whatever the system.

        Hidden files (``.x.md``), folders named like articles (``x.md/``), folder links that
        loop back and links that lead out of the source folder are reported; hidden folders
        (``.git``) are not searched. With ``top_only`` (the root of a language-folder layout)
        language folders are left to their own call; other sub-folders are searched. Plain
        strings and ``os.scandir``, not ``pathlib``: on the whole wiki's 420,000 files
        pathlib's joins and ``relative_to`` took 8 s.
        """
        seen: set[tuple[int, int]] = set()
        problems = self.problems
        stack = [folder]
        while stack:
            dirpath = stack.pop()
            try:
                stat = os.stat(dirpath)
                with os.scandir(dirpath) as listing:
                    entries = sorted(listing, key=_name)
            except OSError:
                continue  # as os.walk: a folder that cannot be listed holds nothing
            if (stat.st_dev, stat.st_ino) in self.left_out:
                continue
            if (stat.st_dev, stat.st_ino) in seen:
                problems.append(
                    Problem(
                        self.relative(dirpath), 0, "a folder link that loops back; not read again"
                    )
                )
                continue
            seen.add((stat.st_dev, stat.st_ino))
            top = top_only and dirpath == folder
            prefix = dirpath if dirpath.endswith(os.sep) else dirpath + os.sep
            folders = []
            for entry in entries:
                name = entry.name
                if _is_dir(entry):
                    if not name.startswith(".") and not (top and language_code(name)):
                        folders.append(entry)
                    continue
                if not name.lower().endswith(".md"):
                    continue
                path = prefix + name
                if name.startswith("."):
                    problems.append(Problem(self.relative(path), 0, "a hidden file; not read"))
                elif entry.is_symlink() and (target := self.leaves(path)) is not None:
                    problems.append(Problem(self.relative(path), 0, _outside(target)))
                else:
                    yield path, self.relative(path)
            down = []
            for entry in folders:
                path = prefix + entry.name
                if entry.is_symlink() and (target := self.leaves(path)) is not None:
                    problems.append(Problem(self.relative(path), 0, _outside(target)))
                    continue
                if entry.name.lower().endswith(".md"):
                    rel = self.relative(path)
                    problems.append(
                        Problem(rel, 0, "a folder named like an article; not read as one")
                    )
                down.append(path)
            stack.extend(reversed(down))


def _outside(target: str) -> str:
    return (
        f"a link out of the source folder (to {shown_name(target)}); "
        "not followed (follow_links follows it)"
    )


def _name(entry: os.DirEntry) -> str:
    return entry.name


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False
