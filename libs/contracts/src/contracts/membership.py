"""What the membership service publishes on ``membership.events.v1``: who is who in the register.

Each model is the published shape of the membership event of the same ``event_type``; the
service's tests validate its stored events against these, so the two cannot drift apart.
Dates are ISO calendar dates; ``name_cy`` is None where the register has no Welsh name yet.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from contracts.base import IntegrationEvent


class HealthBoardRegistered(IntegrationEvent):
    """A health board joined the register (ODS code 7A1 to 7A7)."""

    event_type: ClassVar[str] = "membership.HealthBoardRegistered"
    ods_code: str
    name: str
    name_cy: str | None


class ClusterEstablished(IntegrationEvent):
    """A cluster was established under a board and a PCPG, from a date."""

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


class ClusterRenamed(IntegrationEvent):
    """A cluster has a new name from ``effective_from`` (earlier dates keep the old name)."""

    event_type: ClassVar[str] = "membership.ClusterRenamed"
    cluster_id: str
    health_board: str
    name: str
    name_cy: str | None
    effective_from: dt.date


class CollaborativeEstablished(IntegrationEvent):
    """A cluster's professional collaborative for one profession was established."""

    event_type: ClassVar[str] = "membership.CollaborativeEstablished"
    collaborative_id: str
    cluster_id: str
    health_board: str
    profession: str
    established_on: dt.date


class PcpgEstablished(IntegrationEvent):
    """A Pan Cluster Planning Group was established under a board, from a date.

    Clusters name it by ``pcpg_id`` (``ClusterEstablished``); a PCPG meeting's board is
    ``health_board`` here. Established by seeding, before the clusters that plan under it.
    """

    event_type: ClassVar[str] = "membership.PcpgEstablished"
    pcpg_id: str
    health_board: str
    name: str
    established_on: dt.date


