"""Bring the ledger up to date for some (health board, financial year) scopes, in a transaction.

Called by every handler that changes a fact the money depends on, on the handler's own
connection, so the facts, the checkpoint and the ledger entries commit together (a redelivered
event has one effect). The handlers (membership's consumer, meetings' consumer, payments' own
projector) take turns under one transaction-scoped lock, taken *before* they write their facts:
each then reads everything the others committed and none is half-way through, so no fact can
slip between one handler's write and another's read, and the ledger converges whatever the
order of arrival.

A meeting's change can only move the money of the payees it may pay (``reaccrue_payees``), so a
handler of meetings' events re-reads only the meetings that can pay them, not the whole scope:
the work per held meeting stays the same however many meetings the year already holds.

Every entry is also published as ``LedgerEntryPosted``, appended to payments' own store in the
same transaction (stream ``ledger-<board>-<2024-25>``): an entry and its event commit together,
or neither does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet

from kernel.events import RecordedEvent
from kernel.messaging import DbConnection
from kernel.postgres.eventstore import append_in_transaction
from kernel.telemetry.propagation import inject_trace_context
from payments.adapters.facts_loader import load_cards, load_facts, load_standing
from payments.domain.accrual import Due, LineKey, entitlements
from payments.domain.events import EVENTS
from payments.domain.financial_year import financial_year
from payments.domain.ledger import LedgerEntryPosted, Posting, postings
from payments.domain.rate_card import RateCard

Scope = tuple[str, str]


async def take_turn_if_any(
    conn: DbConnection,
    schema: str,
    events: Sequence[RecordedEvent],
    is_fact: Callable[[str], bool],
) -> bool:
    """Take the accrual turn if any of ``events`` is a fact (by its type); whether one was.

    Taking the turn waits for the other handlers' transactions to finish and holds it until
    this one does. A batch with no fact takes no turn: only its checkpoint moves, so it commits
    without waiting for the disk. Most of a source's events mean nothing to payments (agenda
    items, actions...), and under load they come a few at a time: one flushed commit each would
    keep the consumer busy and the next ``MeetingHeld`` waiting. If such a commit is lost in a
    crash, the checkpoint goes back and the same do-nothing events are applied again: no money
    moves either way. (Any later flushed commit makes it durable too: the log is written in
    order.)
    """
    if any(is_fact(event.event_type) for event in events):
        await conn.execute(
            "SELECT set_config('plan_cache_mode', 'force_custom_plan', true),"
            " pg_advisory_xact_lock(hashtext($1))",
            f"{schema}:accrual",
        )
        return True
    await conn.execute("SET LOCAL synchronous_commit TO OFF")
    return False


async def reaccrue(conn: DbConnection, schema: str, scopes: Iterable[Scope], caused_by: str) -> int:
    """Append the entries that make each scope's ledger what the rules give; return how many."""
    cards = await load_cards(conn, schema)
    appended = 0
    for scope in sorted(set(scopes)):
        appended += await _bring_up_to_date(conn, schema, cards, scope, None, caused_by)
    return appended


async def reaccrue_payees(
    conn: DbConnection,
    schema: str,
    payees: Mapping[Scope, AbstractSet[str]],
    caused_by: str,
    cards: tuple[RateCard, ...] | None = None,
) -> int:
    """As ``reaccrue``, for only these payees of each scope; return how many entries.

    ``cards``: the cards, if the caller has read them in this transaction already.
    """
    if cards is None:
        cards = await load_cards(conn, schema)
    appended = 0
    for scope in sorted(payees):
        appended += await _bring_up_to_date(conn, schema, cards, scope, payees[scope], caused_by)
    return appended


