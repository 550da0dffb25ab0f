"""Kinds of organisation, as data: each kind's ODS code shape and the profession it belongs to.

Adding a kind, or correcting a code shape, is a change to ``ORGANISATION_KINDS`` only; no rule
branches on a kind by name. Shapes (upper case after normalising):

* GP practices in Wales: ``W`` and 5 digits (``W91016``), as in the issue and NHS Wales data.
* Community pharmacies: ``F`` and 4 letters or digits (``FW844``, the "F code"; NHSBSA's
  contractor data describes pharmacy ODS codes this way).
* Other kinds: ASSUMPTION, not checked against ODS guidance: any 3 to 10 upper-case letters or
  digits, since dental, optometry, third-sector and board-team codes vary (or do not exist, in
  which case the code is simply left out).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OrganisationKind:
    """A kind of organisation: its ODS code shape, an example, and its profession (if any)."""

    code: str
    ods_pattern: re.Pattern[str]
    ods_example: str
    profession: str | None
    #: a team of the health board itself: it may represent the board at any of its bodies
    board_wide: bool = False


_ANY_ODS = re.compile(r"[A-Z0-9]{3,10}")

ORGANISATION_KINDS: dict[str, OrganisationKind] = {
    kind.code: kind
    for kind in (
        OrganisationKind("gp_practice", re.compile(r"W\d{5}"), "W91016", "general-practice"),
        OrganisationKind(
            "community_pharmacy", re.compile(r"F[A-Z0-9]{4}"), "FW844", "community-pharmacy"
        ),
        OrganisationKind("optometry_practice", _ANY_ODS, "TP123", "optometry"),
        OrganisationKind("dental_practice", _ANY_ODS, "V12345", "dental"),
        OrganisationKind("third_sector", _ANY_ODS, "ABC12", None),
        OrganisationKind("health_board_team", _ANY_ODS, "7A1AB", None, board_wide=True),
        OrganisationKind("other", _ANY_ODS, "ABC12", None),
    )
}
"""Every kind of organisation, by code."""


def kind_problem(kind: str) -> str | None:
    """Why ``kind`` is not a known kind of organisation, or None."""
    if kind in ORGANISATION_KINDS:
        return None
    return f"must be one of {', '.join(sorted(ORGANISATION_KINDS))}"


def ods_problem(kind: str, ods_code: str | None) -> str | None:
    """Why ``ods_code`` cannot be the code of an organisation of ``kind``, or None.

    An absent code is fine (not every organisation has one); an unknown kind is reported on
    its own field, so it is not a problem of the code.
    """
    known = ORGANISATION_KINDS.get(kind)
    if ods_code is None or known is None or known.ods_pattern.fullmatch(ods_code):
        return None
    return f"is not the ODS code of a {kind} (e.g. {known.ods_example})"
