"""Where each board stands in a year's assessment cycle (the peer-review cycle status)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from kernel.calendar import FinancialYear
from reporting.application.access import Caller
from reporting.domain.vocabulary import board_problem, check


@dataclass(frozen=True, slots=True)
class CycleStatus:
    """A board's year: its outcomes, nominee and peer review (None: not yet).

    ``self_assessments`` of its ``clusters`` (open ones) have been submitted.
    """

    health_board: str
    financial_year: str
    outcomes: Sequence[str]
    self_assessment_due: dt.date | None
    nominee: str | None
    nominated_on: dt.date | None
    peer_reviewed_on: dt.date | None
    clusters: int
    self_assessments: int


class CycleQueries(Protocol):
    async def cycles(self, board: str | None, year: str) -> list[CycleStatus]:
        """Every board (``None``) or one, in ODS code order, for the financial year ``year``."""
        ...


class CycleReads:
    def __init__(self, queries: CycleQueries) -> None:
        self._queries = queries

    async def cycles(self, caller: Caller, board: str | None, year_label: str) -> list[CycleStatus]:
        check(("health_board", board_problem(board) if board else None))
        year = FinancialYear.parse("financial_year", year_label)
        return await self._queries.cycles(caller.board_filter(board), year.label)
