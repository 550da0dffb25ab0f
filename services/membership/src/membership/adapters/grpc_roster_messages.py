"""Translation between the roster's API messages and the application's values."""

from __future__ import annotations

import datetime as dt

from clwstwr.membership.v1 import membership_service_pb2 as pb
from membership.application.roster_ports import AppointmentView, MemberView, PersonView
from membership.domain.register import check


def require_ids(**values: str) -> None:
    """Raise one ``ValidationFailed`` naming every empty id field among ``values``."""
    check(*((field, None if value else "is required") for field, value in values.items()))


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def person_message(person: PersonView) -> pb.Person:
    return pb.Person(
        id=person.person_id,
        name=person.name,
        role_title=person.role_title or "",
        contact=person.contact or "",
        erased=person.erased,
    )


def _appointment_message(appointment: AppointmentView) -> pb.Appointment:
    return pb.Appointment(
        id=appointment.appointment_id,
        role=appointment.role,
        start_date=_iso(appointment.start_date),
        end_date=_iso(appointment.end_date),
        usual_workplace_id=appointment.usual_workplace_id or "",
    )


def member_message(member: MemberView) -> pb.Member:
    return pb.Member(
        membership_id=member.membership_id,
        person_id=member.person_id,
        person_name=member.person_name,
        kind=member.kind,
        role_title=member.role_title,
        organisation_id=member.organisation_id or "",
        organisation_name=member.organisation_name or "",
        start_date=_iso(member.start_date),
        end_date=_iso(member.end_date),
        appointments=[_appointment_message(a) for a in member.appointments],
    )
