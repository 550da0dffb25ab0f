"""A cluster report is kept until the read models move on or the business date changes."""

from __future__ import annotations

import datetime as dt

import pytest

from kernel.calendar import FinancialYear
from kernel.errors import PermissionDenied
from reporting.application.access import Caller
from reporting.application.cluster_report import (
    AttendanceCount,
    ComplianceReads,
    OpenAction,
    RulePayments,
)
from reporting.application.maturity import ClusterMatrix, OutcomeView
from reporting.domain.assignment import Cluster
from reporting.domain.compliance_facts import ClusterFacts

CLUSTER = "7A1-anglesey"
BETSI = Caller("betsi", "health_board", "7A1")
HYWEL_DDA = Caller("hywel-dda", "health_board", "7A2")


class Counted:
    """The read models behind a report, counting how often the facts are read."""

    def __init__(self) -> None:
        self.facts_read = 0
        self.version = (1, 1, 1)
        self.today = dt.date(2025, 5, 1)

    async def current(self) -> tuple[int, ...]:
        return self.version

    async def facts(
        self, board: str | None, cluster_id: str | None, year: FinancialYear
    ) -> list[ClusterFacts]:
        self.facts_read += 1
        return [ClusterFacts(CLUSTER, "7A1", [], [], [], {}, "Anglesey")]

    async def cluster_name(self, cluster_id: str) -> str:
        return "Anglesey"

    async def attendance(
        self, cluster_id: str, year: FinancialYear
    ) -> tuple[list[AttendanceCount], list[AttendanceCount]]:
        return [], []

    async def open_actions(
        self, cluster_id: str, year: FinancialYear, today: dt.date
    ) -> list[OpenAction]:
        return []

    async def outcomes(self) -> list[OutcomeView]:
        return []

    async def matrices(
        self, board: str | None, cluster_id: str | None, year: str | None
    ) -> list[ClusterMatrix]:
        return []

    async def find_cluster(self, cluster_id: str) -> Cluster | None:
        return Cluster(CLUSTER, "7A1") if cluster_id == CLUSTER else None

    async def leads_on(self, cluster_id: str, on: dt.date) -> set[str]:
        return set()

    async def by_rule(self, cluster_id: str, financial_year: str) -> list[RulePayments]:
        return []


def reads(models: Counted) -> ComplianceReads:
    return ComplianceReads(models, models, models, models, lambda: models.today, models)


async def test_a_report_asked_for_again_is_served_from_memory() -> None:
    models = Counted()
    compliance = reads(models)
    first = await compliance.cluster_report(BETSI, CLUSTER, "2024/25")
    assert await compliance.cluster_report(BETSI, CLUSTER, "2024/25") is first
    assert models.facts_read == 1


async def test_it_is_made_again_when_the_read_models_move_or_the_day_changes() -> None:
    models = Counted()
    compliance = reads(models)
    await compliance.cluster_report(BETSI, CLUSTER, "2024/25")
    models.version = (1, 2, 1)
    await compliance.cluster_report(BETSI, CLUSTER, "2024/25")
    models.today += dt.timedelta(days=1)
    report = await compliance.cluster_report(BETSI, CLUSTER, "2024/25")
    assert models.facts_read == 3
    assert report.as_of == models.today


async def test_a_kept_report_is_still_refused_to_another_board() -> None:
    compliance = reads(Counted())
    await compliance.cluster_report(BETSI, CLUSTER, "2024/25")
    with pytest.raises(PermissionDenied):
        await compliance.cluster_report(HYWEL_DDA, CLUSTER, "2024/25")
