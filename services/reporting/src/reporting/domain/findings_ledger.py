"""The findings reporting has published for one cluster and year, and what changed since.

One aggregate per cluster and year (stream ``compliance-findings-<cluster>-<2024-25>``). Findings
are judged afresh from the read models on every reading; this ledger remembers which were
announced, so each raise and each resolution is published once, for downstream consumers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from typing_extensions import override

from kernel.aggregate import Aggregate
from kernel.calendar import FinancialYear
from reporting.domain.events import (
    ComplianceFindingRaised,
    ComplianceFindingResolved,
    FindingEvent,
)
from reporting.domain.findings import Finding


def ledger_id(cluster_id: str, year: FinancialYear) -> str:
    return f"{cluster_id}-{year.key}"


class FindingsLedger(Aggregate[FindingEvent]):
    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.standing: dict[str, ComplianceFindingRaised] = {}

    def reconcile(self, board: str, current: Sequence[Finding], today: dt.date) -> None:
        """Raise the findings not yet announced, resolve the announced ones now gone."""
        now = {f.key: f for f in current}
        for key, f in sorted(now.items()):
            if key not in self.standing:
                self._record(
                    ComplianceFindingRaised(
                        cluster_id=f.cluster_id,
                        health_board=board,
                        financial_year=f.financial_year,
                        finding_key=key,
                        body_id=f.body_id,
                        code=f.code.value,
                        subject=f.subject,
                        quarter=f.quarter,
                        meeting_id=f.meeting_id,
                        text=f.text,
                        raised_on=today,
                    )
                )
        for key, raised in sorted(self.standing.items()):
            if key not in now:
                self._record(
                    ComplianceFindingResolved(
                        cluster_id=raised.cluster_id,
                        health_board=raised.health_board,
                        financial_year=raised.financial_year,
                        finding_key=key,
                        body_id=raised.body_id,
                        code=raised.code,
                        resolved_on=today,
                    )
                )

    @override
    def _apply(self, event: FindingEvent) -> None:
        if isinstance(event, ComplianceFindingRaised):
            self.standing[event.finding_key] = event
        else:
            self.standing.pop(event.finding_key, None)
