"""Stored events about organisations, people and who sits on which body.

Roster events carry the body's place in the register (board, cluster, PCPG, profession), and
appointments carry the lead's usual workplace and whether it is health-board-salaried, so
payments and reporting can act on them without calling back.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from kernel.aggregate import DomainEvent


class OdsCodeClaimed(DomainEvent):
    """Book-keeping: an ODS code now belongs to an organisation (keeps codes unique)."""

    event_type: ClassVar[str] = "membership.OdsCodeClaimed"
    ods_code: str
    organisation_id: str


class OrganisationRegistered(DomainEvent):
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


class PersonRegistered(DomainEvent):
    """A person, with their personal fields sealed in the store (``None`` once erased)."""

    event_type: ClassVar[str] = "membership.PersonRegistered"
    personal_data: ClassVar[tuple[str, ...]] = ("name", "role_title", "contact")
    personal_data_of: ClassVar[str] = "person_id"
    person_id: str
    name: str | None
    role_title: str | None
    contact: str | None


class PersonErased(DomainEvent):
    """The person's personal data is erased: the store forgets their key (facts stay)."""

    event_type: ClassVar[str] = "membership.PersonErased"
    erases_personal_data_of: ClassVar[str] = "person_id"
    person_id: str


class BodyFacts(DomainEvent):
    """Where a body sits in the register; a base of roster events, not stored on its own."""

    body_id: str
    body_kind: str
    health_board: str
    cluster_id: str | None
    pcpg_id: str
    profession: str | None


class MemberEnrolled(BodyFacts):
    event_type: ClassVar[str] = "membership.MemberEnrolled"
    membership_id: str
    person_id: str
    kind: str
    role_title: str
    organisation_id: str | None
    start_date: dt.date


class MembershipEnded(DomainEvent):
    event_type: ClassVar[str] = "membership.MembershipEnded"
    body_id: str
    health_board: str
    membership_id: str
    person_id: str
    end_date: dt.date


class LeadAppointed(BodyFacts):
    event_type: ClassVar[str] = "membership.LeadAppointed"
    appointment_id: str
    person_id: str
    role: str
    start_date: dt.date
    end_date: dt.date | None
    usual_workplace_id: str | None
    usual_workplace_ods_code: str | None
    usual_workplace_health_board_salaried: bool | None


class AppointmentEnded(DomainEvent):
    event_type: ClassVar[str] = "membership.AppointmentEnded"
    body_id: str
    health_board: str
    appointment_id: str
    person_id: str
    role: str
    end_date: dt.date


OdsClaimEvent = OdsCodeClaimed
OrganisationEvent = OrganisationRegistered
PersonEvent = PersonRegistered | PersonErased
RosterEvent = MemberEnrolled | MembershipEnded | LeadAppointed | AppointmentEnded
