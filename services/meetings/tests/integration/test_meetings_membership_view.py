"""Meetings' copy of membership on PostgreSQL: what each event writes, and the answers as of a
date that attendance, chairing and quorum rely on."""

import datetime as dt
import uuid
from typing import Any

import asyncpg
import pytest

from kernel.events import RecordedEvent
from kernel.projections import create_tables, physical_tables
from meetings.adapters.membership_queries import PostgresMembershipView
from meetings.adapters.membership_view import MembershipView

pytestmark = pytest.mark.integration

CLUSTER, PC = "7A1-anglesey", "7A1-anglesey.optometry"
BODY = {
    "body_id": PC,
    "body_kind": "collaborative",
    "health_board": "7A1",
    "cluster_id": CLUSTER,
    "pcpg_id": "7A1-isle-of-anglesey",
    "profession": "optometry",
}


def event(n: int, event_type: str, **data: Any) -> RecordedEvent:
    now = dt.datetime.now(dt.UTC)
    return RecordedEvent("s", n, n, uuid.uuid4(), event_type, 1, data, {}, now, now)


HISTORY = [
    event(
        1,
        "membership.ClusterEstablished",
        cluster_id=CLUSTER,
        health_board="7A1",
        name="Anglesey",
        name_cy=None,
        local_authority="Isle of Anglesey",
        population=None,
        pcpg_id="7A1-isle-of-anglesey",
        pcpg_name="Anglesey PCPG",
        established_on="2024-04-01",
    ),
    event(
        2,
        "membership.CollaborativeEstablished",
        collaborative_id=PC,
        cluster_id=CLUSTER,
        health_board="7A1",
        profession="optometry",
        established_on="2024-04-01",
    ),
    event(3, "membership.ClustersMerged", whatever="a type meetings does not know yet"),
    event(
        4,
        "membership.OrganisationRegistered",
        organisation_id="o-1",
        ods_code=None,
        name="Menai Eyes",
        kind="optometry_practice",
        profession="optometry",
        cluster_id=CLUSTER,
        pcpg_id="7A1-isle-of-anglesey",
        health_board="7A1",
        health_board_salaried=False,
    ),
    event(
        5, "membership.PersonRegistered", person_id="p-1", name="Ann", role_title=None, contact=None
    ),
    event(
        6,
        "membership.MemberEnrolled",
        **BODY,
        membership_id="m-1",
        person_id="p-1",
        kind="core",
        role_title="Optometrist",
        organisation_id="o-1",
        start_date="2024-09-01",
    ),
    event(
        7,
        "membership.LeadAppointed",
        **BODY,
        appointment_id="a-1",
        person_id="p-1",
        role="collaborative_lead",
        start_date="2024-10-01",
        end_date=None,
        usual_workplace_id="o-1",
        usual_workplace_ods_code=None,
        usual_workplace_health_board_salaried=False,
    ),
    event(
        8,
        "membership.TermsOfReferenceReviewed",
        **BODY,
        reviewed_on="2024-04-01",
        reviewed_by="7A1-isle-of-anglesey",
        quorum_minimum_core_members=3,
    ),
    event(
        9,
        "membership.TermsOfReferenceReviewed",
        **BODY,
        reviewed_on="2024-04-01",
        reviewed_by="7A1-isle-of-anglesey",
        quorum_minimum_core_members=4,
    ),
    event(
        10,
        "membership.MembershipEnded",
        body_id=PC,
        health_board="7A1",
        membership_id="m-1",
        person_id="p-1",
        end_date="2025-03-31",
    ),
    event(
        11,
        "membership.PcpgEstablished",
        pcpg_id="7A1-regional",
        health_board="7A1",
        name="A PCPG with no clusters yet",
        established_on="2024-04-01",
    ),
    event(
        12,
        "membership.ClusterClosed",
        cluster_id=CLUSTER,
        health_board="7A1",
        pcpg_id="7A1-isle-of-anglesey",
        closed_on="2025-06-30",
        reason="merged",
        change_id="c-1",
        successor_cluster_ids=["7A1-ynys-mon"],
        collaborative_ids=[PC],
    ),
]


async def test_membership_as_it_stood_on_each_date(pg_pool: asyncpg.Pool) -> None:
    schema = f"meetings_view_{uuid.uuid4().hex[:8]}"
    view = MembershipView()
    await pg_pool.execute(f"CREATE SCHEMA {schema}")
    try:
        async with pg_pool.acquire() as conn:
            await create_tables(conn, schema, view)
            tables = physical_tables(schema, view)
            await view.apply(conn, HISTORY, tables)
            await view.apply(conn, HISTORY, tables)  # a redriven batch changes nothing twice
        queries = PostgresMembershipView(pg_pool, tables)
        body = await queries.find_body(PC)
        assert body is not None
        assert (body.kind, body.pcpg_id, body.profession) == (
            "collaborative",
            "7A1-isle-of-anglesey",
            "optometry",
        )
        assert body.closed_on == dt.date(2025, 6, 30)  # closed with its cluster
        assert await queries.find_body("7A1-isle-of-anglesey") is not None  # the PCPG
        assert await queries.find_body("7A1-regional") is not None
        assert await queries.standings(PC, ["p-nobody"], dt.date(2024, 9, 2)) == {}
        before = (await queries.standings(PC, ["p-1"], dt.date(2024, 8, 31))).get("p-1")
        assert before is not None
        assert before.membership_kind is None
        member = (await queries.standings(PC, ["p-1"], dt.date(2024, 9, 2))).get("p-1")
        assert member is not None
        assert (member.membership_kind, dict(member.organisations), member.holds_lead) == (
            "core",
            {"o-1": "optometry"},
            False,
        )
        leading = (await queries.standings(PC, ["p-1"], dt.date(2025, 3, 31))).get("p-1")
        assert leading is not None
        assert leading.holds_lead
        after = (await queries.standings(PC, ["p-1"], dt.date(2025, 4, 1))).get("p-1")
        assert after is not None
        assert after.membership_kind is None
        assert await queries.lead_on(PC, dt.date(2024, 10, 1)) == "p-1"
        assert await queries.lead_on(PC, dt.date(2024, 9, 30)) is None
        assert await queries.quorum_on(PC, dt.date(2024, 5, 1)) == 4  # the same-day correction
        assert await queries.quorum_on(PC, dt.date(2024, 3, 31)) is None
    finally:
        await pg_pool.execute(f"DROP SCHEMA {schema} CASCADE")
