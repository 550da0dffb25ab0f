"""Reporting's copy of membership, from recorded membership events, on PostgreSQL."""

import datetime as dt
import uuid

import asyncpg
import pytest

from kernel.events import RecordedEvent
from kernel.projections import ProjectionHandler, create_tables
from reporting.adapters.membership_view import MembershipView
from reporting.adapters.register_queries import PostgresRegister
from reporting.domain.assignment import Cluster

pytestmark = pytest.mark.integration

APPOINTMENT = {
    "body_kind": "cluster",
    "health_board": "7A1",
    "cluster_id": "7A1-anglesey",
    "body_id": "7A1-anglesey",
    "pcpg_id": "7A1-isle-of-anglesey",
    "profession": None,
    "end_date": None,
    "usual_workplace_id": None,
    "usual_workplace_ods_code": None,
    "usual_workplace_health_board_salaried": None,
}


def _event(position: int, event_type: str, **data: object) -> RecordedEvent:
    now = dt.datetime.now(dt.UTC)
    return RecordedEvent("s", position, position, uuid.uuid4(), event_type, 1, data, {}, now, now)


async def test_clusters_and_dated_lead_appointments(pg_pool: asyncpg.Pool, pg_schema: str) -> None:
    view = MembershipView()
    handler = ProjectionHandler(view, pg_schema)
    async with pg_pool.acquire() as conn:
        await create_tables(conn, pg_schema, view)
        events = [
            _event(
                1,
                "membership.ClusterEstablished",
                cluster_id="7A1-anglesey",
                health_board="7A1",
                name="Anglesey",
                pcpg_id="7A1-isle-of-anglesey",
                established_on="2024-04-01",
            ),
            _event(
                2,
                "membership.LeadAppointed",
                **{**APPOINTMENT, "appointment_id": "a-1", "person_id": "p-1"},
                role="cluster_lead",
                start_date="2024-04-01",
            ),
            _event(
                3,
                "membership.LeadAppointed",
                **{**APPOINTMENT, "appointment_id": "a-2", "person_id": "p-2"},
                role="deputy_chair",
                start_date="2024-06-01",
            ),
            _event(
                4,
                "membership.LeadAppointed",
                **{**APPOINTMENT, "body_kind": "collaborative", "body_id": "7A1-anglesey.dental"},
                appointment_id="a-3",
                person_id="p-3",
                role="collaborative_lead",
                start_date="2024-04-01",
            ),
            _event(
                5,
                "membership.AppointmentEnded",
                body_id="7A1-anglesey",
                health_board="7A1",
                appointment_id="a-1",
                person_id="p-1",
                role="cluster_lead",
                end_date="2024-09-30",
            ),
            _event(6, "membership.PersonErased", person_id="p-1"),
            _event(
                7,
                "membership.ClusterClosed",
                cluster_id="7A1-anglesey",
                health_board="7A1",
                closed_on="2025-03-31",
            ),
        ]
        async with conn.transaction():
            await handler.handle(conn, events)
    register = PostgresRegister(pg_pool, handler.tables)
    assert await register.find_cluster("7A1-anglesey") == Cluster(
        "7A1-anglesey", "7A1", dt.date(2025, 3, 31)
    )
    assert await register.find_cluster("7A1-nowhere") is None
    assert await register.leads_on("7A1-anglesey", dt.date(2024, 5, 1)) == {"p-1"}
    assert await register.leads_on("7A1-anglesey", dt.date(2024, 9, 30)) == {"p-1", "p-2"}
    assert await register.leads_on("7A1-anglesey", dt.date(2024, 10, 1)) == {"p-2"}
