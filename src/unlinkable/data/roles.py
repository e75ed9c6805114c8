"""Attribute roles, as ARX and sdcMicro use them, and the rule that every released column has one.

A table is released only when each of its columns has exactly one role: an identifier is
dropped, a quasi-identifier is generalized or perturbed, a sensitive attribute is kept and
protected by the models that name it, an insensitive one is kept as is. ``insensitive`` is a
choice the user writes down, never a default: a column nobody looked at is not released.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import Enum

from unlinkable.errors import ConfigError


class Role(str, Enum):
    IDENTIFIER = "identifier"          # dropped from every output
    QUASI_IDENTIFIER = "quasi-identifier"
    SENSITIVE = "sensitive"
    INSENSITIVE = "insensitive"        # kept as is: an explicit choice, never a default
    WEIGHT = "weight"                  # sampling weights (kept as is)
    HOUSEHOLD = "household"            # household id (kept as is)

    @classmethod
    def parse(cls, text: str) -> Role:
        key = str(text).strip().lower().replace("_", "-").replace(" ", "-")
        aliases = {"qi": "quasi-identifier", "quasi-identifying": "quasi-identifier", "id": "identifier",
                   "identifying": "identifier", "weights": "weight", "hh": "household", "household-id": "household"}
        return cls(aliases.get(key, key))


#: roles whose columns are released unchanged and are not protected by a model (so their
#: uniqueness is measured and reported)
KEPT_AS_IS = (Role.INSENSITIVE, Role.WEIGHT, Role.HOUSEHOLD)


def column_roles(columns: Sequence[str], by_role: Iterable[tuple[Role, Iterable[str]]], *, where: str = "data",
                 hint: str | None = None) -> dict[str, Role]:
    """The one role of every column of a table that is to be released.

    Parameters
    ----------
    columns : sequence of str
        The columns of the input table.
    by_role : iterable of (Role, column names)
        The roles as the caller was given them.
    where : str
        What to name in an error (the data file, or the job file and its data).
    hint : str, optional
        How to give a role where the caller takes them (a job file or keyword arguments).

    Raises
    ------
    ConfigError
        A column has no role (every one is named), a column has two roles, or a role names a
        column the table does not have.

    Examples
    --------
    >>> column_roles(["id", "age"], [(Role.IDENTIFIER, ["id"]), (Role.QUASI_IDENTIFIER, ["age"])])
    {'id': <Role.IDENTIFIER: 'identifier'>, 'age': <Role.QUASI_IDENTIFIER: 'quasi-identifier'>}
    >>> column_roles(["id", "age", "birth_date"], [(Role.IDENTIFIER, ["id"]), (Role.QUASI_IDENTIFIER, ["age"])])
    Traceback (most recent call last):
    ...
    unlinkable.errors.ConfigError: data: column 'birth_date' has no role...
    """
    roles: dict[str, Role] = {}
    for role, names in by_role:
        for name in names:
            if name in roles and roles[name] is not role:
                raise ConfigError(f"{where}: column {name!r} is both {roles[name].value} and {role.value}",
                                  hint="give each column one role")
            roles[name] = role
    present = set(columns)
    unknown = [name for name in roles if name not in present]
    if unknown:
        raise ConfigError(f"{where}: the {roles[unknown[0]].value} column {unknown[0]!r} is not in the data",
                          hint=f"the columns are: {', '.join(list(columns)[:20])}")
    missing = [c for c in columns if c not in roles]
    if missing:
        shown = ", ".join(repr(c) for c in missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        noun = "column" if len(missing) == 1 else "columns"
        verb = "has" if len(missing) == 1 else "have"
        raise ConfigError(
            f"{where}: {noun} {shown} {verb} no role; every released column needs one",
            hint=hint or ("give each a role: identifier (dropped), quasi-identifier, sensitive, or insensitive "
                          "(kept as is), e.g. insensitive=[...] or identifiers=[...]"))
    return {c: roles[c] for c in columns}


def kept_as_is(roles: dict[str, Role]) -> list[str]:
    """The columns released unchanged and unprotected (insensitive, weight, household), in table order.

    Examples
    --------
    >>> kept_as_is({"id": Role.IDENTIFIER, "w": Role.WEIGHT, "job": Role.INSENSITIVE})
    ['w', 'job']
    """
    return [name for name, role in roles.items() if role in KEPT_AS_IS]


__all__ = ["Role", "KEPT_AS_IS", "column_roles", "kept_as_is"]
