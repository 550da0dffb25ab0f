"""Publish compliance findings as they are raised and resolved (``ComplianceFindingRaised`` ...).

Findings change with events (a correction, a cancellation) and with time alone (a quarter
ends without a meeting), so publishing is a sweep, run periodically by an operator's scheduler
(``python -m reporting publish-findings``): it judges every cluster's year as of today and
records the difference from what was last published, in each cluster's ledger.
"""

from __future__ import annotations

from kernel.calendar import FinancialYear
from kernel.eventstore.port import EventStore
from kernel.repository import AggregateRepository, retry_on_conflict
from reporting.application.cluster_report import ComplianceQueries
from reporting.application.ports import Today
from reporting.domain.compliance import assess
from reporting.domain.compliance_facts import ClusterFacts
from reporting.domain.events import EVENTS
from reporting.domain.findings_ledger import FindingsLedger, ledger_id


class FindingsPublisher:
    def __init__(self, store: EventStore, queries: ComplianceQueries, today: Today) -> None:
        self.ledgers = AggregateRepository(store, FindingsLedger, EVENTS, "compliance-findings")
        self._queries = queries
        self._today = today

    async def publish(self, label: str) -> int:
        """Sweep every cluster's year ``label``; return how many events were published."""
        year = FinancialYear.parse("financial_year", label)
        published = 0
        for facts in await self._queries.facts(None, None, year):
            published += await self._cluster(facts, year)
        return published

    async def _cluster(self, facts: ClusterFacts, year: FinancialYear) -> int:
        today = self._today()
        findings = assess(facts, year, today).findings

        async def attempt() -> int:
            ledger = await self.ledgers.load(ledger_id(facts.cluster_id, year))
            ledger.reconcile(facts.health_board, findings, today)
            count = len(ledger.pending_events)
            await self.ledgers.save(ledger)
            return count

        return await retry_on_conflict(attempt)