async def _bring_up_to_date(
    conn: DbConnection,
    schema: str,
    cards: tuple[RateCard, ...],
    scope: Scope,
    payees: AbstractSet[str] | None,
    caused_by: str,
) -> int:
    board, year = scope
    facts = await load_facts(conn, schema, board, year, payees)
    standing = await load_standing(conn, schema, board, year, payees)
    due = entitlements(cards, facts)
    if payees is not None:
        # The facts read are complete for these payees only (the others' meetings were not).
        due = _of(due, payees)
    entries = postings(due, standing)
    ids = await _append(conn, schema, entries, caused_by)
    if entries:
        trace = inject_trace_context({})  # the handled event's, carried on to what it caused
        posted = [
            EVENTS.encode(LedgerEntryPosted.of(entry_id, posting, caused_by), trace)
            for entry_id, posting in zip(ids, entries, strict=True)
        ]
        stream = f"ledger-{board}-{year.replace('/', '-')}"
        await append_in_transaction(conn, schema, stream, None, posted)
    return len(entries)


def _of(due: dict[LineKey, Due], payees: AbstractSet[str]) -> dict[LineKey, Due]:
    return {key: line for key, line in due.items() if key.payee in payees}


async def _append(
    conn: DbConnection, schema: str, entries: Sequence[Posting], caused_by: str
) -> list[int]:
    """Append ``entries`` in order and move the standing lines, in four statements; their ids.

    The ids are drawn first, in order, so each entry keeps the id it would have had appended
    one by one; the reversed lines stop standing before their replacements start.
    """
    if not entries:
        return []
    ids: list[int] = [
        r[0]
        for r in await conn.fetch(
            f"SELECT nextval(pg_get_serial_sequence('{schema}.ledger', 'entry_id'))"
            " FROM generate_series(1, $1)",
            len(entries),
        )
    ]
    columns = list(
        zip(*(_row(entry_id, p) for entry_id, p in zip(ids, entries, strict=True)), strict=True)
    )
    await conn.execute(
        f"INSERT INTO {schema}.ledger (entry_id, payee, payee_kind, rule_id, card_id,"
        ' source_kind, source_id, part, amount_pence, reverses, "on", financial_year,'
        " health_board, cluster_id, caused_by) SELECT *, $15::text FROM unnest($1::bigint[],"
        " $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],"
        " $9::bigint[], $10::bigint[], $11::date[], $12::text[], $13::text[], $14::text[])",
        *(list(c) for c in columns),
        caused_by,
    )
    reversed_ids = [p.reverses for p in entries if p.reverses is not None]
    if reversed_ids:
        await conn.execute(
            f"DELETE FROM {schema}.ledger_standing WHERE entry_id = ANY($1::bigint[])",
            reversed_ids,
        )
    accrued = [
        (entry_id, p.key) for entry_id, p in zip(ids, entries, strict=True) if p.reverses is None
    ]
    if accrued:
        await conn.execute(
            f"INSERT INTO {schema}.ledger_standing SELECT * FROM unnest($1::text[], $2::text[],"
            " $3::text[], $4::text[], $5::text[], $6::bigint[])",
            [k.payee for _, k in accrued],
            [k.rule_id for _, k in accrued],
            [k.source_kind for _, k in accrued],
            [k.source_id for _, k in accrued],
            [k.part for _, k in accrued],
            [entry_id for entry_id, _ in accrued],
        )
    return ids


def _row(entry_id: int, posting: Posting) -> tuple[object, ...]:
    key, due = posting.key, posting.due
    return (
        entry_id,
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
    )


async def scopes_of_board(conn: DbConnection, schema: str, board: str | None) -> list[Scope]:
    """Every (board, year) with meetings, claims or ledger entries (of ``board``, or all)."""
    only = "WHERE $1::text IS NULL OR health_board = $1"
    rows = await conn.fetch(
        f"SELECT health_board, financial_year FROM {schema}.meetings {only}"
        f" UNION SELECT health_board, financial_year FROM {schema}.claims {only}"
        f" UNION SELECT health_board, financial_year FROM {schema}.ledger {only}",
        board,
    )
    return [(r[0], r[1]) for r in rows]


def since(scopes: Iterable[Scope], first_day: dt.date) -> list[Scope]:
    """The scopes whose financial year ends on or after ``first_day``."""
    earliest = financial_year(first_day)
    return [s for s in scopes if s[1] >= earliest]
