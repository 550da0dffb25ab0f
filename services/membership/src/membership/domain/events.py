"""The membership service's stored events: stable names, past tense, one shape each.

Their JSON must stay valid against the published contracts in ``contracts.membership``
(a unit test proves it), so other services can consume them without calling back.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from kernel.aggregate import DomainEvent, EventRegistry
from membership.domain.change_events import ClusterClosed, ClustersMerged, ClusterSplit
from membership.domain.governance_events import (
    InterestDeclared,
    InterestWithdrawn,
    TermsOfReferenceReviewed,
)
from membership.domain.pcpg import PcpgEstablished
from membership.domain.people_events import (
    AppointmentEnded,
    LeadAppointed,
    MemberEnrolled,
    MembershipEnded,
    OdsCodeClaimed,
    OrganisationRegistered,
    PersonErased,
    PersonRegistered,
)


class HealthBoardRegistered(DomainEvent):
    event_type: ClassVar[str] = "membership.HealthBoardRegistered"
    ods_code: str
    name: str
    name_cy: str | None


class ClusterEstablished(DomainEvent):
    event_type: ClassVar[str] = "membership.ClusterEstablished"
    cluster_id: str
    health_board: str
    name: str
    name_cy: str | None
    local_authority: str
    population: int | None
    pcpg_id: str
    pcpg_name: str
    established_on: dt.date


class ClusterRenamed(DomainEvent):
    event_type: ClassVar[str] = "membership.ClusterRenamed"
    cluster_id: str
    health_board: str
    name: str
    name_cy: str | None
    effective_from: dt.date


class CollaborativeEstablished(DomainEvent):
    event_type: ClassVar[str] = "membership.CollaborativeEstablished"
    collaborative_id: str
    cluster_id: str
    health_board: str
    profession: str
    established_on: dt.date


HealthBoardEvent = HealthBoardRegistered
ClusterEvent = ClusterEstablished | ClusterRenamed | CollaborativeEstablished | ClusterClosed

EVENTS = EventRegistry(
    HealthBoardRegistered,
    ClusterEstablished,
    ClusterRenamed,
    CollaborativeEstablished,
    PcpgEstablished,
    ClustersMerged,
    ClusterSplit,
    ClusterClosed,
    OdsCodeClaimed,
    OrganisationRegistered,
    PersonRegistered,
    PersonErased,
    MemberEnrolled,
    MembershipEnded,
    LeadAppointed,
    AppointmentEnded,
    InterestDeclared,
    InterestWithdrawn,
    TermsOfReferenceReviewed,
)
"""Every membership event type, by its stable name."""
