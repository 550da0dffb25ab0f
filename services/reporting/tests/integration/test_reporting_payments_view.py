"""Payments by rule from recorded payments events, on PostgreSQL; redelivery and rebuild."""

import datetime as dt
import uuid
from typing import Any

import asyncpg
import pytest

from kernel.events import RecordedEvent
from kernel.projections import ProjectionHandler, create_tables, physical_tables
from kernel.projections.rebuild import rebuild
from reporting.adapters.payment_queries import PostgresPaymentQueries
from reporting.adapters.payments_view import PaymentsView
from reporting.application.cluster_report import RulePayments

from .ledger_samples import CLUSTER, ledger_entry

pytestmark = pytest.mark.integration

OTHER = "7A1-north-denbighshire"


class Recorded:
    """Payments' events, numbered as its store would; also an ``EventSource`` for rebuilds."""

    name = "payments"

    def __init__(self) -> None:
        self.events: list[RecordedEvent] = []

    def add(self, event_type: str, **data: Any) -> None:
        now, n = dt.datetime.now(dt.UTC), len(self.events) + 1
        self.events.append(
            RecordedEvent("s", n, n, uuid.uuid4(), event_type, 1, data, {}, now, now)
        )

    def entry(self, entry_id: int, rule: str, pence: int, **where: Any) -> None:
        posted = ledger_entry(entry_id, rule, pence, **where)
        self.add(posted.event_type, **posted.model_dump(mode="json"))

    async def read(self, after_position: int, limit: int) -> list[RecordedEvent]:
        return self.events[after_position : after_position + limit]


async def test_payments_are_totalled_by_rule_with_what_approved_schedules_carry(
    pg_pool: asyncpg.Pool, pg_schema: str
) -> None:
    payments = Recorded()
    payments.entry(1, "CP-COLLAB-MEETING", 12_000)
    payments.entry(2, "CP-COLLAB-MEETING", 12_000)
    payments.entry(3, "LEAD-AT-CLUSTER", 26_000)
    payments.entry(4, "CP-COLLAB-MEETING", 12_000, cluster_id=OTHER)
    payments.entry(5, "CP-COLLAB-MEETING", 12_000, financial_year="2023/24")
    drafted = {"health_board": "7A1", "period": "2024-06", "total_pence": 0}
    payments.add("payments.ScheduleDrafted", schedule_id="s-1", entry_ids=[1, 3], **drafted)
    payments.add(
        "payments.ScheduleApproved", schedule_id="s-1", health_board="7A1", approved_by="fd"
    )
    payments.entry(6, "CP-COLLAB-MEETING", -12_000, reverses=2)  # a correction after accrual
    payments.add("payments.ScheduleDrafted", schedule_id="s-2", entry_ids=[2, 6], **drafted)
    view = PaymentsView()
    handler = ProjectionHandler(view, pg_schema)
    async with pg_pool.acquire() as conn:
        await create_tables(conn, pg_schema, view)
        for _ in range(2):  # a redelivered batch changes nothing
            async with conn.transaction():
                await handler.handle(conn, payments.events)
    queries = PostgresPaymentQueries(pg_pool, handler.tables)
    expected = [
        RulePayments("CP-COLLAB-MEETING", 12_000, 12_000, 3),  # s-2 is not approved yet
        RulePayments("LEAD-AT-CLUSTER", 26_000, 26_000, 1),
    ]
    assert await queries.by_rule(CLUSTER, "2024/25") == expected

    tables = physical_tables(pg_schema, view)
    live = {
        name: await pg_pool.fetch(f"SELECT * FROM {t} ORDER BY 1") for name, t in tables.items()
    }
    await rebuild(pg_pool, pg_schema, view, [payments])
    assert {
        name: await pg_pool.fetch(f"SELECT * FROM {t} ORDER BY 1") for name, t in tables.items()
    } == live
    assert await queries.by_rule(CLUSTER, "2024/25") == expected
