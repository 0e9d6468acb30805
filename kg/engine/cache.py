"""The files of a build's cache (``OUT/.cache``): dicts pickled and read back.

A cache file is only ever a speed-up, so reading one never fails: a missing, truncated
or foreign file reads as an empty dict, and the build does the work again. Writing goes
through a temporary file and a rename, so a reader never sees half a file.

A file may hold several pickles one after the other (frames), each a dict or a list of
``(key, value)`` pairs: the parse cache of a cold build is written that way, frame by
frame, from the bytes the parse workers send (nothing is pickled twice).
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kg.atomic import atomic_file


def load_dict(path: str | os.PathLike) -> dict[Any, Any]:
    """The dict pickled in ``path``; ``{}`` when there is none or it cannot be read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.pickle"
    >>> load_dict(path)
    {}
    >>> save_dict(path, {"a": 1}); load_dict(path)
    {'a': 1}
    """
    data: dict[Any, Any] = {}
    try:
        with open(path, "rb") as handle:
            while True:
                try:
                    frame = pickle.load(handle)
                except EOFError:
                    break
                if not isinstance(frame, (dict, list)):
                    return {}
                data.update(frame)
    except (OSError, pickle.UnpicklingError, AttributeError, TypeError, ValueError):
        return {}
    return data


def remove_others(folder: str | os.PathLike, pattern: str, keep: Iterable[str]) -> None:
    """Remove the files of ``folder`` that match ``pattern`` but are not named in ``keep``:
    the caches an older kg wrote under other names."""
    kept = set(keep)
    for old in Path(folder).glob(pattern):
        if old.name not in kept:
            old.unlink(missing_ok=True)


def save_dict(path: str | os.PathLike, data: dict[Any, Any]) -> None:
    """Pickle ``data`` into ``path`` (streamed, atomically)."""
    with atomic_file(path) as handle:
        pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
