"""All clusters' meeting compliance side by side, with per-board roll-ups, for one year.

The maturity half of the national overview is ``MaturityReads.overview``; the API puts the two
together.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kernel.calendar import FinancialYear
from reporting.application.access import Caller
from reporting.application.cluster_report import ComplianceQueries
from reporting.application.ports import Today
from reporting.domain.compliance import assess
from reporting.domain.compliance_facts import ClusterFacts
from reporting.domain.vocabulary import board_problem, check


@dataclass(frozen=True, slots=True)
class ComplianceSummary:
    """One cluster's year (or one board's clusters'): meetings held and findings by code."""

    key: str
    health_board: str
    name: str
    clusters: int
    meetings_held: int
    findings: Mapping[str, int]

    @property
    def total_findings(self) -> int:
        return sum(self.findings.values())


def _summary(facts: ClusterFacts, year: FinancialYear, today: Today) -> ComplianceSummary:
    compliance = assess(facts, year, today())
    return ComplianceSummary(
        facts.cluster_id,
        facts.health_board,
        facts.cluster_name,
        1,
        # The PCPG's meetings are shared with its other clusters: count the cluster's own.
        sum(b.held for b in compliance.bodies if b.body.kind != "pcpg"),
        dict(Counter(f.code.value for f in compliance.findings)),
    )


def board_summaries(clusters: Sequence[ComplianceSummary]) -> list[ComplianceSummary]:
    """Per board: its clusters, their meetings held and findings, summed."""
    by_board: dict[str, list[ComplianceSummary]] = defaultdict(list)
    for cluster in clusters:
        by_board[cluster.health_board].append(cluster)
    rollups = []
    for board, members in sorted(by_board.items()):
        findings: Counter[str] = Counter()
        for member in members:
            findings.update(member.findings)
        held = sum(m.meetings_held for m in members)
        rollups.append(ComplianceSummary(board, board, board, len(members), held, dict(findings)))
    return rollups


class NationalOverview:
    def __init__(self, queries: ComplianceQueries, today: Today) -> None:
        self._queries = queries
        self._today = today

    async def clusters(
        self, caller: Caller, board: str | None, label: str
    ) -> list[ComplianceSummary]:
        """Every readable cluster (national: all 60; a board: its own), by board and id."""
        check(("health_board", board_problem(board) if board else None))
        year = FinancialYear.parse("financial_year", label)
        readable = caller.board_filter(board)
        facts = await self._queries.facts(readable, None, year)
        summaries = [_summary(f, year, self._today) for f in facts]
        return sorted(summaries, key=lambda s: (s.health_board, s.key))
