"""``AssessmentQueries`` over the live tables of ``MaturityView``."""

from __future__ import annotations

import json
from collections.abc import Mapping

import asyncpg

from reporting.application.assessment_reads import PeerReviewView, SelfAssessmentView
from reporting.domain.events import AgreedLevel, PeerReviewer, SelfRating
from reporting.domain.vocabulary import OUTCOME_CODES

_KEY = "cluster_id = $1 AND financial_year = $2"


class PostgresAssessmentQueries:
    def __init__(self, pool: asyncpg.Pool, tables: Mapping[str, str]) -> None:
        self._pool = pool
        self._assessment = f"SELECT * FROM {tables['assessments']} WHERE {_KEY}"
        self._review = f"SELECT * FROM {tables['peer_reviews']} WHERE {_KEY}"
        self._levels = f"SELECT * FROM {tables['levels']} WHERE {_KEY}"

    async def self_assessment(self, cluster_id: str, year: str) -> SelfAssessmentView | None:
        row = await self._pool.fetchrow(self._assessment, cluster_id, year)
        if row is None:
            return None
        levels = await self._levels_of(cluster_id, year)
        return SelfAssessmentView(
            revision=row["revision"],
            submitted_by=row["submitted_by"],
            submitted_on=row["submitted_on"],
            ratings=[
                SelfRating(outcome=r["outcome"], level=r["self_level"], evidence=r["self_evidence"])
                for r in levels
                if r["self_level"] is not None
            ],
            enablers=row["enablers"],
            barriers=row["barriers"],
            good_practice=row["good_practice"],
        )

    async def peer_review(self, cluster_id: str, year: str) -> PeerReviewView | None:
        row = await self._pool.fetchrow(self._review, cluster_id, year)
        if row is None:
            return None
        levels = await self._levels_of(cluster_id, year)
        return PeerReviewView(
            reviewed_on=row["reviewed_on"],
            reviewers=[PeerReviewer.model_validate(r) for r in json.loads(row["reviewers"])],
            independent_chair=row["independent_chair"],
            agreed_levels=[
                AgreedLevel(outcome=r["outcome"], level=r["peer_level"])
                for r in levels
                if r["peer_level"] is not None
            ],
            findings=row["findings"],
        )

    async def _levels_of(self, cluster_id: str, year: str) -> list[asyncpg.Record]:
        rows = await self._pool.fetch(self._levels, cluster_id, year)
        return sorted(rows, key=lambda r: OUTCOME_CODES.index(r["outcome"]))
