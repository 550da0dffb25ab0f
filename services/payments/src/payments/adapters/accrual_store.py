"""Bring the ledger up to date for some (health board, financial year) scopes, in a transaction.

Called by every handler that changes a fact the money depends on, on the handler's own
connection, so the facts, the checkpoint and the ledger entries commit together (a redelivered
event has one effect). The handlers (membership's consumer, meetings' consumer, payments' own
projector) take turns under one transaction-scoped lock, taken *before* they write their facts:
each then reads everything the others committed and none is half-way through, so no fact can
slip between one handler's write and another's read, and the ledger converges whatever the
order of arrival.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from kernel.messaging import DbConnection
from kernel.postgres.eventstore import append_in_transaction
from kernel.telemetry.propagation import inject_trace_context
from payments.adapters.facts_loader import load_facts, load_standing
from payments.domain.accrual import entitlements
from payments.domain.events import EVENTS
from payments.domain.financial_year import financial_year
from payments.domain.ledger import LedgerEntryPosted, Posting, postings

Scope = tuple[str, str]


async def take_turn(conn: DbConnection, schema: str) -> None:
    """Wait for the other handlers' transactions to finish; hold the turn until this one does."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"{schema}:accrual")


async def reaccrue(conn: DbConnection, schema: str, scopes: Iterable[Scope], caused_by: str) -> int:
    """Append the entries that make each scope's ledger what the rules give; return how many.

    Each entry is also published as ``LedgerEntryPosted``, appended to payments' own store in
    this same transaction (so an entry and its event commit together, or neither does).
    """
    appended = 0
    metadata = inject_trace_context({})
    for board, year in sorted(set(scopes)):
        cards, facts = await load_facts(conn, schema, board, year)
        standing = await load_standing(conn, schema, board, year)
        posted = []
        for posting in postings(entitlements(cards, facts), standing):
            entry_id = await _append(conn, schema, posting, caused_by)
            posted.append(LedgerEntryPosted.of(entry_id, posting, caused_by))
        if posted:
            events = [EVENTS.encode(event, metadata) for event in posted]
            stream = f"ledger-{board}-{year.replace('/', '-')}"
            await append_in_transaction(conn, schema, stream, None, events)
        appended += len(posted)
    return appended


async def _append(conn: DbConnection, schema: str, posting: Posting, caused_by: str) -> int:
    key, due = posting.key, posting.due
    entry_id = await conn.fetchval(
        f"INSERT INTO {schema}.ledger (payee, payee_kind, rule_id, card_id, source_kind,"
        ' source_id, part, amount_pence, reverses, "on", financial_year, health_board,'
        " cluster_id, caused_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
        " $13, $14) RETURNING entry_id",
        key.payee,
        due.payee_kind,
        key.rule_id,
        due.card_id,
        key.source_kind,
        key.source_id,
        key.part,
        due.amount_pence,
        posting.reverses,
        due.on,
        due.financial_year,
        due.health_board,
        due.cluster_id,
        caused_by,
    )
    if posting.reverses is not None:
        await conn.execute(
            f"DELETE FROM {schema}.ledger_standing WHERE entry_id = $1", posting.reverses
        )
        return int(entry_id)
    await conn.execute(
        f"INSERT INTO {schema}.ledger_standing VALUES ($1, $2, $3, $4, $5, $6)",
        key.payee,
        key.rule_id,
        key.source_kind,
        key.source_id,
        key.part,
        entry_id,
    )
    return int(entry_id)


async def scopes_of_board(conn: DbConnection, schema: str, board: str | None) -> list[Scope]:
    """Every (board, year) with meetings, claims or ledger entries (of ``board``, or all)."""
    rows = await conn.fetch(
        f"SELECT health_board, financial_year FROM {schema}.meetings"
        f" UNION SELECT health_board, financial_year FROM {schema}.claims"
        f" UNION SELECT health_board, financial_year FROM {schema}.ledger",
    )
    return [(r[0], r[1]) for r in rows if board is None or r[0] == board]


def since(scopes: Iterable[Scope], first_day: dt.date) -> list[Scope]:
    """The scopes whose financial year ends on or after ``first_day``."""
    earliest = financial_year(first_day)
    return [s for s in scopes if s[1] >= earliest]