class NewClusterFacts(BaseModel):
    """A cluster a merge or split establishes (its ``ClusterEstablished`` follows)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cluster_id: str
    name: str
    name_cy: str | None
    local_authority: str
    population: int | None


class ClustersMerged(IntegrationEvent):
    """Clusters of one board and PCPG became one cluster from ``effective_from``.

    ``into_cluster_id`` is either a new cluster (``new_cluster`` set; its ``ClusterEstablished``
    and ``CollaborativeEstablished`` events follow, dated ``effective_from``) or one of
    ``merged_cluster_ids`` that survives (``new_cluster`` None). Every other merged cluster
    closes: its ``ClusterClosed`` follows, with ``closed_on`` (the day before) as its last day.
    ``professions``: the result's collaboratives (every profession any merged cluster had).
    Memberships and appointments are not moved: new ones are enrolled in the result.
    """

    event_type: ClassVar[str] = "membership.ClustersMerged"
    change_id: str
    health_board: str
    pcpg_id: str
    pcpg_name: str
    merged_cluster_ids: tuple[str, ...]
    into_cluster_id: str
    new_cluster: NewClusterFacts | None
    professions: tuple[str, ...]
    effective_from: dt.date
    closed_on: dt.date


class ClusterSplit(IntegrationEvent):
    """A cluster became two or more new clusters (``into``) of its board and PCPG.

    The new clusters' ``ClusterEstablished`` and ``CollaborativeEstablished`` events follow,
    dated ``effective_from``; the split cluster's ``ClusterClosed`` (last day ``closed_on``).
    """

    event_type: ClassVar[str] = "membership.ClusterSplit"
    change_id: str
    health_board: str
    pcpg_id: str
    pcpg_name: str
    cluster_id: str
    into: tuple[NewClusterFacts, ...]
    professions: tuple[str, ...]
    effective_from: dt.date
    closed_on: dt.date


class ClusterClosed(IntegrationEvent):
    """A cluster and its collaboratives (``collaborative_ids``) closed after ``closed_on``.

    ``reason`` is merged or split (``change_id`` names the ``ClustersMerged`` or
    ``ClusterSplit``); ``successor_cluster_ids`` carry on from the next day. Its memberships
    and appointments are not ended or moved by this: nothing new starts in it after
    ``closed_on``.
    """

    event_type: ClassVar[str] = "membership.ClusterClosed"
    cluster_id: str
    health_board: str
    pcpg_id: str
    closed_on: dt.date
    reason: str
    change_id: str
    successor_cluster_ids: tuple[str, ...]
    collaborative_ids: tuple[str, ...]


class OdsCodeClaimed(IntegrationEvent):
    """Book-keeping: an ODS code now belongs to an organisation. Consumers may ignore it."""

    event_type: ClassVar[str] = "membership.OdsCodeClaimed"
    ods_code: str
    organisation_id: str


class OrganisationRegistered(IntegrationEvent):
    """An organisation (practice, pharmacy, team…) was registered in a cluster.

    ``kind`` is one of gp_practice, community_pharmacy, optometry_practice, dental_practice,
    third_sector, health_board_team, other; ``profession`` the collaborative's profession code
    it belongs to (None for kinds without one). ``health_board_salaried``: its staff are paid by
    the health board (payments to such leads differ).
    """

    event_type: ClassVar[str] = "membership.OrganisationRegistered"
    organisation_id: str
    ods_code: str | None
    name: str
    kind: str
    profession: str | None
    cluster_id: str
    pcpg_id: str
    health_board: str
    health_board_salaried: bool


class PersonRegistered(IntegrationEvent):
    """A person was registered: the minimum personal data (name; role title, contact optional).

    ``name``, ``role_title`` and ``contact`` are **sealed** (``sealed:v1:...`` text encrypted
    with a key only membership holds, see ``kernel.personal_data``): consumers cannot read
    them and must not try; ask membership's ``GetPerson`` when a name is needed. Erasure
    destroys the key, so every copy of this event becomes unreadable.
    """

    event_type: ClassVar[str] = "membership.PersonRegistered"
    person_id: str
    name: str
    role_title: str | None
    contact: str | None


class PersonErased(IntegrationEvent):
    """A tombstone: the person's personal fields are erased (their key destroyed).

    Facts that refer to the person (memberships, attendance, payments) stay, under the id.
    """

    event_type: ClassVar[str] = "membership.PersonErased"
    person_id: str


class _BodyFacts(IntegrationEvent):
    """Where the body sits in the register, carried by events that start something.

    ``body_kind`` is cluster, collaborative or pcpg; ``profession`` is set for a collaborative;
    ``cluster_id`` is None for a PCPG.
    """

    body_id: str
    body_kind: str
    health_board: str
    cluster_id: str | None
    pcpg_id: str
    profession: str | None


class MemberEnrolled(_BodyFacts):
    """A person became a member (``kind`` core or in_attendance) of a body from ``start_date``."""

    event_type: ClassVar[str] = "membership.MemberEnrolled"
    membership_id: str
    person_id: str
    kind: str
    role_title: str
    organisation_id: str | None
    start_date: dt.date


class MembershipEnded(IntegrationEvent):
    """A membership ended; ``end_date`` is its last day."""

    event_type: ClassVar[str] = "membership.MembershipEnded"
    body_id: str
    health_board: str
    membership_id: str
    person_id: str
    end_date: dt.date


class LeadAppointed(_BodyFacts):
    """A member was appointed to a lead role (cluster_lead, collaborative_lead, deputy_chair).

    Carries what payments need without calling back: the body's profession, cluster and
    board, the dates (``end_date`` None: open-ended), and the lead's usual workplace (payments
    for a PC lead go there) with whether it is health-board-salaried.
    """

    event_type: ClassVar[str] = "membership.LeadAppointed"
    appointment_id: str
    person_id: str
    role: str
    start_date: dt.date
    end_date: dt.date | None
    usual_workplace_id: str | None
    usual_workplace_ods_code: str | None
    usual_workplace_health_board_salaried: bool | None


class AppointmentEnded(IntegrationEvent):
    """A lead appointment ended (or its end was brought forward); ``end_date`` is its last day."""

    event_type: ClassVar[str] = "membership.AppointmentEnded"
    body_id: str
    health_board: str
    appointment_id: str
    person_id: str
    role: str
    end_date: dt.date


class InterestDeclared(_BodyFacts):
    """A member declared an interest to a body's register of interests, from ``declared_on``.

    ``kind`` is financial, non_financial_professional, non_financial_personal or indirect.
    Meetings show the declarations in force on the meeting date. ``description`` is personal
    data, **sealed** as in ``PersonRegistered`` (unreadable outside membership, shredded on
    erasure).
    """

    event_type: ClassVar[str] = "membership.InterestDeclared"
    interest_id: str
    person_id: str
    kind: str
    description: str
    declared_on: dt.date


class InterestWithdrawn(IntegrationEvent):
    """A declaration of interest was withdrawn: from ``withdrawn_on`` it is no longer in force."""

    event_type: ClassVar[str] = "membership.InterestWithdrawn"
    body_id: str
    health_board: str
    interest_id: str
    person_id: str
    withdrawn_on: dt.date


class TermsOfReferenceReviewed(_BodyFacts):
    """The PCPG ``reviewed_by`` reviewed a body's terms of reference on ``reviewed_on``.

    The quorum rule in force from that date (until a later review): at least
    ``quorum_minimum_core_members`` core members present for the body to make decisions. The
    next annual review is due a year after ``reviewed_on``.
    """

    event_type: ClassVar[str] = "membership.TermsOfReferenceReviewed"
    reviewed_on: dt.date
    reviewed_by: str
    quorum_minimum_core_members: int


EVENTS: tuple[type[IntegrationEvent], ...] = (
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
"""Every membership integration event."""
