"""Membership's and meetings' published events, as the real services would publish them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from contracts import meetings as mt
from contracts import membership as ms

BOARD, CLUSTER, PCPG = "7A1", "7A1-anglesey", "7A1-pcpg-anglesey"


def pharmacy(organisation_id: str, ods_code: str) -> ms.OrganisationRegistered:
    return ms.OrganisationRegistered(
        organisation_id=organisation_id,
        ods_code=ods_code,
        name=f"Fferyllfa {ods_code}",
        kind="community_pharmacy",
        profession="community-pharmacy",
        cluster_id=CLUSTER,
        pcpg_id=PCPG,
        health_board=BOARD,
        health_board_salaried=False,
    )


def person(person_id: str) -> ms.PersonRegistered:
    return ms.PersonRegistered(person_id=person_id, name="sealed", role_title=None, contact=None)


def lead(
    person_id: str,
    profession: str,
    *,
    workplace: str | None = None,
    salaried: bool | None = None,
    start: dt.date = dt.date(2023, 4, 1),
) -> ms.LeadAppointed:
    return ms.LeadAppointed(
        body_id=f"{CLUSTER}.{profession}",
        body_kind="collaborative",
        health_board=BOARD,
        cluster_id=CLUSTER,
        pcpg_id=PCPG,
        profession=profession,
        appointment_id=f"appt-{person_id}",
        person_id=person_id,
        role="collaborative_lead",
        start_date=start,
        end_date=None,
        usual_workplace_id=workplace,
        usual_workplace_ods_code=None,
        usual_workplace_health_board_salaried=salaried,
    )


def attendee(
    person_id: str,
    organisation_id: str | None = None,
    *,
    lead: bool = False,
    status: str = "present",
) -> mt.Attendee:
    return mt.Attendee(
        person_id=person_id,
        status=status,
        organisation_id=organisation_id,
        profession=None,
        membership_kind="core",
        held_lead_appointment=lead,
    )


def _facts(
    meeting_id: str, day: dt.date, profession: str | None, cluster: str = CLUSTER
) -> dict[str, Any]:
    return mt.MeetingFacts(
        meeting_id=meeting_id,
        body_id=f"{cluster}.{profession}" if profession else cluster,
        body_kind="collaborative" if profession else "cluster",
        health_board=BOARD,
        cluster_id=cluster,
        pcpg_id=PCPG,
        profession=profession,
        meeting_kind="ordinary",
        meeting_date=day,
    ).model_dump()


def held(
    meeting_id: str,
    day: dt.date,
    *attendance: mt.Attendee,
    profession: str | None = None,
    cluster: str = CLUSTER,
) -> mt.MeetingHeld:
    return mt.MeetingHeld(
        **_facts(meeting_id, day, profession, cluster),
        chair_person_id=attendance[0].person_id,
        chaired_by_lead=False,
        quorum_minimum_core_members=None,
        core_members_present=len(attendance),
        quorate=None,
        attendance=attendance,
    )


def corrected(
    meeting_id: str, day: dt.date, who: mt.Attendee, profession: str | None = None
) -> mt.AttendanceCorrected:
    return mt.AttendanceCorrected(
        **_facts(meeting_id, day, profession),
        attendee=who,
        previous_status="present",
        reason="recorded in error",
    )


def cancelled(meeting_id: str, day: dt.date, profession: str | None = None) -> mt.MeetingCancelled:
    return mt.MeetingCancelled(
        **_facts(meeting_id, day, profession),
        reason="voided",
        was_held=True,
    )


def merged_into(successor: str, closed_on: dt.date) -> ms.ClusterClosed:
    return ms.ClusterClosed(
        cluster_id=CLUSTER,
        health_board=BOARD,
        pcpg_id=PCPG,
        closed_on=closed_on,
        reason="merged",
        change_id="change-1",
        successor_cluster_ids=(successor,),
        collaborative_ids=(),
    )
