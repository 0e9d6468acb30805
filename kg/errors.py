"""The exception the command line turns into a clean message (no traceback)."""

from __future__ import annotations


class KgError(Exception):
    """A failure the user can act on: bad input, a missing build, a refused connection.

    The command line prints ``kg: error: <message>`` and exits with ``exit_code``.
    """

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
