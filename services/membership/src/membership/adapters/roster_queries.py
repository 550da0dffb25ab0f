"""Queries for the roster: bodies from the register's tables, people and members from the roster's.

A body id is looked up as a cluster, then a collaborative, then a PCPG, in one query; the
register's ids do not collide (cluster ids name places, PCPG ids local authorities or regions,
and a merge or split refuses a new id that is taken). ``ListMembers`` is one query too: the
body, joined to a page of its members with their appointments as JSON, so a page costs one
round trip.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import asyncpg
import orjson

from kernel.paging import PageRequest
from membership.adapters.organisation_queries import PostgresOrganisationQueries
from membership.application.roster_ports import AppointmentView, MemberView, PersonView
from membership.domain.bodies import Body, BodyKind

_MEMBERS = """
SELECT m.*, p.name AS person_name, o.name AS organisation_name, (
    SELECT coalesce(json_agg(json_build_object(
        'appointment_id', a.appointment_id, 'role', a.role, 'start_date', a.start_date,
        'end_date', a.end_date, 'usual_workplace_id', a.usual_workplace_id
    ) ORDER BY a.start_date, a.role), '[]')
    FROM {appointments} a WHERE a.body_id = m.body_id AND a.person_id = m.person_id
      AND a.start_date <= $2 AND (a.end_date IS NULL OR a.end_date >= $2)
)::text AS appointments
FROM {memberships} m
JOIN {people} p USING (person_id) LEFT JOIN {organisations} o USING (organisation_id)
WHERE m.body_id = $1 AND m.start_date <= $2 AND (m.end_date IS NULL OR m.end_date >= $2)
  AND ($3::text IS NULL OR m.membership_id > $3)
ORDER BY m.membership_id LIMIT $4
"""
# One round trip whatever the kind: a cluster, else a collaborative, else a PCPG.
_BODY = """
SELECT * FROM (
    SELECT 1 AS rank, 'cluster' AS kind, c.cluster_id, c.health_board, c.pcpg_id,
           NULL::text AS profession, x.closed_on
    FROM {clusters} c LEFT JOIN {cluster_closures} x USING (cluster_id) WHERE c.cluster_id = $1
    UNION ALL
    SELECT 2, 'collaborative', c.cluster_id, c.health_board, c.pcpg_id, co.profession, x.closed_on
    FROM {collaboratives} co JOIN {clusters} c USING (cluster_id)
    LEFT JOIN {cluster_closures} x USING (cluster_id) WHERE co.collaborative_id = $1
    UNION ALL
    (SELECT 3, 'pcpg', NULL, health_board, pcpg_id, NULL, NULL FROM {clusters}
     WHERE pcpg_id = $1 LIMIT 1)
) AS found ORDER BY rank LIMIT 1
"""

# The body's row, each of its members on the page joined to it (the body alone when none is).
_BODY_MEMBERS = """
SELECT b.kind AS body_kind, b.cluster_id AS body_cluster_id, b.health_board AS body_health_board,
       b.pcpg_id AS body_pcpg_id, b.profession AS body_profession,
       b.closed_on AS body_closed_on, m.*
FROM ({body}) AS b LEFT JOIN LATERAL ({members}) AS m ON true
ORDER BY m.membership_id
"""


class PostgresRosterQueries(PostgresOrganisationQueries):
    """``Bodies`` and ``RosterQueries`` (organisations too) on the projections' live tables."""

    def __init__(self, pool: asyncpg.Pool, tables: Mapping[str, str]) -> None:
        self._pool = pool
        self._tables = tables
        self._body = _BODY.format(**tables)
        self._body_members = _BODY_MEMBERS.format(
            body=self._body, members=_MEMBERS.format(**tables)
        )

    async def find_body(self, body_id: str) -> Body | None:
        row = await self._pool.fetchrow(self._body, body_id)
        return None if row is None else _body(body_id, row)

    async def get_person(self, person_id: str) -> PersonView | None:
        row = await self._pool.fetchrow(
            f"SELECT * FROM {self._tables['people']} WHERE person_id = $1", person_id
        )
        if row is None:
            return None
        return PersonView(
            row["person_id"], row["name"], row["role_title"], row["contact"], row["erased"]
        )

    async def body_members(
        self, body_id: str, as_of: dt.date, page: PageRequest
    ) -> tuple[Body, list[MemberView]] | None:
        rows = await self._pool.fetch(self._body_members, body_id, as_of, page.after, page.size + 1)
        if not rows:
            return None
        members = [_member(r) for r in rows if r["membership_id"] is not None]
        return _body(body_id, rows[0], prefix="body_"), members


def _body(body_id: str, row: asyncpg.Record, prefix: str = "") -> Body:
    """The body in ``row``, its columns named with ``prefix`` (``_BODY_MEMBERS``: ``body_``)."""
    return Body(
        body_id,
        BodyKind(row[f"{prefix}kind"]),
        row[f"{prefix}health_board"],
        row[f"{prefix}pcpg_id"],
        row[f"{prefix}cluster_id"],
        row[f"{prefix}profession"],
        row[f"{prefix}closed_on"],
    )


def _member(row: asyncpg.Record) -> MemberView:
    return MemberView(
        membership_id=row["membership_id"],
        person_id=row["person_id"],
        person_name=row["person_name"],
        kind=row["kind"],
        role_title=row["role_title"],
        organisation_id=row["organisation_id"],
        organisation_name=row["organisation_name"],
        start_date=row["start_date"],
        end_date=row["end_date"],
        appointments=_appointments(row["appointments"]),
    )


def _appointments(text: str) -> tuple[AppointmentView, ...]:
    return tuple(
        AppointmentView(
            a["appointment_id"],
            a["role"],
            dt.date.fromisoformat(a["start_date"]),
            dt.date.fromisoformat(a["end_date"]) if a["end_date"] else None,
            a["usual_workplace_id"],
        )
        for a in orjson.loads(text)
    )
