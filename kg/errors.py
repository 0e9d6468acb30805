"""What kg raises when the user can act on it: a small hierarchy under :class:`KgError`.

The library's messages speak of its own parameters (``top``, ``base_iri``), never of
command-line flags; the command line (:mod:`kg.cli`) turns each class into a message and
an exit code (:class:`InvalidArgument` is a usage error, the others a failed input).

Examples
--------
>>> try:
...     raise ConceptNotFound("leas", ["lease"])
... except KgError as exc:
...     print(exc)
no concept 'leas'; did you mean: lease?
"""

from __future__ import annotations

from collections.abc import Sequence


class KgError(Exception):
    """A failure the user can act on: bad input, a missing build, a refused query."""


class BadInput(KgError):
    """Input kg cannot use: a source folder that is not there, a language tag RDF refuses."""


class InvalidArgument(KgError, ValueError):
    """An argument out of range or unknown; ``param`` names the parameter, and the message
    starts with it.

    Examples
    --------
    >>> str(InvalidArgument("top", "must be 0 or more, not -1"))
    'top must be 0 or more, not -1'
    >>> InvalidArgument("params", "query 'x' needs slug=…", prefix=False).param
    'params'
    """

    def __init__(self, param: str, problem: str, *, prefix: bool = True) -> None:
        super().__init__(f"{param} {problem}" if prefix else problem)
        self.param = param
        self.problem = problem


class ConceptNotFound(KgError):
    """No concept has this slug, title or anchor text; ``candidates`` are close matches."""

    def __init__(self, text: str, candidates: Sequence[str] = ()) -> None:
        hint = f"; did you mean: {', '.join(candidates)}?" if candidates else ""
        super().__init__(f"no concept {text!r}{hint or ' (no close match either)'}")
        self.text = text
        self.candidates = list(candidates)


class AmbiguousConcept(KgError):
    """Several concepts carry this title or anchor text; ``matches`` names them."""

    def __init__(self, text: str, matches: Sequence[str], shown: str) -> None:
        super().__init__(f"{text!r} names {len(matches)} concepts: {shown}; give a slug")
        self.text = text
        self.matches = list(matches)


class BuildNotFound(KgError):
    """``folder`` holds no build of kg (``missing`` is the file looked for)."""

    def __init__(self, folder: str, missing: str, detail: str = "") -> None:
        super().__init__(f"{folder}: no kg build here (no {missing}){detail}")
        self.folder = folder
        self.missing = missing


class InvalidQuery(KgError):
    """A SPARQL query that does not parse, or that the engine refused to run."""


class QueryRefused(InvalidQuery):
    """A query kg will not run: too large, too deeply nested, naming a remote service or an
    undeclared prefix; ``setting`` names the limit that refused it (``max_query_bytes``,
    ``max_depth``, ``allow_service``; None for a prefix)."""

    def __init__(self, message: str, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting


class QueryTimeout(KgError):
    """A query stopped because it ran past its time limit (nothing of it runs on)."""


class WriteFailed(KgError):
    """An export could not be written (disk full, read-only folder); the old one is kept."""


class BuildLocked(KgError):
    """Another build is writing the same output folder."""
