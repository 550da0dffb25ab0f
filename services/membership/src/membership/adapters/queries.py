"""Queries over the register's read model (``RegisterView``'s tables), in key order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import asyncpg

from kernel.paging import PageRequest
from membership.application.ports import BoardView, ClusterView, CollaborativeView, PcpgView
from membership.domain.cluster import ClusterName

# The name in force on $1: the latest effective date not after it; the later rename on a tie.
# Only those open on $6 (established by then, not closed before it); $6 NULL: on any date.
_CLUSTERS = """
SELECT c.*, n.name, n.name_cy, x.closed_on, x.successor_ids,
    ARRAY(SELECT predecessor_id FROM {cluster_predecessors} p
          WHERE p.cluster_id = c.cluster_id ORDER BY 1) AS predecessor_ids
FROM {clusters} c LEFT JOIN {cluster_closures} x USING (cluster_id) CROSS JOIN LATERAL (
    SELECT name, name_cy FROM {cluster_names} h
    WHERE h.cluster_id = c.cluster_id AND h.effective_from <= $1
    ORDER BY h.effective_from DESC, h.position DESC LIMIT 1) n
WHERE ($6::date IS NULL OR (c.established_on <= $6 AND (x.closed_on IS NULL OR x.closed_on >= $6)))
  AND ($2::text IS NULL OR c.health_board = $2)
  AND ($3::text IS NULL OR c.cluster_id > $3) AND ($4::text IS NULL OR c.cluster_id = $4)
ORDER BY c.cluster_id LIMIT $5
"""
_COLLABORATIVES = """
SELECT co.*, x.closed_on FROM {collaboratives} co LEFT JOIN {cluster_closures} x USING (cluster_id)
WHERE co.cluster_id = $1 AND ($2::text IS NULL OR co.collaborative_id > $2)
  AND ($4::date IS NULL OR (co.established_on <= $4 AND (x.closed_on IS NULL OR x.closed_on >= $4)))
ORDER BY co.collaborative_id LIMIT $3
"""

# PCPGs are the clusters' planning groups: each with its clusters open on $1.
_PCPGS = """
SELECT c.pcpg_id, c.health_board, min(c.pcpg_name) AS name,
    array_agg(c.cluster_id ORDER BY c.cluster_id) AS cluster_ids
FROM {clusters} c LEFT JOIN {cluster_closures} x USING (cluster_id)
WHERE c.established_on <= $1 AND (x.closed_on IS NULL OR x.closed_on >= $1)
  AND ($2::text IS NULL OR c.health_board = $2) AND ($3::text IS NULL OR c.pcpg_id > $3)
GROUP BY c.pcpg_id, c.health_board ORDER BY c.pcpg_id LIMIT $4
"""


class PostgresRegisterQueries:
    """``RegisterQueries`` on the projection's live tables."""

    def __init__(self, pool: asyncpg.Pool, tables: Mapping[str, str]) -> None:
        self._pool = pool
        self._tables = tables
        self._clusters = _CLUSTERS.format(**tables)
        self._collaboratives = _COLLABORATIVES.format(**tables)
        self._pcpgs = _PCPGS.format(**tables)

    async def list_boards(self, page: PageRequest) -> list[BoardView]:
        rows = await self._pool.fetch(
            f"SELECT * FROM {self._tables['boards']} WHERE $1::text IS NULL OR ods_code > $1"
            " ORDER BY ods_code LIMIT $2",
            page.after,
            page.size + 1,
        )
        return [BoardView(r["ods_code"], r["name"], r["name_cy"]) for r in rows]

    async def list_pcpgs(
        self, board: str | None, as_of: dt.date, page: PageRequest
    ) -> list[PcpgView]:
        rows = await self._pool.fetch(self._pcpgs, as_of, board, page.after, page.size + 1)
        return [
            PcpgView(r["pcpg_id"], r["health_board"], r["name"], tuple(r["cluster_ids"]))
            for r in rows
        ]

    async def list_clusters(
        self, board: str | None, as_of: dt.date, page: PageRequest
    ) -> list[ClusterView]:
        rows = await self._pool.fetch(
            self._clusters, as_of, board, page.after, None, page.size + 1, as_of
        )
        return await self._with_history(rows)

    async def get_cluster(self, cluster_id: str, as_of: dt.date | None) -> ClusterView | None:
        day = dt.date.max if as_of is None else as_of
        rows = await self._pool.fetch(self._clusters, day, None, None, cluster_id, 1, as_of)
        found = await self._with_history(rows)
        return found[0] if found else None

    async def list_collaboratives(
        self, cluster_id: str, as_of: dt.date | None, page: PageRequest
    ) -> list[CollaborativeView]:
        rows = await self._pool.fetch(
            self._collaboratives, cluster_id, page.after, page.size + 1, as_of
        )
        return [
            CollaborativeView(
                r["collaborative_id"],
                r["cluster_id"],
                r["profession"],
                r["established_on"],
                r["closed_on"],
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
                closed_on=r["closed_on"],
                successor_ids=tuple(r["successor_ids"] or ()),
                predecessor_ids=tuple(r["predecessor_ids"]),
            )
            for r in rows
        ]
