"""``CycleQueries`` over the live tables of ``MaturityView`` and ``MembershipView``."""

from __future__ import annotations

from collections.abc import Mapping

import asyncpg

from reporting.application.cycle_status import CycleStatus


class PostgresCycleQueries:
    def __init__(self, pool: asyncpg.Pool, tables: Mapping[str, str]) -> None:
        self._pool = pool
        t = tables
        # Every board the register knows, whether or not its cycle has started.
        self._cycles = (
            "SELECT b.health_board, c.pcmw_outcomes, c.acd_outcome, c.self_assessment_due,"
            " c.nominee, c.nominated_on, p.reviewed_on,"
            f" (SELECT count(*) FROM {t['clusters']} k"
            "   WHERE k.health_board = b.health_board AND k.closed_on IS NULL) AS clusters,"
            f" (SELECT count(*) FROM {t['assessments']} a"
            "   WHERE a.health_board = b.health_board AND a.financial_year = $2) AS submitted"
            f" FROM (SELECT DISTINCT health_board FROM {t['clusters']}) b"
            f" LEFT JOIN {t['cycles']} c"
            " ON c.health_board = b.health_board AND c.financial_year = $2"
            f" LEFT JOIN {t['peer_reviews']} p"
            " ON p.cluster_id = c.nominee AND p.financial_year = $2"
            " WHERE ($1::text IS NULL OR b.health_board = $1) ORDER BY b.health_board"
        )

    async def cycles(self, board: str | None, year: str) -> list[CycleStatus]:
        rows = await self._pool.fetch(self._cycles, board, year)
        return [
            CycleStatus(
                health_board=r["health_board"],
                financial_year=year,
                outcomes=[
                    *(r["pcmw_outcomes"] or ()),
                    *([r["acd_outcome"]] if r["acd_outcome"] else []),
                ],
                self_assessment_due=r["self_assessment_due"],
                nominee=r["nominee"],
                nominated_on=r["nominated_on"],
                peer_reviewed_on=r["reviewed_on"],
                clusters=r["clusters"],
                self_assessments=r["submitted"],
            )
            for r in rows
        ]
