"""Queries for registers of interests and terms of reference, on the projections' live tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import asyncpg

from kernel.paging import PageRequest
from membership.application.governance_ports import InterestView, TermsView

# In force on $2: declared on or before it, and not withdrawn by then (withdrawn_on is the
# first day a declaration no longer shows).
_INTERESTS = """
SELECT i.*, p.name AS person_name FROM {interests} i JOIN {people} p USING (person_id)
WHERE i.body_id = $1 AND i.declared_on <= $2 AND (i.withdrawn_on IS NULL OR i.withdrawn_on > $2)
  AND ($3::text IS NULL OR i.interest_id > $3)
ORDER BY i.interest_id LIMIT $4
"""
_TERMS = """
SELECT * FROM {terms_reviews} WHERE body_id = $1 AND reviewed_on <= $2
ORDER BY reviewed_on DESC LIMIT 1
"""


class PostgresGovernanceQueries:
    """``GovernanceQueries`` on the governance and roster views' tables."""

    def __init__(self, pool: asyncpg.Pool, tables: Mapping[str, str]) -> None:
        self._pool = pool
        self._interests = _INTERESTS.format(**tables)
        self._terms = _TERMS.format(**tables)

    async def list_interests(
        self, body_id: str, as_of: dt.date, page: PageRequest
    ) -> list[InterestView]:
        rows = await self._pool.fetch(self._interests, body_id, as_of, page.after, page.size + 1)
        return [
            InterestView(
                interest_id=r["interest_id"],
                person_id=r["person_id"],
                person_name=r["person_name"],
                kind=r["kind"],
                description=r["description"],
                declared_on=r["declared_on"],
                withdrawn_on=r["withdrawn_on"],
            )
            for r in rows
        ]

    async def terms_in_force(self, body_id: str, as_of: dt.date) -> TermsView | None:
        row = await self._pool.fetchrow(self._terms, body_id, as_of)
        if row is None:
            return None
        return TermsView(
            row["body_id"], row["reviewed_on"], row["reviewed_by"], row["minimum_core_members"]
        )
