"""``MaturityQueries`` over the live tables of ``MaturityView`` and ``MembershipView``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

import asyncpg

from reporting.application.maturity import (
    ClusterMatrix,
    MaturityYear,
    OutcomeLevels,
    OutcomeView,
)
from reporting.domain.vocabulary import OUTCOME_CODES, framework_of

_MATCH = (
    "($1::text IS NULL OR {alias}health_board = $1)"
    " AND ($2::text IS NULL OR {alias}cluster_id = $2)"
)


class PostgresMaturityQueries:
    def __init__(self, pool: asyncpg.Pool, tables: Mapping[str, str]) -> None:
        self._pool = pool
        t = tables
        self._outcomes = f"SELECT * FROM {t['outcomes']}"
        self._clusters = (
            f"SELECT cluster_id, health_board, name, closed_on FROM {t['clusters']}"
            f" WHERE {_MATCH.format(alias='')} ORDER BY health_board, cluster_id"
        )
        self._levels = (
            "SELECT l.cluster_id, l.financial_year, l.outcome, l.self_level, l.self_evidence,"
            " l.peer_level, a.revision, a.submitted_on, p.reviewed_on"
            f" FROM {t['levels']} l LEFT JOIN {t['assessments']} a"
            " ON a.cluster_id = l.cluster_id AND a.financial_year = l.financial_year"
            f" LEFT JOIN {t['peer_reviews']} p"
            " ON p.cluster_id = l.cluster_id AND p.financial_year = l.financial_year"
            f" WHERE {_MATCH.format(alias='l.')} AND ($3::text IS NULL OR l.financial_year = $3)"
            " ORDER BY l.cluster_id, l.financial_year"
        )

    async def outcomes(self) -> list[OutcomeView]:
        loaded = {r["code"]: r for r in await self._pool.fetch(self._outcomes)}
        return [
            OutcomeView(
                code,
                framework_of(code).value,
                loaded[code]["title"] if code in loaded else "",
                loaded[code]["placeholder"] if code in loaded else False,
            )
            for code in OUTCOME_CODES
        ]

    async def matrices(
        self, board: str | None, cluster_id: str | None, year: str | None
    ) -> list[ClusterMatrix]:
        outcomes = {o.code: o for o in await self.outcomes()}
        clusters = await self._pool.fetch(self._clusters, board, cluster_id)
        rows = await self._pool.fetch(self._levels, board, cluster_id, year)
        by_year: dict[str, dict[str, list[asyncpg.Record]]] = defaultdict(lambda: defaultdict(list))
        for row in rows:
            by_year[row["cluster_id"]][row["financial_year"]].append(row)
        return [
            ClusterMatrix(
                c["cluster_id"],
                c["health_board"],
                c["name"],
                [
                    _year(fy, year_rows, outcomes)
                    for fy, year_rows in by_year[c["cluster_id"]].items()
                ],
            )
            for c in clusters
            if c["closed_on"] is None or c["cluster_id"] in by_year
        ]


def _year(
    financial_year: str, rows: Sequence[asyncpg.Record], outcomes: Mapping[str, OutcomeView]
) -> MaturityYear:
    first = rows[0]
    ordered = sorted(rows, key=lambda r: OUTCOME_CODES.index(r["outcome"]))
    return MaturityYear(
        financial_year,
        first["revision"],
        first["submitted_on"],
        first["reviewed_on"],
        [
            OutcomeLevels(
                outcomes[r["outcome"]], r["self_level"], r["self_evidence"], r["peer_level"]
            )
            for r in ordered
        ],
    )
