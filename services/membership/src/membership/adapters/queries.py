"""Queries over the register's read model (``RegisterView``'s tables), in key order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import asyncpg

from membership.application.paging import PageRequest
from membership.application.ports import BoardView, ClusterView, CollaborativeView
from membership.domain.cluster import ClusterName

# The name in force on $1: the latest effective date not after it; the later rename on a tie.
_CLUSTERS = """
SELECT c.*, n.name, n.name_cy FROM {clusters} c CROSS JOIN LATERAL (
    SELECT name, name_cy FROM {cluster_names} h
    WHERE h.cluster_id = c.cluster_id AND h.effective_from <= $1
    ORDER BY h.effective_from DESC, h.position DESC LIMIT 1) n
WHERE c.established_on <= $1 AND ($2::text IS NULL OR c.health_board = $2)
  AND ($3::text IS NULL OR c.cluster_id > $3) AND ($4::text IS NULL OR c.cluster_id = $4)
ORDER BY c.cluster_id LIMIT $5
"""


class PostgresRegisterQueries:
    """``RegisterQueries`` on the projection's live tables."""

    def __init__(self, pool: asyncpg.Pool, tables: Mapping[str, str]) -> None:
        self._pool = pool
        self._tables = tables
        self._clusters = _CLUSTERS.format(**tables)

    async def list_boards(self, page: PageRequest) -> list[BoardView]:
        rows = await self._pool.fetch(
            f"SELECT * FROM {self._tables['boards']} WHERE $1::text IS NULL OR ods_code > $1"
            " ORDER BY ods_code LIMIT $2",
            page.after,
            page.size + 1,
        )
        return [BoardView(r["ods_code"], r["name"], r["name_cy"]) for r in rows]

    async def list_clusters(
        self, board: str | None, as_of: dt.date, page: PageRequest
    ) -> list[ClusterView]:
        rows = await self._pool.fetch(self._clusters, as_of, board, page.after, None, page.size + 1)
        return await self._with_history(rows)

    async def get_cluster(self, cluster_id: str, as_of: dt.date) -> ClusterView | None:
        rows = await self._pool.fetch(self._clusters, as_of, None, None, cluster_id, 1)
        found = await self._with_history(rows)
        return found[0] if found else None

    async def list_collaboratives(
        self, cluster_id: str, page: PageRequest
    ) -> list[CollaborativeView]:
        rows = await self._pool.fetch(
            f"SELECT * FROM {self._tables['collaboratives']} WHERE cluster_id = $1"
            " AND ($2::text IS NULL OR collaborative_id > $2) ORDER BY collaborative_id LIMIT $3",
            cluster_id,
            page.after,
            page.size + 1,
        )
        return [
            CollaborativeView(
                r["collaborative_id"], r["cluster_id"], r["profession"], r["established_on"]
            )
            for r in rows
        ]

    async def _with_history(self, rows: list[asyncpg.Record]) -> list[ClusterView]:
        history = await self._pool.fetch(
            f"SELECT * FROM {self._tables['cluster_names']} WHERE cluster_id = ANY($1::text[])"
            " ORDER BY cluster_id, effective_from, position",
            [r["cluster_id"] for r in rows],
        )
        names: dict[str, list[ClusterName]] = {}
        for h in history:
            names.setdefault(h["cluster_id"], []).append(
                ClusterName(h["name"], h["name_cy"], h["effective_from"])
            )
        return [
            ClusterView(
                cluster_id=r["cluster_id"],
                health_board=r["health_board"],
                name=r["name"],
                name_cy=r["name_cy"],
                local_authority=r["local_authority"],
                population=r["population"],
                pcpg_id=r["pcpg_id"],
                pcpg_name=r["pcpg_name"],
                established_on=r["established_on"],
                name_history=names.get(r["cluster_id"], []),
            )
            for r in rows
        ]
