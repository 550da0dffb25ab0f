"""The read side over payments' own tables (``application.ports.PaymentQueries``)."""

from __future__ import annotations

import datetime as dt

import asyncpg

from payments.adapters.facts_loader import load_cards
from payments.application.ports import (
    AccrualFilter,
    ExportRow,
    LedgerLine,
    ScheduleView,
)
from payments.domain.facts import Organisation
from payments.domain.ledger import LedgerEntryPosted
from payments.domain.rate_card import RateCard

_LINE = (
    "SELECT l.entry_id, l.payee, l.payee_kind, l.rule_id, l.card_id, l.source_kind,"
    ' l.source_id, l.part, l.amount_pence, l.reverses, l."on", l.financial_year,'
    " l.health_board, l.cluster_id, l.caused_by, s.schedule_id"
    " FROM {s}.ledger l LEFT JOIN {s}.schedules s ON l.entry_id = ANY(s.entry_ids)"
)


class PostgresPaymentQueries:
    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        self._pool = pool
        self._s = schema
        self._line = _LINE.replace("{s}", schema)

    async def cards(self) -> tuple[RateCard, ...]:
        async with self._pool.acquire() as conn:
            return await load_cards(conn, self._s)

    async def organisation(self, organisation_id: str) -> Organisation | None:
        row = await self._pool.fetchrow(
            f"SELECT organisation_id, kind, cluster_id, health_board, health_board_salaried,"
            f" ods_code FROM {self._s}.organisations WHERE organisation_id = $1",
            organisation_id,
        )
        return None if row is None else Organisation(**row)

    async def person_known(self, person_id: str) -> bool:
        found = await self._pool.fetchval(
            f"SELECT 1 FROM {self._s}.people WHERE person_id = $1", person_id
        )
        return found is not None

    async def claims_not_rejected(self, payee: str, rule_id: str, year: str) -> int:
        count = await self._pool.fetchval(
            f"SELECT count(*) FROM {self._s}.claims WHERE payee = $1 AND rule_id = $2"
            " AND financial_year = $3 AND status <> 'rejected'",
            payee,
            rule_id,
            year,
        )
        return int(count or 0)

    async def unscheduled(self, board: str, up_to: dt.date) -> dict[int, int]:
        rows = await self._pool.fetch(
            f"SELECT entry_id, amount_pence FROM {self._s}.ledger l WHERE health_board = $1"
            ' AND "on" <= $2 AND NOT EXISTS (SELECT 1 FROM'
            f" {self._s}.schedules s WHERE l.entry_id = ANY(s.entry_ids))",
            board,
            up_to,
        )
        return {r["entry_id"]: r["amount_pence"] for r in rows}

    async def statement(self, payee: str, year: str) -> list[LedgerLine]:
        rows = await self._pool.fetch(
            f"{self._line} WHERE l.payee = $1 AND l.financial_year = $2 ORDER BY l.entry_id",
            payee,
            year,
        )
        return [_line(r) for r in rows]

    async def accruals(self, only: AccrualFilter, after: int, limit: int) -> list[LedgerLine]:
        rows = await self._pool.fetch(
            f"{self._line} WHERE l.entry_id > $1"
            " AND ($2::text IS NULL OR l.health_board = $2)"
            " AND ($3::text IS NULL OR l.cluster_id = $3)"
            " AND ($4::text IS NULL OR l.financial_year = $4)"
            " AND ($5::text IS NULL OR l.rule_id = $5)"
            " ORDER BY l.entry_id LIMIT $6",
            after,
            only.health_board,
            only.cluster_id,
            only.financial_year,
            only.rule_id,
            limit,
        )
        return [_line(r) for r in rows]

    async def schedule(self, schedule_id: str) -> ScheduleView | None:
        row = await self._pool.fetchrow(
            f"SELECT * FROM {self._s}.schedules WHERE schedule_id = $1", schedule_id
        )
        if row is None:
            return None
        return ScheduleView(
            schedule_id=row["schedule_id"],
            health_board=row["health_board"],
            period=row["period"],
            entry_ids=tuple(row["entry_ids"]),
            total_pence=row["total_pence"],
            approved_by=row["approved_by"],
        )

    async def export_rows(self, schedule_id: str) -> list[ExportRow]:
        rows = await self._pool.fetch(
            f"SELECT l.payee, o.ods_code, l.rule_id, sum(l.amount_pence)::bigint AS amount_pence"
            f" FROM {self._s}.schedules s JOIN {self._s}.ledger l ON l.entry_id = ANY(s.entry_ids)"
            f" LEFT JOIN {self._s}.organisations o ON o.organisation_id = l.payee"
            " WHERE s.schedule_id = $1 GROUP BY l.payee, o.ods_code, l.rule_id"
            " ORDER BY l.payee, l.rule_id",
            schedule_id,
        )
        return [ExportRow(**r) for r in rows]

    async def last_accrued_on(self) -> dt.date | None:
        last: dt.date | None = await self._pool.fetchval(
            f'SELECT max(l."on") FROM {self._s}.ledger_standing s'
            f" JOIN {self._s}.ledger l USING (entry_id)"
        )
        return last

    async def payee_board(self, payee: str) -> str | None:
        board: str | None = await self._pool.fetchval(
            f"SELECT health_board FROM {self._s}.organisations WHERE organisation_id = $1"
            f" UNION ALL SELECT health_board FROM {self._s}.appointments WHERE person_id = $1"
            f" UNION ALL SELECT health_board FROM {self._s}.ledger WHERE payee = $1 LIMIT 1",
            payee,
        )
        return board


def _line(row: asyncpg.Record) -> LedgerLine:
    entry = {k: v for k, v in row.items() if k != "schedule_id"}
    return LedgerLine(LedgerEntryPosted.model_validate(entry), row["schedule_id"])
