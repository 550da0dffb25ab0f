"""``ComplianceQueries`` over the live tables of ``MembershipView`` and ``ComplianceView``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence

import asyncpg

from kernel.calendar import FinancialYear
from reporting.application.cluster_report import AttendanceCount, OpenAction
from reporting.domain.compliance_facts import Appointment, Body, ClusterFacts, HeldMeeting

_OPEN = ["open", "in_progress"]


class PostgresComplianceQueries:
    def __init__(self, pool: asyncpg.Pool, tables: Mapping[str, str]) -> None:
        self._pool = pool
        t = tables
        # A cluster's bodies: itself, its PCs, and the PCPG it plans under.
        self._bodies = (
            "SELECT c.cluster_id AS owner, c.name AS owner_name, b.*"
            f" FROM {t['clusters']} c JOIN {t['bodies']} cb ON cb.body_id = c.cluster_id"
            f" JOIN {t['bodies']} b ON b.cluster_id = c.cluster_id"
            " OR b.body_id = cb.pcpg_id WHERE ($1::text IS NULL OR c.health_board = $1)"
            " AND ($2::text IS NULL OR c.cluster_id = $2)"
            " ORDER BY c.cluster_id, b.kind, b.body_id"
        )
        self._meetings = (
            "SELECT m.*, coalesce(array_agg(a.person_id) FILTER (WHERE a.status = 'present'),"
            f" '{{}}') AS present, EXISTS (SELECT FROM {t['no_declarations']} n"
            " WHERE n.meeting_id = m.meeting_id) AS none_declared"
            f" FROM {t['meetings']} m LEFT JOIN {t['attendance']} a"
            " ON a.meeting_id = m.meeting_id WHERE m.body_id = ANY($1::text[])"
            " AND m.status = 'held' AND m.meeting_date BETWEEN $2 AND $3 GROUP BY m.meeting_id"
        )
        self._appointments = f"SELECT * FROM {t['appointments']} WHERE body_id = ANY($1::text[])"
        self._reviews = f"SELECT * FROM {t['terms_reviews']} WHERE body_id = ANY($1::text[])"
        self._name = f"SELECT name FROM {t['clusters']} WHERE cluster_id = $1"
        # Both groupings in one pass over the year's present attendances.
        self._attendance = (
            "SELECT * FROM (SELECT GROUPING(a.organisation_id) = 1 AS by_profession,"
            " CASE WHEN GROUPING(a.organisation_id) = 1 THEN coalesce(a.profession, '')"
            " ELSE coalesce(a.organisation_id, '') END AS key, max(o.name) AS name,"
            " count(*) AS attendances, count(DISTINCT a.meeting_id) AS meetings"
            f" FROM {t['attendance']} a JOIN {t['meetings']} m ON m.meeting_id = a.meeting_id"
            f" LEFT JOIN {t['organisations']} o ON o.organisation_id = a.organisation_id"
            " WHERE m.cluster_id = $1 AND m.status = 'held' AND m.meeting_date BETWEEN $2 AND $3"
            " AND a.status = 'present'"
            " GROUP BY GROUPING SETS ((a.profession), (a.organisation_id))) g"
            " ORDER BY by_profession DESC, attendances DESC, key"
        )
        self._actions = (
            f"SELECT x.* FROM {t['actions']} x JOIN {t['bodies']} b ON b.body_id = x.body_id"
            " WHERE (b.cluster_id = $1) AND x.meeting_date BETWEEN $2 AND $3"
            " AND x.status = ANY($4::text[]) ORDER BY x.due_date, x.meeting_id, x.ref"
        )

    async def facts(
        self, board: str | None, cluster_id: str | None, year: FinancialYear
    ) -> list[ClusterFacts]:
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(self._bodies, board, cluster_id)
            ids = sorted({r["body_id"] for r in rows})
            meetings = await conn.fetch(self._meetings, ids, year.first_day, year.last_day)
            appointments = await conn.fetch(self._appointments, ids)
            reviews = await conn.fetch(self._reviews, ids)
        bodies: dict[str, list[Body]] = defaultdict(list)
        for r in rows:
            bodies[r["owner"]].append(
                Body(r["body_id"], r["kind"], r["profession"], r["established_on"], r["closed_on"])
            )
        clusters = {r["owner"]: r for r in rows if r["kind"] == "cluster"}
        # Grouped by body once: a PCPG's meetings belong to each of its clusters' facts.
        held: dict[str, list[HeldMeeting]] = defaultdict(list)
        dated: dict[str, list[Appointment]] = defaultdict(list)
        for m in meetings:
            held[m["body_id"]].append(_held(m))
        for a in appointments:
            dated[a["body_id"]].append(_appointment(a))
        reviewed: dict[str, list[dt.date]] = defaultdict(list)
        for r in reviews:
            reviewed[r["body_id"]].append(r["reviewed_on"])
        return [
            ClusterFacts(
                owner,
                clusters[owner]["health_board"],
                own,
                [m for b in own for m in held[b.body_id]],
                [a for b in own for a in dated[b.body_id]],
                {b.body_id: reviewed[b.body_id] for b in own if b.body_id in reviewed},
                clusters[owner]["owner_name"],
            )
            for owner, own in bodies.items()
        ]

    async def cluster_name(self, cluster_id: str) -> str:
        name: str | None = await self._pool.fetchval(self._name, cluster_id)
        return name or cluster_id

    async def attendance(
        self, cluster_id: str, year: FinancialYear
    ) -> tuple[list[AttendanceCount], list[AttendanceCount]]:
        rows = await self._pool.fetch(self._attendance, cluster_id, year.first_day, year.last_day)
        return (
            [
                _count(r, r["key"].replace("-", " ").capitalize())
                for r in rows
                if r["by_profession"]
            ],
            [_count(r, r["name"] or "") for r in rows if not r["by_profession"]],
        )

    async def open_actions(
        self, cluster_id: str, year: FinancialYear, today: dt.date
    ) -> list[OpenAction]:
        rows = await self._pool.fetch(
            self._actions, cluster_id, year.first_day, year.last_day, _OPEN
        )
        return [
            OpenAction(
                r["body_id"],
                r["meeting_id"],
                r["ref"],
                r["meeting_date"],
                r["description"],
                r["lead"],
                r["due_date"],
                r["status"],
                overdue=r["due_date"] < today,
            )
            for r in rows
        ]


def _held(row: asyncpg.Record) -> HeldMeeting:
    return HeldMeeting(
        row["meeting_id"],
        row["body_id"],
        row["meeting_date"],
        row["chair_person_id"] or "",
        bool(row["chaired_by_lead"]),
        row["quorate"],
        row["declarations"],
        row["minutes_approved_on"],
        frozenset(row["present"]),
        row["none_declared"],
    )


def _appointment(row: asyncpg.Record) -> Appointment:
    return Appointment(
        row["body_id"], row["person_id"], row["role"], row["start_date"], row["end_date"]
    )


def _count(row: asyncpg.Record, label: str) -> AttendanceCount:
    return AttendanceCount(row["key"], label, row["attendances"], row["meetings"])


class PostgresReadModelsVersion:
    """The named read models' checkpoints: they move with every event applied (or rebuilt)."""

    def __init__(self, pool: asyncpg.Pool, schema: str, read_models: Sequence[str]) -> None:
        self._pool = pool
        self._read_models = list(read_models)
        self._sql = (
            "SELECT coalesce(array_agg(position ORDER BY consumer, source), '{}')"
            f" FROM {schema}.consumer_checkpoints WHERE consumer = ANY($1::text[])"
        )

    async def current(self) -> tuple[int, ...]:
        positions: list[int] = await self._pool.fetchval(self._sql, self._read_models)
        return tuple(positions)
