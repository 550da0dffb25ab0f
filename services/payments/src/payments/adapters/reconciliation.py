"""Reconciliation against the running platform: the events from the feeds, the ledger's sums."""

from __future__ import annotations

import json

import asyncpg

from kernel.feed import LocalEventSource
from kernel.grpc.eventfeed import EventFeedClient
from kernel.postgres.eventstore import PostgresEventStore
from payments.application.reconciliation import (
    Difference,
    Sources,
    Total,
    differences,
    totals_from_events,
)
from payments.settings import PaymentsSettings


async def ledger_totals(pool: asyncpg.Pool, schema: str) -> dict[Total, int]:
    rows = await pool.fetch(
        f"SELECT health_board, financial_year, payee, rule_id, sum(amount_pence)::bigint"
        f" FROM {schema}.ledger GROUP BY 1, 2, 3, 4"
    )
    return {(r[0], r[1], r[2], r[3]): r[4] for r in rows if r[4]}


async def reconcile(pool: asyncpg.Pool, settings: PaymentsSettings) -> tuple[int, list[Difference]]:
    """How many totals were compared, and every one where the ledger and the events differ."""
    targets: dict[str, str] = json.loads(settings.feed_targets)
    token = settings.feed_token.get_secret_value()
    feeds = [
        EventFeedClient(targets[name], name, token)
        for name in (settings.membership_source, settings.meetings_source)
    ]
    schema = settings.service_name
    try:
        own = LocalEventSource(schema, PostgresEventStore(pool, schema))
        expected = await totals_from_events(Sources(feeds[0], feeds[1], own))
    finally:
        for feed in feeds:
            await feed.close()
    held = await ledger_totals(pool, schema)
    return len(set(expected) | set(held)), differences(expected, held)
