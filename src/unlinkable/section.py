"""The base of a section parsed into a frozen spec, shared by the Python API and the job file.

A section's worded checks run in a ``model_validator(mode="before")`` of its subclass (the
constraints vocabulary, the job file's key path in each message); :meth:`Section.parse` is the one
way in, so a mistake is always the error tree's :class:`~unlinkable.errors.ConfigError`.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from unlinkable.errors import InternalError

__all__ = ["Section"]


class Section(BaseModel):
    """A section: frozen, unknown keys refused, parsed by :meth:`parse`.

    Examples
    --------
    >>> class Limits(Section):
    ...     name: ClassVar[str] = "limits"
    ...     steps: int = 1
    >>> Limits.parse({"steps": 3}).steps, Limits.parse(Limits()).steps
    (3, 1)
    """

    # defer_build: a section's validator is compiled when it is first used, once, inside the job
    # spec that holds it; built at import, each of the ~80 spec models compiled its own as well
    # (about 0.1 s of every command's start-up).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    #: how an internal error names the section
    name: ClassVar[str] = "a"

    @classmethod
    def parse(cls, raw: Any, *, context: dict[str, Any] | None = None) -> Self:
        """The spec of ``raw`` (a spec of this section already is returned as it is); ``context`` is
        what the section's checks may read besides ``raw`` (pydantic's validation context)."""
        if isinstance(raw, cls):
            return raw
        try:
            return cls.model_validate(raw, context=context)
        except ValidationError as exc:  # the worded checks refuse everything the types do
            raise InternalError(f"the {cls.name} section passed its checks but not its types: {exc.errors()[0]['msg']}") from None
