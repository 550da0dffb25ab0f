"""Payments' own events into its tables: rate cards, claims and schedules.

Fed straight from the store by the runtime's projector. A published card or an approved claim
can change what is due, so what it touches is brought up to date in the same transaction as
this handler's checkpoint: a card, every payee of the years it applies to; a claim, only its
payee's lines of its year (caps and bonuses run per payee, so no one else's can move).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from kernel.events import RecordedEvent
from kernel.messaging import DbConnection
from payments.adapters.accrual_store import (
    Scope,
    reaccrue,
    reaccrue_payees,
    scopes_of_board,
    since,
    take_turn_if_any,
)
from payments.domain.card_book import RateCardPublished
from payments.domain.claims import ClaimApproved, ClaimRejected, ClaimSubmitted
from payments.domain.events import EVENTS
from payments.domain.financial_year import financial_year
from payments.domain.ledger import LedgerEntryPosted
from payments.domain.schedules import ScheduleApproved, ScheduleDrafted


def _is_fact(event_type: str) -> bool:
    # The ledger's own events follow from the facts; they change none of them.
    return event_type != LedgerEntryPosted.event_type


class OwnFacts:
    """A kernel ``EventHandler`` of payments' own events."""

    def __init__(self, schema: str) -> None:
        self.name = "payments.own_facts"
        self._schema = schema

    async def handle(self, conn: DbConnection, events: Sequence[RecordedEvent]) -> None:
        if not await take_turn_if_any(conn, self._schema, events, _is_fact):
            return
        facts = [e for e in events if _is_fact(e.event_type)]
        everyone: set[Scope] = set()
        payees: dict[Scope, set[str]] = defaultdict(set)
        last = ""
        for recorded in facts:
            scopes, payee = await self._write(conn, EVENTS.decode(recorded))
            if scopes:
                for scope in scopes:
                    if payee is None:
                        everyone.add(scope)
                    else:
                        payees[scope].add(payee)
                last = f"{self._schema}@{recorded.position} {recorded.event_type}"
        if everyone:
            await reaccrue(conn, self._schema, everyone, last)
        if narrowed := {k: v for k, v in payees.items() if k not in everyone}:
            await reaccrue_payees(conn, self._schema, narrowed, last)

    async def _write(self, conn: DbConnection, event: object) -> tuple[list[Scope], str | None]:
        """Store the fact; the scopes it may change, and its one payee (None: everyone)."""
        s = self._schema
        if isinstance(event, RateCardPublished):
            card = event.card
            await conn.execute(
                f"INSERT INTO {s}.rate_cards VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                card.card_id,
                card.effective_from,
                card.model_dump_json(),
            )
            return since(await scopes_of_board(conn, s, None), card.effective_from), None
        if isinstance(event, ClaimSubmitted):
            await conn.execute(
                f"INSERT INTO {s}.claims VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
                " $12, $13, 'submitted', NULL) ON CONFLICT DO NOTHING",
                event.claim_id,
                event.rule_id,
                event.card_id,
                event.payee,
                event.payee_kind,
                event.health_board,
                event.cluster_id,
                event.activity_date,
                financial_year(event.activity_date),
                event.half_days,
                event.rate_pence,
                event.amount_pence,
                event.evidence,
            )
            return [], None
        if isinstance(event, ClaimApproved | ClaimRejected):
            approved = isinstance(event, ClaimApproved)
            row = await conn.fetchrow(
                f"UPDATE {s}.claims SET status = $2, decided_by = $3 WHERE claim_id = $1"
                " RETURNING health_board, financial_year, payee",
                event.claim_id,
                "approved" if approved else "rejected",
                event.approved_by if isinstance(event, ClaimApproved) else event.rejected_by,
            )
            if approved and row is not None:
                return [(row[0], row[1])], row[2]
            return [], None
        if isinstance(event, ScheduleDrafted):
            await conn.execute(
                f"INSERT INTO {s}.schedules VALUES ($1, $2, $3, $4, $5, NULL)"
                " ON CONFLICT DO NOTHING",
                event.schedule_id,
                event.health_board,
                event.period,
                list(event.entry_ids),
                event.total_pence,
            )
        elif isinstance(event, ScheduleApproved):
            await conn.execute(
                f"UPDATE {s}.schedules SET approved_by = $2 WHERE schedule_id = $1",
                event.schedule_id,
                event.approved_by,
            )
        return [], None
