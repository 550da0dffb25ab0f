"""Schema names are spliced into SQL, so they are checked once, here, against a strict pattern."""

from __future__ import annotations

import re

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def checked_schema(name: str) -> str:
    """Return ``name`` if it is a safe, unquoted Postgres identifier; raise otherwise."""
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"{name!r} is not a valid schema name (lower-case letters, digits, _)")
    return name
