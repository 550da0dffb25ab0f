"""A year of Wales's meetings for the meetings benchmark: who sits where, and each meeting's
commands.

Membership's part (people, their organisations, memberships, leads, quorum rules) is appended
straight to the membership service's event store in the published shapes, so the benchmark's
set-up takes seconds; the membership service relays it as usual and meetings learns it from
the stream, as in production. The meetings themselves go through meetings' gRPC API.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from clwstwr.meetings.v1 import meetings_service_pb2 as pb
from clwstwr_ops.demo.membership_wales import body_place
from contracts import IntegrationEvent
from contracts import membership as published
from kernel.events import NewEvent
from kernel.eventstore.port import EventStore
from membership.adapters.register_file import load_register
from membership.domain.register import collaborative_id

CLUSTER_MEMBERS, COLLABORATIVE_MEMBERS, QUORUM = 20, 15, 3
START = dt.date(2024, 4, 1)
#: One meeting a quarter of FY 2024/25 (the day within the month varies by body).
QUARTERS = [dt.date(2024, 6, 1), dt.date(2024, 9, 1), dt.date(2024, 12, 1), dt.date(2025, 3, 1)]
#: (rpc, request) in the order a clerk sends them
Command = tuple[str, Any]


@dataclass
class BodyPlan:
    body_id: str
    kind: str
    health_board: str
    pcpg_id: str
    cluster_id: str
    profession: str | None
    people: list[str] = field(default_factory=list)

    @property
    def token(self) -> str:
        return f"board-{self.health_board.lower()}"


def plan_wales(scale: float = 1.0) -> list[BodyPlan]:
    """Every cluster and collaborative (or the first ``scale`` of the clusters), with members."""
    register = load_register()
    clusters = register.clusters[: max(1, round(len(register.clusters) * scale))]
    bodies: list[BodyPlan] = []
    for c in clusters:
        bodies.append(
            BodyPlan(c.cluster_id, "cluster", c.health_board, c.pcpg_id, c.cluster_id, None)
        )
        bodies.extend(
            BodyPlan(
                collaborative_id(c.cluster_id, p.code),
                "collaborative",
                c.health_board,
                c.pcpg_id,
                c.cluster_id,
                p.code,
            )
            for p in register.professions
        )
    for body in bodies:
        size = CLUSTER_MEMBERS if body.kind == "cluster" else COLLABORATIVE_MEMBERS
        body.people = [f"{body.body_id}/p{n}" for n in range(size)]
    return bodies


def _new(event: IntegrationEvent) -> NewEvent:
    return NewEvent(event_type=event.event_type, data=event.model_dump(mode="json"))


def membership_events(body: BodyPlan) -> list[NewEvent]:
    """The body's people, their organisations, memberships, its lead and its quorum rule."""
    facts = body_place(body)
    events: list[IntegrationEvent] = []
    for n, person in enumerate(body.people):
        organisation = f"{person}/org"
        events += [
            published.OrganisationRegistered(
                organisation_id=organisation,
                ods_code=None,
                name=f"Practice {n}",
                kind="other",
                profession=body.profession,
                cluster_id=body.cluster_id,
                pcpg_id=body.pcpg_id,
                health_board=body.health_board,
                health_board_salaried=False,
            ),
            published.PersonRegistered(
                person_id=person, name=f"Person {n}", role_title=None, contact=None
            ),
            published.MemberEnrolled(
                **facts,
                membership_id=f"{person}/m",
                person_id=person,
                kind="core",
                role_title="Member",
                organisation_id=organisation,
                start_date=START,
            ),
        ]
    events += [
        published.LeadAppointed(
            **facts,
            appointment_id=f"{body.body_id}/lead",
            person_id=body.people[0],
            role="cluster_lead" if body.kind == "cluster" else "collaborative_lead",
            start_date=START,
            end_date=None,
            usual_workplace_id=f"{body.people[0]}/org",
            usual_workplace_ods_code=None,
            usual_workplace_health_board_salaried=False,
        ),
        published.TermsOfReferenceReviewed(
            **facts, reviewed_on=START, reviewed_by=body.pcpg_id, quorum_minimum_core_members=QUORUM
        ),
    ]
    return [_new(e) for e in events]


async def write_membership(store: EventStore, bodies: list[BodyPlan]) -> int:
    """Append every body's membership events; return how many memberships there are."""
    for body in bodies:
        await store.append(f"bench-roster-{body.body_id}", None, membership_events(body))
    return sum(len(b.people) for b in bodies)


def meeting_scripts(body: BodyPlan, rng: random.Random) -> list[list[Command]]:
    """Each of the body's four meetings as the commands a clerk sends, in order.

    The meeting id is filled in from ``ScheduleMeeting``'s answer: requests hold "" until then.
    """
    scripts = []
    for quarter in QUARTERS:
        day = quarter + dt.timedelta(days=rng.randrange(28))
        schedule = pb.ScheduleMeetingRequest(
            body_id=body.body_id,
            kind="ordinary",
            mode="virtual",
            date=day.isoformat(),
            start_time="18:30",
            agenda=[
                pb.ProposedAgendaItem(title=title, purpose=purpose, lead="Chair")
                for title, purpose in (
                    ("Minutes", "information"),
                    ("Plan", "discussion"),
                    ("Funding", "decision"),
                )
            ],
        )
        script: list[Command] = [("ScheduleMeeting", schedule)]
        register = []
        for n, person in enumerate(body.people):
            roll = rng.random()
            status = "present" if n == 0 or roll < 0.8 else "apologies" if roll < 0.95 else "absent"
            register.append(pb.AttendanceEntry(person_id=person, status=status))
        script.append(
            ("RecordAttendanceRegister", pb.RecordAttendanceRegisterRequest(entries=register))
        )
        script += [
            (
                "RecordDeclaration",
                pb.RecordDeclarationRequest(
                    person_id=body.people[0],
                    item_number=3,
                    kind="financial",
                    description="Owner",
                ),
            ),
            ("RecordDecision", pb.RecordDecisionRequest(item_number=3, text="Agreed")),
            (
                "RaiseAction",
                pb.RaiseActionRequest(
                    description="Agree cluster plans",
                    lead="All",
                    due_date=(day + dt.timedelta(days=60)).isoformat(),
                ),
            ),
            (
                "RaiseAction",
                pb.RaiseActionRequest(
                    description="Report back",
                    lead="Chair",
                    due_date=(day + dt.timedelta(days=90)).isoformat(),
                ),
            ),
            ("RecordMeetingHeld", pb.RecordMeetingHeldRequest(chair_person_id=body.people[0])),
        ]
        scripts.append(script)
    return scripts
