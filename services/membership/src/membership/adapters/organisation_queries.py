"""Organisations from the roster's ``organisations`` table, by id, filtered and paged."""

from __future__ import annotations

from collections.abc import Mapping

import asyncpg

from kernel.paging import PageRequest
from membership.application.organisation_ports import OrganisationFilter, OrganisationView

_LIST = """
SELECT * FROM {organisations}
WHERE ($1::text IS NULL OR health_board = $1) AND ($2::text IS NULL OR cluster_id = $2)
  AND ($3::text IS NULL OR kind = $3) AND ($4::text IS NULL OR organisation_id > $4)
ORDER BY organisation_id LIMIT $5
"""


class PostgresOrganisationQueries:
    """``OrganisationQueries`` on the live tables (the roster's queries inherit it)."""

    _pool: asyncpg.Pool
    _tables: Mapping[str, str]

    async def get_organisation(self, organisation_id: str) -> OrganisationView | None:
        row = await self._pool.fetchrow(
            f"SELECT * FROM {self._tables['organisations']} WHERE organisation_id = $1",
            organisation_id,
        )
        return None if row is None else _view(row)

    async def list_organisations(
        self, only: OrganisationFilter, page: PageRequest
    ) -> list[OrganisationView]:
        rows = await self._pool.fetch(
            _LIST.format(organisations=self._tables["organisations"]),
            only.health_board,
            only.cluster_id,
            only.kind,
            page.after,
            page.size + 1,
        )
        return [_view(r) for r in rows]


def _view(row: asyncpg.Record) -> OrganisationView:
    return OrganisationView(
        organisation_id=row["organisation_id"],
        name=row["name"],
        kind=row["kind"],
        ods_code=row["ods_code"],
        cluster_id=row["cluster_id"],
        health_board=row["health_board"],
        health_board_salaried=row["health_board_salaried"],
    )
