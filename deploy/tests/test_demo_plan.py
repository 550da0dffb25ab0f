"""The demo's plan of Wales, without a platform: the register's answers are faked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from clwstwr.membership.v1 import membership_service_pb2 as pb
from clwstwr_ops.demo import load
from clwstwr_ops.demo.meetings_wales import QUARTERS
from clwstwr_ops.demo.membership_wales import PROFESSIONS, START, plan_wales

CLUSTERS = [("7A1-anglesey", "7A1"), ("7A1-arfon", "7A1"), ("7A4-cardiff-north", "7A4")]


async def register(rpc: str, request: Any, token: str) -> Any:
    """ListClusters and ListCollaboratives as a seeded register answers them."""
    assert token == "national"
    if rpc == "ListClusters":
        return pb.ListClustersResponse(
            clusters=[pb.Cluster(id=c, health_board=board, name=c) for c, board in CLUSTERS]
        )
    assert rpc == "ListCollaboratives"
    return pb.ListCollaborativesResponse(
        collaboratives=[
            pb.Collaborative(id=f"{request.cluster_id}.{p}", profession=p) for p in PROFESSIONS
        ]
    )


async def demo_plans() -> list[Any]:
    plans = await plan_wales(register, load.DEMO_SEED, load.JOINED_WITHIN_DAYS)
    for n, seat in enumerate(s for plan in plans for s in plan.seats):
        seat.person_id = f"person-{n}"  # as RegisterPerson would answer
    return plans


async def test_everyone_sits_before_the_first_meeting_and_each_lead_chairs() -> None:
    plans = await demo_plans()
    first_meeting = min(QUARTERS)
    assert all(START <= s.start < first_meeting for p in plans for s in p.seats)
    for plan in plans:
        leads = plan.leads()
        for body, _, script in load._meetings(plan):
            rpc, held = script[-1]
            assert rpc == "RecordMeetingHeld"
            assert held.chair_person_id == leads[body.body_id].person_id
            assert dt.date.fromisoformat(script[0][1].date) >= first_meeting


async def test_the_same_seed_plans_the_same_wales_and_meetings() -> None:
    first, again = await demo_plans(), await demo_plans()
    assert [s.name for p in first for s in p.seats] == [s.name for p in again for s in p.seats]
    scripts = [str(script) for p in first for _, _, script in load._meetings(p)]
    assert scripts == [str(script) for p in again for _, _, script in load._meetings(p)]


async def test_every_body_reviews_its_terms_and_the_count_covers_every_command() -> None:
    [plan, *_] = await demo_plans()
    terms = load._terms_calls(plan)
    assert {request.body_id for _, request, _, _ in terms} == set(plan.bodies())
    membership = [
        *plan.organisation_calls(),
        *plan.person_calls(),
        *plan.membership_calls(),
        *plan.appointment_calls(),
        *terms,
    ]
    meetings = sum(len(script) for _, _, script in load._meetings(plan))
    assert load.commands_of(plan) == len(membership) + meetings
