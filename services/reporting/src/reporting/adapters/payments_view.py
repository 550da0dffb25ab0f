"""Reporting's copy of the payments ledger: each entry's rule, cluster, year and schedule.

Fed over the broker by a ``Subscription`` to payments (``LedgerEntryPosted``, and the schedule
events that gather entries) and rebuildable from position 0. Entries are kept one row each, not
summed on arrival, so a redelivered event changes nothing and every total in a report can be
traced to the entries (and so the meetings and claims) behind it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from kernel.events import RecordedEvent
from kernel.messaging import DbConnection
from kernel.projections import execute_statements

Data = Mapping[str, Any]
Tables = Mapping[str, str]
Write = tuple[Any, ...]

_TABLES = {
    "ledger_entries": (
        "CREATE TABLE {table} (entry_id bigint PRIMARY KEY, health_board text NOT NULL,"
        " cluster_id text, financial_year text NOT NULL, rule_id text NOT NULL,"
        " amount_pence bigint NOT NULL, schedule_id text);"
        " CREATE INDEX {name}_by_cluster ON {table} (cluster_id, financial_year)"
    ),
    "payment_schedules": (
        "CREATE TABLE {table} (schedule_id text PRIMARY KEY, health_board text NOT NULL,"
        " approved boolean NOT NULL DEFAULT false)"
    ),
}


_POSTED = "payments.LedgerEntryPosted"
# Each column of an entry row, with the type its array is sent as.
_ENTRY_COLUMNS = (
    ("entry_id", "bigint"),
    ("health_board", "text"),
    ("cluster_id", "text"),
    ("financial_year", "text"),
    ("rule_id", "text"),
    ("amount_pence", "bigint"),
)


async def _insert_entries(conn: DbConnection, entries: Sequence[Data], t: Tables) -> None:
    """Insert a run of posted entries in one statement (a rebuild reads tens of thousands)."""
    if not entries:
        return
    names = ", ".join(name for name, _ in _ENTRY_COLUMNS)
    arrays = ", ".join(f"${n}::{kind}[]" for n, (_, kind) in enumerate(_ENTRY_COLUMNS, 1))
    await conn.execute(
        f"INSERT INTO {t['ledger_entries']} ({names}) SELECT * FROM unnest({arrays})"
        " ON CONFLICT DO NOTHING",
        *([e[name] for e in entries] for name, _ in _ENTRY_COLUMNS),
    )


def _drafted(data: Data, t: Tables) -> Iterator[Write]:
    yield (
        f"INSERT INTO {t['payment_schedules']} (schedule_id, health_board) VALUES ($1, $2)"
        " ON CONFLICT DO NOTHING",
        data["schedule_id"],
        data["health_board"],
    )
    yield (
        f"UPDATE {t['ledger_entries']} SET schedule_id = $1 WHERE entry_id = ANY($2::bigint[])",
        data["schedule_id"],
        list(data["entry_ids"]),
    )


def _approved(data: Data, t: Tables) -> Iterator[Write]:
    yield (
        f"UPDATE {t['payment_schedules']} SET approved = true WHERE schedule_id = $1",
        data["schedule_id"],
    )


WRITES: Mapping[str, Callable[[Data, Tables], Iterator[Write]]] = {
    "payments.ScheduleDrafted": _drafted,
    "payments.ScheduleApproved": _approved,
}


class PaymentsView:
    """The ledger as reports need it (a kernel ``Projection`` of payments' events)."""

    name = "reporting.payments_view"
    tables: Mapping[str, str] = _TABLES
    event_types = frozenset({_POSTED, *WRITES})  # for a rebuild's reads

    async def apply(
        self, conn: DbConnection, events: Sequence[RecordedEvent], tables: Tables
    ) -> None:
        # Runs of entries go in together; a schedule event waits for the entries before it.
        entries: list[Data] = []
        for event in events:
            if event.event_type == _POSTED:
                entries.append(event.data)
                continue
            await _insert_entries(conn, entries, tables)
            entries = []
            await execute_statements(conn, [event], tables, WRITES)
        await _insert_entries(conn, entries, tables)
