"""The governance read model: registers of interests and the reviews of terms of reference.

Declarations are rows with a declared and (once withdrawn) a withdrawn date, so "the register
on a date" is one indexed query. Reviews are rows keyed by body and date (a second review on a
date corrects the first), so "the terms in force on a date" is the latest row on or before it.
When a person is erased their declarations' descriptions go too: what they declared is about
them; that they declared, and when, stays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from kernel.events import RecordedEvent
from kernel.messaging import DbConnection
from kernel.projections import StatementsFor, execute_statements, one_statement
from membership.domain.governance_events import (
    InterestDeclared,
    InterestWithdrawn,
    TermsOfReferenceReviewed,
)
from membership.domain.people_events import PersonErased

_TABLES = {
    "interests": (
        "CREATE TABLE {table} (interest_id text PRIMARY KEY, body_id text NOT NULL,"
        " person_id text NOT NULL, kind text NOT NULL, description text NOT NULL,"
        " declared_on date NOT NULL, withdrawn_on date);"
        " CREATE INDEX {name}_by_body ON {table} (body_id, interest_id);"
        " CREATE INDEX {name}_by_person ON {table} (person_id)"
    ),
    "terms_reviews": (
        "CREATE TABLE {table} (body_id text NOT NULL, reviewed_on date NOT NULL,"
        " reviewed_by text NOT NULL, minimum_core_members integer NOT NULL,"
        " PRIMARY KEY (body_id, reviewed_on))"
    ),
}

Data = Mapping[str, Any]
Tables = Mapping[str, str]


def _date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


class GovernanceView:
    """Interests and terms of reference by body and date (a kernel ``Projection``)."""

    name = "membership.governance_view"
    tables: Mapping[str, str] = _TABLES

    async def apply(
        self, conn: DbConnection, events: Sequence[RecordedEvent], tables: Mapping[str, str]
    ) -> None:
        await execute_statements(conn, events, tables, _WRITES)


def _declared(d: Data, t: Tables) -> tuple[Any, ...]:
    return (
        f"INSERT INTO {t['interests']} VALUES ($1, $2, $3, $4, $5, $6, NULL)",
        d["interest_id"],
        d["body_id"],
        d["person_id"],
        d["kind"],
        d["description"] or "",  # None: the person has been erased since
        _date(d["declared_on"]),
    )


def _withdrawn(d: Data, t: Tables) -> tuple[Any, ...]:
    return (
        f"UPDATE {t['interests']} SET withdrawn_on = $2 WHERE interest_id = $1",
        d["interest_id"],
        _date(d["withdrawn_on"]),
    )


def _person_erased(d: Data, t: Tables) -> tuple[Any, ...]:
    return (f"UPDATE {t['interests']} SET description = '' WHERE person_id = $1", d["person_id"])


def _reviewed(d: Data, t: Tables) -> tuple[Any, ...]:
    return (
        f"INSERT INTO {t['terms_reviews']} VALUES ($1, $2, $3, $4) ON CONFLICT (body_id,"
        " reviewed_on) DO UPDATE SET reviewed_by = EXCLUDED.reviewed_by,"
        " minimum_core_members = EXCLUDED.minimum_core_members",
        d["body_id"],
        _date(d["reviewed_on"]),
        d["reviewed_by"],
        d["quorum_minimum_core_members"],
    )


_WRITES: dict[str, StatementsFor] = {
    InterestDeclared.event_type: one_statement(_declared),
    InterestWithdrawn.event_type: one_statement(_withdrawn),
    PersonErased.event_type: one_statement(_person_erased),
    TermsOfReferenceReviewed.event_type: one_statement(_reviewed),
}
"""The one write each event causes; events not listed are ignored by this view."""
