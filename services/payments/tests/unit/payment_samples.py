"""Small builders for payments' domain tests: a pharmacy, leads, meetings of one cluster."""

from __future__ import annotations

import datetime as dt

from payments.domain.facts import Appointment, Attendee, Meeting, Organisation

BOARD = "7A1"
CLUSTER = "7A1-anglesey"
PHARMACY_PC = f"{CLUSTER}.community-pharmacy"


def pharmacy(organisation_id: str = "org-fw844", *, cluster: str = CLUSTER) -> Organisation:
    return Organisation(organisation_id, "community_pharmacy", cluster, BOARD, False, "FW844")


def practice(organisation_id: str, kind: str, *, salaried: bool = False) -> Organisation:
    return Organisation(organisation_id, kind, CLUSTER, BOARD, salaried)


def present(
    person_id: str,
    organisation_id: str | None = None,
    *,
    lead: bool = False,
    status: str = "present",
) -> Attendee:
    return Attendee(person_id, status, organisation_id, lead)


def meeting(
    meeting_id: str,
    day: dt.date,
    *attendees: Attendee,
    body: str = CLUSTER,
    profession: str | None = None,
    kind: str = "ordinary",
    cancelled: bool = False,
) -> Meeting:
    body_kind = "collaborative" if profession else "cluster"
    return Meeting(
        meeting_id=meeting_id,
        body_id=body,
        body_kind=body_kind,
        profession=profession,
        cluster_id=CLUSTER,
        health_board=BOARD,
        meeting_kind=kind,
        meeting_date=day,
        attendance=attendees,
        cancelled=cancelled,
    )


def pc_meeting(meeting_id: str, day: dt.date, profession: str, *attendees: Attendee) -> Meeting:
    return meeting(
        meeting_id, day, *attendees, body=f"{CLUSTER}.{profession}", profession=profession
    )


def lead_of(
    person_id: str,
    profession: str,
    *,
    workplace: str | None = None,
    salaried: bool | None = None,
    start: dt.date = dt.date(2022, 4, 1),
    end: dt.date | None = None,
) -> Appointment:
    return Appointment(
        appointment_id=f"appt-{person_id}",
        body_id=f"{CLUSTER}.{profession}",
        body_kind="collaborative",
        cluster_id=CLUSTER,
        person_id=person_id,
        role="collaborative_lead",
        start_date=start,
        end_date=end,
        usual_workplace_id=workplace,
        usual_workplace_salaried=salaried,
    )
