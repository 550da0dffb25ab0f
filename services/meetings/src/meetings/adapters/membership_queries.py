"""``MembershipView`` on meetings' projection of membership: each answer as of a date.

Spans are inclusive (a membership ending on 31 March still counts on 31 March), as in
membership. Lead appointments are the body's lead roles, not its deputy chair.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping

import asyncpg

from meetings.application.ports import OrganisationFacts
from meetings.domain.standing import Body, Standing

LEAD_ROLES = ["cluster_lead", "collaborative_lead"]
_ON = "start_date <= $3 AND (end_date IS NULL OR end_date >= $3)"


class PostgresMembershipView:
    """Reads the live tables of ``MembershipView`` (the projection)."""

    def __init__(self, pool: asyncpg.Pool, tables: Mapping[str, str]) -> None:
        self._pool = pool
        t = tables
        self._body = f"SELECT * FROM {t['bodies']} WHERE body_id = $1"
        self._organisation = f"SELECT * FROM {t['organisations']} WHERE organisation_id = $1"
        self._erased = (
            f"SELECT person_id FROM {t['people']} WHERE person_id = ANY($1::text[]) AND erased"
        )
        # One round trip: the person (no row: unknown), each membership on the date with its
        # organisation's profession, and whether they held a lead appointment that day.
        self._standing = (
            f"SELECT p.person_id, m.kind, m.organisation_id, o.profession, EXISTS ("
            f"SELECT 1 FROM {t['appointments']} a WHERE a.body_id = $1"
            " AND a.person_id = p.person_id"
            " AND a.role = ANY($4::text[])"
            " AND a.start_date <= $3 AND (a.end_date IS NULL OR a.end_date >= $3)) AS lead"
            f" FROM {t['people']} p LEFT JOIN {t['memberships']} m ON m.person_id = p.person_id"
            " AND m.body_id = $1"
            " AND m.start_date <= $3 AND (m.end_date IS NULL OR m.end_date >= $3)"
            f" LEFT JOIN {t['organisations']} o ON o.organisation_id = m.organisation_id"
            " WHERE p.person_id = ANY($2::text[])"
        )
        self._leads = (
            f"SELECT person_id FROM {t['appointments']} WHERE body_id = $1"
            f" AND role = ANY($2::text[]) AND {_ON} ORDER BY start_date DESC"
        )
        self._quorum = (
            f"SELECT quorum FROM {t['terms']} WHERE body_id = $1 AND reviewed_on <= $2"
            " ORDER BY reviewed_on DESC LIMIT 1"
        )

    async def find_body(self, body_id: str) -> Body | None:
        row = await self._pool.fetchrow(self._body, body_id)
        if row is None:
            return None
        return Body(
            row["body_id"],
            row["body_kind"],
            row["health_board"],
            row["pcpg_id"],
            row["cluster_id"],
            row["profession"],
            row["closed_on"],
        )

    async def find_organisation(self, organisation_id: str) -> OrganisationFacts | None:
        row = await self._pool.fetchrow(self._organisation, organisation_id)
        return None if row is None else OrganisationFacts(organisation_id, row["profession"])

    async def erased_among(self, person_ids: Collection[str]) -> set[str]:
        if not person_ids:
            return set()
        rows = await self._pool.fetch(self._erased, list(person_ids))
        return {r["person_id"] for r in rows}

    async def standings(
        self, body_id: str, person_ids: Collection[str], on: dt.date
    ) -> dict[str, Standing]:
        rows = await self._pool.fetch(self._standing, body_id, list(person_ids), on, LEAD_ROLES)
        by_person: dict[str, list[asyncpg.Record]] = defaultdict(list)
        for row in rows:
            by_person[row["person_id"]].append(row)
        return {person: _standing(person, found) for person, found in by_person.items()}

    async def lead_on(self, body_id: str, on: dt.date) -> str | None:
        person: str | None = await self._pool.fetchval(self._leads, body_id, LEAD_ROLES, on)
        return person

    async def quorum_on(self, body_id: str, on: dt.date) -> int | None:
        quorum: int | None = await self._pool.fetchval(self._quorum, body_id, on)
        return quorum


def _standing(person_id: str, rows: list[asyncpg.Record]) -> Standing:
    """One person's standing from their rows: one per membership of the body that day."""
    kinds = {r["kind"] for r in rows if r["kind"] is not None}
    if not kinds:
        return Standing(person_id, None)
    # Core outranks in attendance, should someone hold both (membership forbids overlaps).
    return Standing(
        person_id,
        "core" if "core" in kinds else kinds.pop(),
        {r["organisation_id"]: r["profession"] for r in rows if r["organisation_id"]},
        holds_lead=rows[0]["lead"],
    )
