"""Reading what a cluster submitted and what its peer review found, for one year."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from kernel.calendar import FinancialYear
from kernel.errors import NotFound
from reporting.application.access import Caller
from reporting.application.ports import Register
from reporting.domain.events import AgreedLevel, PeerReviewer, SelfRating
from reporting.domain.vocabulary import check


@dataclass(frozen=True, slots=True)
class SelfAssessmentView:
    """The latest submission (its ``revision`` superseded the earlier ones)."""

    revision: int
    submitted_by: str
    submitted_on: dt.date
    ratings: Sequence[SelfRating]
    enablers: Sequence[str]
    barriers: Sequence[str]
    good_practice: Sequence[str]


@dataclass(frozen=True, slots=True)
class PeerReviewView:
    reviewed_on: dt.date
    reviewers: Sequence[PeerReviewer]
    independent_chair: str
    agreed_levels: Sequence[AgreedLevel]
    findings: Sequence[str]


@dataclass(frozen=True, slots=True)
class AssessmentView:
    """A cluster's year: its self-assessment and peer review, each None until recorded."""

    cluster_id: str
    health_board: str
    financial_year: str
    self_assessment: SelfAssessmentView | None
    peer_review: PeerReviewView | None


class AssessmentQueries(Protocol):
    async def self_assessment(self, cluster_id: str, year: str) -> SelfAssessmentView | None: ...

    async def peer_review(self, cluster_id: str, year: str) -> PeerReviewView | None: ...


class AssessmentReads:
    def __init__(self, queries: AssessmentQueries, register: Register) -> None:
        self._queries = queries
        self._register = register

    async def assessment(self, caller: Caller, cluster_id: str, year_label: str) -> AssessmentView:
        check(("cluster_id", None if cluster_id else "is required"))
        year = FinancialYear.parse("financial_year", year_label)
        cluster = await self._register.find_cluster(cluster_id)
        if cluster is None:
            raise NotFound(f"no cluster {cluster_id!r}")
        caller.require_read(cluster.health_board)
        return AssessmentView(
            cluster_id,
            cluster.health_board,
            year.label,
            await self._queries.self_assessment(cluster_id, year.label),
            await self._queries.peer_review(cluster_id, year.label),
        )
