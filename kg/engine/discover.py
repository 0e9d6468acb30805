"""Source folders → the markdown files to read, with their slug and language.

A source folder is either flat (``*.md``, language from ``lang``) or holds one folder
per language, named by its code or by its English name (:mod:`kg.languages`). Hidden
files and folders, folders named like articles and folder links that loop back are
reported, not read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
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
    for source in sources:
        root = os.fspath(source)
        if os.path.isfile(root):
            name = os.path.basename(root)
            files.append(SourceFile(root, name, _slug(name), flat_lang))
            continue
        if not os.path.isdir(root):
            raise BadInput(f"{source}: no such folder (give a folder of markdown articles)")
        for folder, code in _language_folders(root, flat_lang, tags):
            listed = _markdown_files(folder, root, problems, top_only=folder == root)
            if folder != root and langs and not lang_matches(code, langs):
                skipped[code] = skipped.get(code, 0) + sum(1 for _ in listed)
                continue
            files.extend(SourceFile(path, rel, _slug(rel), code) for path, rel in listed)
    return files, problems, skipped


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


def _markdown_files(
    folder: str, root: str, problems: list[Problem], top_only: bool = False
) -> Iterable[tuple[str, str]]:
    """``(path, path relative to root)`` of the markdown files (``*.md``, any case) below
    ``folder``, sorted; the relative path with ``/`` whatever the system.

    Hidden files (``.x.md``), folders named like articles (``x.md/``) and folder links that
    loop back are reported in ``problems``; hidden folders (``.git``) are not searched.
    With ``top_only`` (the root of a language-folder layout) language folders are left to
    their own call; other sub-folders are searched. Plain strings, not ``pathlib``: on the
    whole wiki's 420,000 files pathlib's joins and ``relative_to`` took 8 s.
    """
    seen: set[tuple[int, int]] = set()
    skip = len(root)

    def relative(path: str) -> str:
        rel = path[skip:].lstrip(os.sep)
        return rel.replace(os.sep, "/") if os.sep != "/" else rel

    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        stat = os.stat(dirpath)
        if (stat.st_dev, stat.st_ino) in seen:
            problems.append(
                Problem(relative(dirpath), 0, "a folder link that loops back; not read again")
            )
            dirnames[:] = []
            continue
        seen.add((stat.st_dev, stat.st_ino))
        top = top_only and dirpath == folder
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and not (top and language_code(d))
        )
        prefix = dirpath if dirpath.endswith(os.sep) else dirpath + os.sep
        for name in sorted(filenames):
            if name.lower().endswith(".md"):
                path = prefix + name
                if name.startswith("."):
                    problems.append(Problem(relative(path), 0, "a hidden file; not read"))
                else:
                    yield path, relative(path)
        for name in dirnames:
            if name.lower().endswith(".md"):
                rel = relative(os.path.join(dirpath, name))
                problems.append(Problem(rel, 0, "a folder named like an article; not read as one"))
