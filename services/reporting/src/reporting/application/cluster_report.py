"""A cluster's report for a financial year, and the findings of many clusters, by access rules.

Compliance is judged on reading from the facts the read models hold (``domain.compliance``):
Wales has ~60 clusters and ~2,000 meetings a year, so judging a board's clusters on each call
costs a few milliseconds, and there is no stored copy of the findings to drift.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from kernel.calendar import FinancialYear
from kernel.errors import NotFound
from kernel.paging import PageRequest, next_page_token
from reporting.application.access import Caller
from reporting.application.maturity import MaturityQueries, MaturityYear
from reporting.application.ports import ReadModelsVersion, Register, Today
from reporting.domain.compliance import Compliance, assess
from reporting.domain.compliance_facts import ClusterFacts
from reporting.domain.findings import Finding
from reporting.domain.vocabulary import board_problem, check

#: Reports kept in memory (60 clusters over ten years is 600).
KEPT_REPORTS = 2048


@dataclass(frozen=True, slots=True)
class AttendanceCount:
    """Present attendances at held meetings of the cluster and its PCs, for one group."""

    key: str
    label: str
    attendances: int
    meetings: int


@dataclass(frozen=True, slots=True)
class OpenAction:
    body_id: str
    meeting_id: str
    ref: int
    meeting_date: dt.date
    description: str
    lead: str
    due_date: dt.date
    status: str
    overdue: bool


@dataclass(frozen=True, slots=True)
class RulePayments:
    """The year's ledger entries of one payment rule at the cluster's meetings and claims.

    ``accrued_pence`` nets accruals and reversals; ``scheduled_pence`` is the part carried by
    approved payment schedules; ``entries`` counts the ledger entries behind both.
    """

    rule_id: str
    accrued_pence: int
    scheduled_pence: int
    entries: int


@dataclass(frozen=True, slots=True)
class ClusterReport:
    cluster_id: str
    health_board: str
    cluster_name: str
    financial_year: str
    as_of: dt.date
    compliance: Compliance
    by_profession: Sequence[AttendanceCount]
    by_organisation: Sequence[AttendanceCount]
    open_actions: Sequence[OpenAction]
    maturity: MaturityYear | None
    payments: Sequence[RulePayments]


class ComplianceQueries(Protocol):
    async def facts(
        self, board: str | None, cluster_id: str | None, year: FinancialYear
    ) -> list[ClusterFacts]:
        """Matching clusters (``None``: any), by board and id, with the year's held meetings."""
        ...

    async def cluster_name(self, cluster_id: str) -> str: ...

    async def attendance(
        self, cluster_id: str, year: FinancialYear
    ) -> tuple[list[AttendanceCount], list[AttendanceCount]]:
        """By profession, then by organisation, largest first."""
        ...

    async def open_actions(
        self, cluster_id: str, year: FinancialYear, today: dt.date
    ) -> list[OpenAction]:
        """Actions raised at the year's meetings of the cluster's bodies and still open."""
        ...


class PaymentQueries(Protocol):
    async def by_rule(self, cluster_id: str, financial_year: str) -> list[RulePayments]:
        """The year's payments at the cluster, by rule id."""
        ...


class ComplianceReads:
    """Cluster reports and findings.

    With ``version``, a report is kept until the read models move on or the business date
    changes (the only things it depends on): a report asked for again is served from memory.
    """

    def __init__(
        self,
        queries: ComplianceQueries,
        maturity: MaturityQueries,
        payments: PaymentQueries,
        register: Register,
        today: Today,
        version: ReadModelsVersion | None = None,
    ) -> None:
        self.queries = queries
        self._maturity = maturity
        self._payments = payments
        self._register = register
        self._today = today
        self._version = version
        self._reports: OrderedDict[tuple[str, str], tuple[object, ClusterReport]] = OrderedDict()

    async def cluster_report(self, caller: Caller, cluster_id: str, label: str) -> ClusterReport:
        check(("cluster_id", None if cluster_id else "is required"))
        year = FinancialYear.parse("financial_year", label)
        # The version is read before the facts: a report is never kept as older than it is.
        version, today = await self._current_version(), self._today()
        key, current = (cluster_id, year.label), (version, today)
        kept = self._reports.get(key)
        if version is not None and kept is not None and kept[0] == current:
            # Its board is the cluster's still: moving a cluster would have moved the version.
            caller.require_read(kept[1].health_board)
            self._reports.move_to_end(key)
            return kept[1]
        cluster = await self._register.find_cluster(cluster_id)
        if cluster is None:
            raise NotFound(f"no cluster {cluster_id!r}")
        caller.require_read(cluster.health_board)
        report = await self._report(cluster_id, cluster.health_board, year, today)
        if version is not None:
            self._reports[key] = (current, report)
            self._reports.move_to_end(key)
            if len(self._reports) > KEPT_REPORTS:
                self._reports.popitem(last=False)
        return report

    async def _current_version(self) -> tuple[int, ...] | None:
        return await self._version.current() if self._version else None

    async def _report(
        self, cluster_id: str, board: str, year: FinancialYear, today: dt.date
    ) -> ClusterReport:
        # Independent reads: side by side, so a report waits for the slowest, not for the sum.
        (
            found,
            (by_profession, by_organisation),
            matrices,
            open_actions,
            payments,
        ) = await asyncio.gather(
            self.queries.facts(None, cluster_id, year),
            self.queries.attendance(cluster_id, year),
            self._maturity.matrices(None, cluster_id, year.label),
            self.queries.open_actions(cluster_id, year, today),
            self._payments.by_rule(cluster_id, year.label),
        )
        # No bodies yet (membership's events still on their way): a report with none.
        facts = found[0] if found else ClusterFacts(cluster_id, board, [], [], [])
        years = [y for m in matrices for y in m.years]
        return ClusterReport(
            cluster_id,
            board,
            facts.cluster_name or await self.queries.cluster_name(cluster_id),
            year.label,
            today,
            assess(facts, year, today),
            by_profession,
            by_organisation,
            open_actions,
            years[0] if years else None,
            payments,
        )

    async def findings(
        self,
        caller: Caller,
        where: tuple[str | None, str | None, str],
        page: PageRequest,
    ) -> tuple[list[Finding], str]:
        """Findings of the year for a board or a cluster (``where``), in key order, paged."""
        board, cluster_id, label = where
        check(("health_board", board_problem(board) if board else None))
        year = FinancialYear.parse("financial_year", label)
        readable = caller.board_filter(board)
        today = self._today()
        found = sorted(
            (
                finding
                for facts in await self.queries.facts(readable, cluster_id or None, year)
                for finding in assess(facts, year, today).findings
            ),
            key=lambda f: f.key,
        )
        after = [f for f in found if page.after is None or f.key > page.after][: page.size + 1]
        return after[: page.size], next_page_token([f.key for f in after], page)
