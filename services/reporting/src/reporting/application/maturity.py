"""Reading the maturity matrix: one cluster over the years, or clusters side by side."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from kernel.calendar import FinancialYear
from kernel.errors import NotFound
from reporting.application.access import Caller
from reporting.application.ports import Register
from reporting.domain.vocabulary import board_problem, check


@dataclass(frozen=True, slots=True)
class OutcomeView:
    code: str
    framework: str
    title: str
    placeholder: bool


@dataclass(frozen=True, slots=True)
class OutcomeLevels:
    """One outcome in one year: the latest self-assessed level and the peer-agreed one."""

    outcome: OutcomeView
    self_level: int | None
    self_evidence: str | None
    peer_level: int | None


@dataclass(frozen=True, slots=True)
class MaturityYear:
    financial_year: str
    revision: int | None
    self_assessed_on: dt.date | None
    peer_reviewed_on: dt.date | None
    outcomes: Sequence[OutcomeLevels]


@dataclass(frozen=True, slots=True)
class ClusterMatrix:
    cluster_id: str
    health_board: str
    cluster_name: str
    years: Sequence[MaturityYear]


class MaturityQueries(Protocol):
    async def outcomes(self) -> list[OutcomeView]:
        """Every outcome in code order (PCMW, then ACD); title "" where none is loaded."""
        ...

    async def matrices(
        self, board: str | None, cluster_id: str | None, year: str | None
    ) -> list[ClusterMatrix]:
        """Matching clusters by board and id (``None``: any), open or with assessments.

        Each cluster's years (``None``: all) come oldest first.
        """
        ...


class MaturityReads:
    """The read side's access rules over ``MaturityQueries``."""

    def __init__(self, queries: MaturityQueries, register: Register) -> None:
        self.queries = queries
        self._register = register

    async def matrix(self, caller: Caller, cluster_id: str) -> ClusterMatrix:
        check(("cluster_id", None if cluster_id else "is required"))
        cluster = await self._register.find_cluster(cluster_id)
        if cluster is None:
            raise NotFound(f"no cluster {cluster_id!r}")
        caller.require_read(cluster.health_board)
        [matrix] = await self.queries.matrices(None, cluster_id, None)
        return matrix

    async def overview(
        self, caller: Caller, board: str | None, year_label: str | None
    ) -> list[ClusterMatrix]:
        check(("health_board", board_problem(board) if board else None))
        year = FinancialYear.parse("financial_year", year_label) if year_label else None
        readable = caller.board_filter(board)
        return await self.queries.matrices(readable, None, year.label if year else None)
