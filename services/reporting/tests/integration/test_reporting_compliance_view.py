"""Compliance from recorded membership and meetings events, on PostgreSQL; and its rebuild."""

import datetime as dt
import uuid
from collections.abc import Sequence

import asyncpg
import pytest

from kernel.calendar import FinancialYear
from kernel.events import RecordedEvent
from kernel.messaging import DbConnection
from kernel.projections import Projection, ProjectionHandler, create_tables, physical_tables
from kernel.projections.rebuild import rebuild
from reporting.adapters.compliance_queries import PostgresComplianceQueries
from reporting.adapters.compliance_view import ComplianceView
from reporting.adapters.membership_view import MembershipView
from reporting.domain.compliance import assess
from reporting.domain.findings import FindingCode

pytestmark = pytest.mark.integration

FY = FinancialYear(2024)
AFTER_YEAR = dt.date(2025, 5, 1)
CLUSTER, DENTAL, PCPG = "7A1-anglesey", "7A1-anglesey.dental", "7A1-isle-of-anglesey"
QUARTER_DAYS = ["2024-05-15", "2024-08-15", "2024-11-15", "2025-02-15"]
WHERE: dict[str, str | None] = {"health_board": "7A1", "pcpg_id": PCPG}
BODIES: dict[str, dict[str, str | None]] = {
    CLUSTER: {**WHERE, "body_kind": "cluster", "cluster_id": CLUSTER, "profession": None},
    DENTAL: {**WHERE, "body_kind": "collaborative", "cluster_id": CLUSTER, "profession": "dental"},
    PCPG: {**WHERE, "body_kind": "pcpg", "cluster_id": None, "profession": None},
}
CHAIR_ROLE = {CLUSTER: "cluster_lead", DENTAL: "collaborative_lead", PCPG: "deputy_chair"}


