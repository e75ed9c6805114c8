"""Every error unlinkable raises on purpose.

::

    UnlinkableError                 anything the user can fix; the CLI prints it and exits 2
    ├── InputError                  a data file, column, row or value is wrong
    │   └── HierarchyError          a hierarchy is ragged, incomplete or not a coarsening
    ├── ConfigError                 a job file, option or parameter is wrong
    ├── OutputError                 an output cannot be written there (an input, a folder, no
    │                               permission, missing folder); nothing was written
    ├── BackendError                the chosen backend cannot run here (no Java for Spark, a Spark
    │                               session that does not start)
    ├── NoSolutionError             no transformation satisfies the models within the limits
    ├── VerificationError           the independent re-check of an output failed; nothing was written
    └── InternalError               a bug in unlinkable ("This is probably a bug!")

Messages name the file, column, row and value where they apply, never a raw identifying value
beyond what the user already pointed at, and end with a hint. A value is quoted with
:func:`shown` (at most ``VALUE_LIMIT`` characters), and every message and hint is cut at
``MESSAGE_LIMIT`` characters, so no input, however large, can flood a terminal or a log.
"""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Iterable
from typing import Any

#: at most this many characters of one value appear in a message
VALUE_LIMIT = 200
#: a message, and its hint, are cut after this many characters
MESSAGE_LIMIT = 400

_REPR = reprlib.Repr()
_REPR.maxstring = VALUE_LIMIT
_REPR.maxother = VALUE_LIMIT
_REPR.maxlevel = 3
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 8


def shown(value: Any, limit: int = VALUE_LIMIT) -> str:
    """``repr(value)`` for a message: nested containers abridged, at most ``limit`` characters.

    The repr of a huge value is never built whole (``reprlib`` stops early).

    Examples
    --------
    >>> len(shown("x" * 10_000)) < 220
    True
    >>> shown(5)
    '5'
    """
    try:
        text = _REPR.repr(value)
    except Exception:  # noqa: BLE001 - a hostile __repr__ must not hide the real error
        text = f"<{type(value).__name__}>"
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit]) + f"…({len(value) + 2} chars)"
    return _cut(text, limit)


def did_you_mean(word: Any, options: Iterable[str]) -> str:
    """``" did you mean 'x'?"`` when ``word`` is close to one of ``options``, else ``""``.

    Examples
    --------
    >>> did_you_mean("supression_limit", ["suppression_limit", "metric"])
    " did you mean 'suppression_limit'?"
    """
    close = difflib.get_close_matches(str(word)[:VALUE_LIMIT], [str(o) for o in options], n=1, cutoff=0.6)
    return f" did you mean {close[0]!r}?" if close else ""


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"…({len(text) - limit} more chars)"


class UnlinkableError(Exception):
    """Base class: an error the user can act on."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = _cut(str(message), MESSAGE_LIMIT)
        self.hint = None if hint is None else _cut(str(hint), MESSAGE_LIMIT)
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n\nHint: {self.hint}"
        return self.message

    def one_line(self) -> str:
        """The message and hint on one line, as the CLI prints them."""
        return f"{self.message} (hint: {self.hint})" if self.hint else self.message


class InputError(UnlinkableError):
    """A data file, column, row or value is wrong."""


class HierarchyError(InputError):
    """A generalization hierarchy is ragged, incomplete, or not a coarsening."""


class ConfigError(UnlinkableError):
    """A job file, CLI option or parameter is wrong."""


class OutputError(UnlinkableError):
    """An output cannot be written where it was asked for; nothing was written."""


class BackendError(UnlinkableError):
    """The chosen backend cannot run here: pyspark or Java missing, a Spark session that fails."""


class NoSolutionError(UnlinkableError):
    """No transformation satisfies the privacy models within the suppression limit."""

    def __init__(self, message: str, *, hint: str | None = None, candidates: list[Any] | None = None) -> None:
        self.candidates = list(candidates or [])
        super().__init__(message, hint=hint)


class VerificationError(UnlinkableError):
    """The independent verifier found that a claimed privacy model does not hold."""


class InternalError(UnlinkableError):
    """An internal inconsistency: this is probably a bug in unlinkable."""

    def __init__(self, message: str) -> None:
        super().__init__(f"{_cut(str(message), MESSAGE_LIMIT - 50)}. This is probably a bug! Please report it.")


__all__ = [
    "UnlinkableError",
    "InputError",
    "HierarchyError",
    "ConfigError",
    "OutputError",
    "BackendError",
    "NoSolutionError",
    "VerificationError",
    "InternalError",
    "shown",
    "did_you_mean",
    "VALUE_LIMIT",
    "MESSAGE_LIMIT",
]
