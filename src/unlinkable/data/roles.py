"""Attribute roles, as ARX and sdcMicro use them."""

from __future__ import annotations

from enum import Enum


class Role(str, Enum):
    IDENTIFIER = "identifier"          # dropped from every output
    QUASI_IDENTIFIER = "quasi-identifier"
    SENSITIVE = "sensitive"
    INSENSITIVE = "insensitive"        # the default for columns a job does not name
    WEIGHT = "weight"                  # sampling weights
    HOUSEHOLD = "household"            # household id

    @classmethod
    def parse(cls, text: str) -> "Role":
        key = str(text).strip().lower().replace("_", "-").replace(" ", "-")
        aliases = {"qi": "quasi-identifier", "quasi-identifying": "quasi-identifier", "id": "identifier",
                   "identifying": "identifier", "weights": "weight", "hh": "household", "household-id": "household"}
        return cls(aliases.get(key, key))
