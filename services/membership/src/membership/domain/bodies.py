"""The bodies people sit on (a cluster, a professional collaborative, a PCPG) and their footprint.

A body is resolved from the register's read model by the application and handed to the roster
as a value, so the roster's rules stay pure. The footprint rule decides which organisations a
member may represent at a body, and where a lead may usually work.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from kernel.errors import RuleViolated
from membership.domain.organisation_kinds import ORGANISATION_KINDS


class BodyKind(StrEnum):
    CLUSTER = "cluster"
    COLLABORATIVE = "collaborative"
    PCPG = "pcpg"


@dataclass(frozen=True, slots=True)
class Body:
    """A body as the register places it: its board, PCPG and (unless a PCPG) its cluster.

    ``closed_on``: the last day of a cluster or collaborative that a merge or split closed.
    """

    body_id: str
    kind: BodyKind
    health_board: str
    pcpg_id: str
    cluster_id: str | None = None
    profession: str | None = None
    closed_on: dt.date | None = None


def require_open_on(body: Body, day: dt.date, field: str) -> None:
    """Refuse to start anything in a body after its closing day.

    Memberships and appointments are never moved to a closed body's successors: people are
    enrolled there by a command of their own, so nobody is placed anywhere silently.

    Raises:
        RuleViolated: ``BODY_CLOSED`` naming ``field``.
    """
    if body.closed_on is not None and day > body.closed_on:
        raise RuleViolated(
            "BODY_CLOSED",
            f"{field}: {body.body_id} closed on {body.closed_on} (merged or split); use the"
            " cluster that carries on from it",
        )


@dataclass(frozen=True, slots=True)
class OrganisationFacts:
    """What the roster needs to know about an organisation named in a command."""

    organisation_id: str
    ods_code: str | None
    kind: str
    cluster_id: str
    pcpg_id: str
    health_board: str
    health_board_salaried: bool


def require_in_footprint(body: Body, organisation: OrganisationFacts, field: str) -> None:
    """Refuse an organisation outside ``body``'s footprint.

    In the footprint: an organisation of the body's cluster (for a cluster or collaborative),
    of any cluster of the PCPG (for a PCPG), or a team of the body's health board itself.

    Raises:
        RuleViolated: ``ORGANISATION_OUTSIDE_FOOTPRINT`` naming ``field``.
    """
    board_wide = ORGANISATION_KINDS[organisation.kind].board_wide
    if organisation.health_board == body.health_board and (
        board_wide
        or (body.cluster_id is None and organisation.pcpg_id == body.pcpg_id)
        or organisation.cluster_id == body.cluster_id
    ):
        return
    raise RuleViolated(
        "ORGANISATION_OUTSIDE_FOOTPRINT",
        f"{field}: {organisation.organisation_id} ({organisation.cluster_id}) is outside the"
        f" footprint of {body.body_id}",
    )
