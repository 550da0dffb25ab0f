"""What membership says about a body and a person on the meeting date, as plain values.

The application reads these from meetings' own projection of membership (never by calling
membership) and hands them to the meeting, so the rules below stay pure and testable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from kernel.errors import RuleViolated
from meetings.domain.events import Attendee

INVITED = "invited"
"""The membership kind recorded for a guest who is not a member of the body."""
CORE = "core"


@dataclass(frozen=True, slots=True)
class Body:
    """A cluster, collaborative or PCPG, placed in the register.

    ``closed_on``: its last day, when a cluster merge or split closed it (None: open).
    """

    body_id: str
    kind: str
    health_board: str
    pcpg_id: str
    cluster_id: str | None = None
    profession: str | None = None
    closed_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Standing:
    """A person's standing with a body on the meeting date.

    ``membership_kind`` is core or in_attendance, or None when they were not a member then;
    ``organisations`` maps each organisation they could represent to its profession;
    ``holds_lead`` says whether they held the body's lead appointment that day.
    """

    person_id: str
    membership_kind: str | None
    organisations: Mapping[str, str | None] = field(default_factory=dict)
    holds_lead: bool = False


@dataclass(frozen=True, slots=True)
class RegisterLine:
    """One line of a meeting's attendance register: who, how they attended, for whom."""

    standing: Standing
    status: str
    organisation_id: str | None
    invited: bool


def attendee(
    standing: Standing, status: str, organisation_id: str | None, *, invited: bool
) -> Attendee:
    """The attendance record for ``standing``, or the reason it cannot be recorded.

    A member's organisation defaults to the one they represent when there is just one.

    Raises:
        RuleViolated: ``ATTENDEE_NOT_A_MEMBER`` (not a member that day, nor invited),
            ``ORGANISATION_NOT_REPRESENTED`` (an organisation they do not represent here).
    """
    kind = standing.membership_kind
    if kind is None and not invited:
        raise RuleViolated(
            "ATTENDEE_NOT_A_MEMBER",
            f"{standing.person_id} was not a member of the body on the meeting date;"
            " record them as invited if they were a guest",
        )
    if organisation_id is None and len(standing.organisations) == 1 and kind is not None:
        [organisation_id] = standing.organisations
    if organisation_id is not None and organisation_id not in standing.organisations:
        raise RuleViolated(
            "ORGANISATION_NOT_REPRESENTED",
            f"{standing.person_id} does not represent {organisation_id} at this body",
        )
    return Attendee(
        person_id=standing.person_id,
        status=status,
        organisation_id=organisation_id,
        profession=standing.organisations.get(organisation_id) if organisation_id else None,
        membership_kind=kind or INVITED,
        held_lead_appointment=standing.holds_lead,
    )
