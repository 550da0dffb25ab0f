"""Queries for the roster: bodies from the register's tables, people and members from the roster's.

A body id is looked up as a cluster, then a collaborative, then a PCPG; the register's ids do
not collide today (cluster ids name places, PCPG ids local authorities or regions).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import asyncpg

from kernel.paging import PageRequest
from membership.adapters.organisation_queries import PostgresOrganisationQueries
from membership.application.roster_ports import AppointmentView, MemberView, PersonView
from membership.domain.bodies import Body, BodyKind

_MEMBERS = """
SELECT m.*, p.name AS person_name, o.name AS organisation_name FROM {memberships} m
JOIN {people} p USING (person_id) LEFT JOIN {organisations} o USING (organisation_id)
WHERE m.body_id = $1 AND m.start_date <= $2 AND (m.end_date IS NULL OR m.end_date >= $2)
  AND ($3::text IS NULL OR m.membership_id > $3)
ORDER BY m.membership_id LIMIT $4
"""
_APPOINTMENTS = """
SELECT * FROM {appointments} WHERE body_id = $1 AND person_id = ANY($2::text[])
  AND start_date <= $3 AND (end_date IS NULL OR end_date >= $3) ORDER BY start_date, role
"""


class PostgresRosterQueries(PostgresOrganisationQueries):
    """``Bodies`` and ``RosterQueries`` (organisations too) on the projections' live tables."""

    def __init__(self, pool: asyncpg.Pool, tables: Mapping[str, str]) -> None:
        self._pool = pool
        self._tables = tables
        self._members = _MEMBERS.format(**tables)
        self._appointments = _APPOINTMENTS.format(**tables)

    async def find_body(self, body_id: str) -> Body | None:
        clusters, collaboratives = self._tables["clusters"], self._tables["collaboratives"]
        closures = self._tables["cluster_closures"]
        row = await self._pool.fetchrow(
            f"SELECT health_board, pcpg_id, closed_on FROM {clusters}"
            f" LEFT JOIN {closures} USING (cluster_id) WHERE cluster_id = $1",
            body_id,
        )
        if row is not None:
            return Body(
                body_id,
                BodyKind.CLUSTER,
                row["health_board"],
                row["pcpg_id"],
                body_id,
                closed_on=row["closed_on"],
            )
        row = await self._pool.fetchrow(
            f"SELECT c.cluster_id, c.health_board, c.pcpg_id, co.profession, x.closed_on"
            f" FROM {collaboratives} co JOIN {clusters} c USING (cluster_id)"
            f" LEFT JOIN {closures} x USING (cluster_id) WHERE co.collaborative_id = $1",
            body_id,
        )
        if row is not None:
            return Body(
                body_id,
                BodyKind.COLLABORATIVE,
                row["health_board"],
                row["pcpg_id"],
                row["cluster_id"],
                row["profession"],
                row["closed_on"],
            )
        row = await self._pool.fetchrow(
            f"SELECT health_board FROM {clusters} WHERE pcpg_id = $1 LIMIT 1", body_id
        )
        if row is not None:
            return Body(body_id, BodyKind.PCPG, row["health_board"], body_id)
        return None

    async def get_person(self, person_id: str) -> PersonView | None:
        row = await self._pool.fetchrow(
            f"SELECT * FROM {self._tables['people']} WHERE person_id = $1", person_id
        )
        if row is None:
            return None
        return PersonView(
            row["person_id"], row["name"], row["role_title"], row["contact"], row["erased"]
        )

    async def list_members(
        self, body_id: str, as_of: dt.date, page: PageRequest
    ) -> list[MemberView]:
        rows = await self._pool.fetch(self._members, body_id, as_of, page.after, page.size + 1)
        found = await self._pool.fetch(
            self._appointments, body_id, [r["person_id"] for r in rows], as_of
        )
        appointments: dict[str, list[AppointmentView]] = {}
        for a in found:
            appointments.setdefault(a["person_id"], []).append(
                AppointmentView(
                    a["appointment_id"],
                    a["role"],
                    a["start_date"],
                    a["end_date"],
                    a["usual_workplace_id"],
                )
            )
        return [
            MemberView(
                membership_id=r["membership_id"],
                person_id=r["person_id"],
                person_name=r["person_name"],
                kind=r["kind"],
                role_title=r["role_title"],
                organisation_id=r["organisation_id"],
                organisation_name=r["organisation_name"],
                start_date=r["start_date"],
                end_date=r["end_date"],
                appointments=tuple(appointments.get(r["person_id"], ())),
            )
            for r in rows
        ]
