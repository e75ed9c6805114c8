"""Every error unlinkable raises on purpose.

::

    UnlinkableError                 anything the user can fix; the CLI prints it and exits 2
    ├── InputError                  a data file, column, row or value is wrong
    │   └── HierarchyError          a hierarchy is ragged, incomplete or not a coarsening
    ├── ConfigError                 a job file, option or parameter is wrong
    ├── NoSolutionError             no transformation satisfies the models within the limits
    ├── VerificationError           the independent re-check of an output failed; nothing was written
    └── InternalError               a bug in unlinkable ("This is probably a bug!")

Messages name the file, column, row and value where they apply, never a raw identifying value
beyond what the user already pointed at, and end with a hint.
"""

from __future__ import annotations


class UnlinkableError(Exception):
    """Base class: an error the user can act on."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
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


class NoSolutionError(UnlinkableError):
    """No transformation satisfies the privacy models within the suppression limit."""

    def __init__(self, message: str, *, hint: str | None = None, candidates: list | None = None) -> None:
        self.candidates = list(candidates or [])
        super().__init__(message, hint=hint)


class VerificationError(UnlinkableError):
    """The independent verifier found that a claimed privacy model does not hold."""


class InternalError(UnlinkableError):
    """An internal inconsistency: this is probably a bug in unlinkable."""

    def __init__(self, message: str) -> None:
        super().__init__(f"{message}. This is probably a bug! Please report it.")


__all__ = [
    "UnlinkableError",
    "InputError",
    "HierarchyError",
    "ConfigError",
    "NoSolutionError",
    "VerificationError",
    "InternalError",
]
