"""``Register`` over the live tables of ``MembershipView``.

Appointment spans are inclusive (an appointment ending on 31 March still counts that day),
as in membership.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import asyncpg

from reporting.application.ports import LEAD_ROLES
from reporting.domain.assignment import Cluster


class PostgresRegister:
    def __init__(self, pool: asyncpg.Pool, tables: Mapping[str, str]) -> None:
        self._pool = pool
        self._cluster = (
            f"SELECT health_board, closed_on FROM {tables['clusters']} WHERE cluster_id = $1"
        )
        self._leads = (
            f"SELECT person_id FROM {tables['cluster_leads']} WHERE cluster_id = $1"
            " AND role = ANY($2::text[]) AND start_date <= $3"
            " AND (end_date IS NULL OR end_date >= $3)"
        )

    async def find_cluster(self, cluster_id: str) -> Cluster | None:
        row = await self._pool.fetchrow(self._cluster, cluster_id)
        return None if row is None else Cluster(cluster_id, row["health_board"], row["closed_on"])

    async def leads_on(self, cluster_id: str, on: dt.date) -> set[str]:
        rows = await self._pool.fetch(self._leads, cluster_id, list(LEAD_ROLES), on)
        return {r["person_id"] for r in rows}