class Recorded:
    """A source's events, numbered as its store would; also an ``EventSource`` for rebuilds."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.events: list[RecordedEvent] = []

    def add(self, event_type: str, **data: object) -> RecordedEvent:
        now, n = dt.datetime.now(dt.UTC), len(self.events) + 1
        event = RecordedEvent("s", n, n, uuid.uuid4(), event_type, 1, data, {}, now, now)
        self.events.append(event)
        return event

    async def read(self, after_position: int, limit: int) -> list[RecordedEvent]:
        return self.events[after_position : after_position + limit]


def register() -> Recorded:
    members = Recorded("membership")
    members.add("membership.PcpgEstablished", **WHERE, name="Anglesey", established_on="2023-04-01")
    members.add(
        "membership.ClusterEstablished", **WHERE, cluster_id=CLUSTER, name="Anglesey",
        established_on="2023-04-01",
    )  # fmt: skip
    members.add(
        "membership.CollaborativeEstablished", collaborative_id=DENTAL, cluster_id=CLUSTER,
        health_board="7A1", profession="dental", established_on="2023-04-01",
    )  # fmt: skip
    for body, role in CHAIR_ROLE.items():
        members.add(
            "membership.LeadAppointed", **BODIES[body], body_id=body, appointment_id=f"a-{body}",
            person_id=f"chair-{body}", role=role, start_date="2024-04-01", end_date=None,
        )  # fmt: skip
    for body in (CLUSTER, DENTAL):  # the PCPG's terms are never reviewed
        members.add(
            "membership.TermsOfReferenceReviewed", **BODIES[body], body_id=body,
            reviewed_on="2024-04-01", reviewed_by=PCPG, quorum_minimum_core_members=1,
        )  # fmt: skip
    return members


def meeting(
    meetings: Recorded, body: str, day: str, present: Sequence[str], *, none_declared: bool = True
) -> str:
    facts = {**BODIES[body], "body_id": body, "meeting_date": day, "meeting_kind": "ordinary"}
    meeting_id = f"{body}@{day}"
    meetings.add("meetings.MeetingScheduled", **facts, meeting_id=meeting_id)
    if none_declared:
        meetings.add("meetings.NoDeclarationsRecorded", meeting_id=meeting_id, health_board="7A1")
    attendance = [
        {"person_id": p, "status": "present", "organisation_id": None, "profession": None,
         "membership_kind": "core", "held_lead_appointment": p == f"chair-{body}"}
        for p in present
    ]  # fmt: skip
    meetings.add(
        "meetings.MeetingHeld", **facts, meeting_id=meeting_id, chair_person_id=f"chair-{body}",
        chaired_by_lead=body != PCPG, quorate=True, attendance=attendance,
    )  # fmt: skip
    meetings.add(
        "meetings.MinutesApproved", meeting_id=meeting_id, body_id=body, health_board="7A1",
        approved_on=day,
    )  # fmt: skip
    return meeting_id


def a_year(meetings: Recorded) -> dict[str, str]:
    """Every body meets every quarter, except the dental PC in Q3; its lead misses Q2's cluster.

    The dental PC's Q4 minutes have no declarations item.
    """
    ids = {}
    for n, day in enumerate(QUARTER_DAYS, start=1):
        leads = [f"chair-{CLUSTER}"] + ([] if n == 2 else [f"chair-{DENTAL}"])
        ids[f"cluster Q{n}"] = meeting(meetings, CLUSTER, day, leads)
        ids[f"pcpg Q{n}"] = meeting(meetings, PCPG, day, [f"chair-{PCPG}"])
        if n != 3:
            ids[f"dental Q{n}"] = meeting(
                meetings, DENTAL, day, [f"chair-{DENTAL}"], none_declared=n != 4
            )
    return ids


async def _apply(
    conn: DbConnection, handler: ProjectionHandler, events: Sequence[RecordedEvent]
) -> None:
    async with conn.transaction():
        await handler.handle(conn, events)


async def _findings(pool: asyncpg.Pool, tables: dict[str, str]) -> set[tuple[str, str, str]]:
    [facts] = await PostgresComplianceQueries(pool, tables).facts(None, CLUSTER, FY)
    return {(f.body_id, f.code, f.subject) for f in assess(facts, FY, AFTER_YEAR).findings}


async def _snapshot(pool: asyncpg.Pool, schema: str, view: Projection) -> dict[str, list[str]]:
    tables = physical_tables(schema, view)
    return {
        name: sorted(repr(tuple(r)) for r in await pool.fetch(f"SELECT * FROM {table}"))
        for name, table in tables.items()
    }


async def test_findings_follow_corrections_and_cancellations_and_survive_a_rebuild(
    pg_pool: asyncpg.Pool, pg_schema: str
) -> None:
    views = (MembershipView(), ComplianceView())
    members, meetings = register(), Recorded("meetings")
    ids = a_year(meetings)
    handlers = [ProjectionHandler(v, pg_schema) for v in views]
    tables = {**handlers[0].tables, **handlers[1].tables}
    async with pg_pool.acquire() as conn:
        for view in views:
            await create_tables(conn, pg_schema, view)
        await _apply(conn, handlers[1], meetings.events)  # meetings first: order does not matter
        await _apply(conn, handlers[0], members.events)
    planted = {
        (DENTAL, FindingCode.NO_MEETING_IN_QUARTER, "Q3"),
        (CLUSTER, FindingCode.PC_LEAD_ABSENT, f"{ids['cluster Q2']}/{DENTAL}"),
        (PCPG, FindingCode.TERMS_OF_REFERENCE_OVERDUE, "FY"),
        (DENTAL, FindingCode.DECLARATIONS_NOT_RECORDED, ids["dental Q4"]),
    }
    assert await _findings(pg_pool, tables) == planted

    # The dental lead was there after all; the PCPG's Q4 meeting is voided.
    q2, q4 = ids["cluster Q2"], ids["pcpg Q4"]
    more = len(meetings.events)
    meetings.add(
        "meetings.AttendanceCorrected", **BODIES[CLUSTER], body_id=CLUSTER, meeting_id=q2,
        meeting_date=QUARTER_DAYS[1], meeting_kind="ordinary", previous_status=None,
        reason="signed in late",
        attendee={
            "person_id": f"chair-{DENTAL}", "status": "present", "organisation_id": None,
            "profession": "dental", "membership_kind": "core", "held_lead_appointment": False,
        },
    )  # fmt: skip
    meetings.add(
        "meetings.MeetingCancelled", **BODIES[PCPG], body_id=PCPG, meeting_id=q4,
        meeting_date=QUARTER_DAYS[3], meeting_kind="ordinary", reason="recorded twice",
        was_held=True,
    )  # fmt: skip
    async with pg_pool.acquire() as conn:
        await _apply(conn, handlers[1], meetings.events[more:])
    assert await _findings(pg_pool, tables) == {
        (DENTAL, FindingCode.NO_MEETING_IN_QUARTER, "Q3"),
        (PCPG, FindingCode.NO_MEETING_IN_QUARTER, "Q4"),
        (PCPG, FindingCode.TERMS_OF_REFERENCE_OVERDUE, "FY"),
        (DENTAL, FindingCode.DECLARATIONS_NOT_RECORDED, ids["dental Q4"]),
    }

    live = [await _snapshot(pg_pool, pg_schema, v) for v in views]
    found = await _findings(pg_pool, tables)
    await rebuild(pg_pool, pg_schema, views[0], [members])
    await rebuild(pg_pool, pg_schema, views[1], [meetings])
    assert [await _snapshot(pg_pool, pg_schema, v) for v in views] == live
    assert await _findings(pg_pool, tables) == found
