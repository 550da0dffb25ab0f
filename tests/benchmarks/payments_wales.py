"""A year of Wales as payments hears it: membership's roster and meetings' events.

The bodies, people and leads are the meetings benchmark's (``meetings_wales.plan_wales``), with
one change that matters to money: each organisation has the kind its profession gives
(a pharmacy PC's members represent community pharmacies, an optometry PC's optometry
practices...), and two members of every cluster represent community pharmacies. So the shipped
card pays CP-ATTEND (with its bonus and cap), CPPC-LEAD, OPT-PRACTICE and every lead rule.

The meetings events are built in the published shapes (``contracts.meetings``), one meeting's
worth per stream as meetings would append them, for a replay straight into a source store.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from clwstwr_ops.demo.meetings_wales import QUARTERS, QUORUM, BodyPlan, membership_events
from clwstwr_ops.demo.membership_wales import body_place
from contracts import IntegrationEvent
from contracts import meetings as held_events
from contracts import membership as published
from kernel.events import NewEvent

LONDON = ZoneInfo("Europe/London")
FINANCIAL_YEAR = "2024/25"
#: The organisation kind a collaborative's members represent (others: "other").
KIND_OF_PROFESSION = {
    "general-practice": "gp_practice",
    "community-pharmacy": "community_pharmacy",
    "optometry": "optometry_practice",
    "dental": "dental_practice",
}
#: Members of a cluster (by their number) who represent community pharmacies.
CLUSTER_PHARMACISTS = (1, 2)
#: Collaboratives whose held meetings pay their lead (the person) under the shipped card.
LEAD_PAID = frozenset(
    (
        "general-practice",
        "optometry",
        "community-nursing",
        "allied-health-professionals",
        "social-care",
    )
)


def _new(event: IntegrationEvent) -> NewEvent:
    return NewEvent(event_type=event.event_type, data=event.model_dump(mode="json"))


def organisation_kind(body: BodyPlan, member: int) -> tuple[str, str | None]:
    """The kind and profession of the organisation member number ``member`` represents."""
    if body.kind == "cluster":
        pharmacist = member in CLUSTER_PHARMACISTS
        return ("community_pharmacy", "community-pharmacy") if pharmacist else ("other", None)
    kind = KIND_OF_PROFESSION.get(body.profession or "", "other")
    return kind, body.profession if kind != "other" else None


def roster_events(body: BodyPlan) -> list[NewEvent]:
    """``meetings_wales.membership_events``, each organisation registered with its real kind."""
    member_of = {f"{person}/org": n for n, person in enumerate(body.people)}
    events = []
    for event in membership_events(body):
        if event.event_type == published.OrganisationRegistered.event_type:
            registered = published.OrganisationRegistered.model_validate(event.data)
            kind, profession = organisation_kind(body, member_of[registered.organisation_id])
            kinds = {"kind": kind, "profession": profession}
            events.append(_new(registered.model_copy(update=kinds)))
        else:
            events.append(event)
    return events


def payee_of_lead(body: BodyPlan) -> str | None:
    """Whom a held meeting of ``body`` pays for its lead's presence (None: nobody).

    The lead is always present (``meetings_wales`` records member 0 present).
    """
    if body.kind != "collaborative":
        return None
    if body.profession == "community-pharmacy":
        return f"{body.people[0]}/org"  # CPPC-LEAD: the pharmacy where the lead works
    return body.people[0] if body.profession in LEAD_PAID else None


@dataclass(frozen=True, slots=True)
class MeetingEvents:
    stream_id: str
    events: list[NewEvent]


def year_of_meetings(body: BodyPlan, rng: random.Random) -> list[MeetingEvents]:
    """The body's four meetings of FY 2024/25, each as the events meetings appends for it.

    Scheduled, three agenda items, everyone's attendance (member 0, the lead, present; others
    present 80 %, apologies 15 %, absent 5 %, as the meetings benchmark), a declaration, a
    decision, two actions, held.
    """
    meetings = []
    for quarter in QUARTERS:
        day = quarter + dt.timedelta(days=rng.randrange(28))
        meeting_id = f"bench-{body.body_id}-{day.isoformat()}"
        facts = {
            "meeting_id": meeting_id,
            **body_place(body),
            "meeting_kind": "ordinary",
            "meeting_date": day,
        }
        board = body.health_board
        attendance = tuple(_attendee(body, n, rng) for n in range(len(body.people)))
        present = sum(a.status == "present" for a in attendance)
        starts = dt.datetime.combine(day, dt.time(18, 30), LONDON).astimezone(dt.UTC)
        events: list[IntegrationEvent] = [
            held_events.MeetingScheduled(
                **facts,
                title=f"{body.body_id} {day:%B}",
                mode="virtual",
                start_time="18:30",
                timezone="Europe/London",
                starts_at=starts,
            ),
            *(
                held_events.AgendaItemAdded(
                    meeting_id=meeting_id,
                    health_board=board,
                    item_number=n,
                    title=title,
                    purpose=purpose,
                    lead="Chair",
                )
                for n, (title, purpose) in enumerate(
                    (("Minutes", "information"), ("Plan", "discussion"), ("Funding", "decision")),
                    start=1,
                )
            ),
            *(
                held_events.AttendanceRecorded(
                    meeting_id=meeting_id, health_board=board, attendee=attendee
                )
                for attendee in attendance
            ),
            held_events.DeclarationRecorded(
                meeting_id=meeting_id,
                health_board=board,
                person_id=body.people[0],
                item_number=3,
                kind="financial",
                description="sealed:v1:bench",
            ),
            held_events.DecisionRecorded(
                meeting_id=meeting_id,
                health_board=board,
                decision_number=1,
                item_number=3,
                text="Agreed",
                core_members_present=present,
                quorum_minimum_core_members=QUORUM,
            ),
            *(
                held_events.ActionRaised(
                    meeting_id=meeting_id,
                    body_id=body.body_id,
                    health_board=board,
                    meeting_date=day,
                    ref=ref,
                    description=description,
                    lead="Chair",
                    due_date=day + dt.timedelta(days=30 * (ref + 1)),
                )
                for ref, description in ((1, "Agree cluster plans"), (2, "Report back"))
            ),
            held_events.MeetingHeld(
                **facts,
                chair_person_id=body.people[0],
                chaired_by_lead=True,
                quorum_minimum_core_members=QUORUM,
                core_members_present=present,
                quorate=present >= QUORUM,
                attendance=attendance,
            ),
        ]
        meetings.append(MeetingEvents(f"meeting-{meeting_id}", [_new(e) for e in events]))
    return meetings


def _attendee(body: BodyPlan, member: int, rng: random.Random) -> held_events.Attendee:
    roll = rng.random()
    status = "present" if member == 0 or roll < 0.8 else "apologies" if roll < 0.95 else "absent"
    person = body.people[member]
    return held_events.Attendee(
        person_id=person,
        status=status,
        organisation_id=f"{person}/org",
        profession=organisation_kind(body, member)[1],
        membership_kind="core",
        held_lead_appointment=member == 0,
    )
