"""The evidence of a link: the sentences it stands in, with its anchor text marked.

A link's ``contexts`` give the sentence and section of each mention, but not which words
were the link (a sentence keeps the anchor's words as prose). The anchors of the link are
found again in the sentence, longest first, ignoring case, and marked.

Examples
--------
>>> mark("Se Front Office och back office.", ["front office", "office"])
[('Se ', False), ('Front Office', True), (' och back ', False), ('office', True), ('.', False)]
>>> mark("Nothing here.", ["lease"])
[('Nothing here.', False)]
"""

from __future__ import annotations

from collections.abc import Iterable


def mark(sentence: str, anchors: Iterable[str]) -> list[tuple[str, bool]]:
    """``sentence`` cut into ``(text, is_anchor)`` pieces, each anchor found marked once
    or more (no overlaps; a longer anchor wins)."""
    lowered = sentence.lower()
    if len(lowered) != len(sentence):  # a letter whose lower case is longer: no marks
        return [(sentence, False)]
    taken = [False] * len(sentence)
    spans: list[tuple[int, int]] = []
    for anchor in sorted({a.strip().lower() for a in anchors if a.strip()}, key=len, reverse=True):
        start = lowered.find(anchor)
        while start >= 0:
            end = start + len(anchor)
            if not any(taken[start:end]) and _whole(lowered, start, end):
                spans.append((start, end))
                taken[start:end] = [True] * (end - start)
            start = lowered.find(anchor, end)
    if not spans:
        return [(sentence, False)]
    spans.sort()
    pieces: list[tuple[str, bool]] = []
    at = 0
    for start, end in spans:
        if start > at:
            pieces.append((sentence[at:start], False))
        pieces.append((sentence[start:end], True))
        at = end
    if at < len(sentence):
        pieces.append((sentence[at:], False))
    return pieces


def _whole(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` does not begin or end inside a word."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() and text[start].isalnum()) and not (
        after.isalnum() and text[end - 1].isalnum()
    )
