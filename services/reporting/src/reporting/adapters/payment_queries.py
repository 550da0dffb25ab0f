"""``PaymentQueries`` over the live tables of ``PaymentsView``."""

from __future__ import annotations

from collections.abc import Mapping

import asyncpg

from reporting.application.cluster_report import RulePayments


class PostgresPaymentQueries:
    def __init__(self, pool: asyncpg.Pool, tables: Mapping[str, str]) -> None:
        self._pool = pool
        self._by_rule = (
            "SELECT e.rule_id, sum(e.amount_pence) AS accrued,"
            " coalesce(sum(e.amount_pence) FILTER (WHERE s.approved), 0) AS scheduled,"
            " count(*) AS entries"
            f" FROM {tables['ledger_entries']} e LEFT JOIN {tables['payment_schedules']} s"
            " ON s.schedule_id = e.schedule_id"
            " WHERE e.cluster_id = $1 AND e.financial_year = $2 GROUP BY 1 ORDER BY 1"
        )

    async def by_rule(self, cluster_id: str, financial_year: str) -> list[RulePayments]:
        rows = await self._pool.fetch(self._by_rule, cluster_id, financial_year)
        return [
            RulePayments(r["rule_id"], int(r["accrued"]), int(r["scheduled"]), r["entries"])
            for r in rows
        ]
