"""Read one scope's facts (a board's meetings and claims in a year) and its standing entries.

Either all of them, or only what can change what some payees are due: a payee's lines depend
only on the candidates for that payee (caps and bonuses run per payee, rule and year), and a
meeting can name a payee only through someone present at it: the organisation they represent
(contractor rules), the person (lead rules), or the workplace on their lead appointment
(workplace rules). So the meetings with an attendee so linked to one of the payees are every
meeting that can pay them; ``payees_of_meetings`` is the matching superset for a meeting.

The narrowed reads start from the few rows they need (a meeting's attendance, a payee's
standing lines) and reach the rest by key: ``= ANY(ARRAY(subquery))`` and ``MATERIALIZED``
keep the planner from joining whole tables, which it chose when its statistics lagged behind
a fast-growing year (a board's every meeting and ledger line read for each accrual: work that
grew with the year).
"""

from __future__ import annotations

import json
from collections.abc import Collection

import asyncpg

from kernel.messaging import DbConnection
from payments.domain.accrual import Due, LineKey
from payments.domain.facts import (
    Appointment,
    ApprovedClaim,
    Attendee,
    Facts,
    Meeting,
    Organisation,
    Succession,
)
from payments.domain.ledger import StandingEntry
from payments.domain.rate_card import RateCard

#: Cards read so far, by (schema, card id). A published card never changes, so it is parsed
#: once per process; only the ids are read each time (a card is on every accrual's path).
_PARSED_CARDS: dict[tuple[str, str], RateCard] = {}


async def load_cards(conn: DbConnection, schema: str) -> tuple[RateCard, ...]:
    """Every published card, by effective date (the text of only those not parsed yet)."""
    known = [card_id for (s, card_id) in _PARSED_CARDS if s == schema]
    rows = await conn.fetch(
        f"SELECT card_id, CASE WHEN card_id = ANY($1::text[]) THEN NULL ELSE card END AS card"
        f" FROM {schema}.rate_cards ORDER BY effective_from",
        known,
    )
    for row in rows:
        if row["card"] is not None:
            card = RateCard.model_validate(json.loads(row["card"]))
            _PARSED_CARDS[(schema, row["card_id"])] = card
    return tuple(_PARSED_CARDS[(schema, row["card_id"])] for row in rows)


async def load_facts(
    conn: DbConnection,
    schema: str,
    board: str,
    year: str,
    payees: Collection[str] | None = None,
) -> Facts:
    """The scope's facts; with ``payees``, only those that can pay them (see the module doc)."""
    meetings = await _meetings(conn, schema, board, year, payees)
    appointments = tuple(
        Appointment(**{k: v for k, v in r.items() if k != "health_board"})
        for r in await conn.fetch(
            f"SELECT * FROM {schema}.appointments WHERE health_board = $1", board
        )
    )
    claims = tuple(
        ApprovedClaim(
            claim_id=r["claim_id"],
            rule_id=r["rule_id"],
            payee=r["payee"],
            health_board=r["health_board"],
            activity_date=r["activity_date"],
            half_days=r["half_days"],
            rate_pence=r["rate_pence"],
            cluster_id=r["cluster_id"],
        )
        for r in await _fetch_of(
            conn,
            f"SELECT * FROM {schema}.claims WHERE health_board = $1 AND financial_year = $2"
            " AND status = 'approved'",
            "payee",
            board,
            year,
            payees,
        )
    )
    referenced = {a.organisation_id for m in meetings for a in m.attendance} | {
        a.usual_workplace_id for a in appointments
    }
    organisations = {
        r["organisation_id"]: Organisation(**r)
        for r in await conn.fetch(
            f"SELECT organisation_id, kind, cluster_id, health_board, health_board_salaried,"
            f" ods_code FROM {schema}.organisations WHERE organisation_id = ANY($1::text[])",
            [o for o in referenced if o is not None],
        )
    }
    successions = tuple(
        Succession(r["cluster_id"], r["successor_id"], r["from_date"])
        for r in await conn.fetch(f"SELECT * FROM {schema}.cluster_successions")
    )
    return Facts(
        meetings=meetings,
        organisations=organisations,
        appointments=appointments,
        claims=claims,
        successions=successions,
    )


async def _meetings(
    conn: DbConnection, schema: str, board: str, year: str, payees: Collection[str] | None
) -> tuple[Meeting, ...]:
    s = schema
    # Each meeting with its attendance as an array of rows: one round trip, not two.
    select = (
        f"SELECT m.*, array(SELECT row(a.person_id, a.status, a.organisation_id,"
        f" a.held_lead_appointment) FROM {s}.attendance a WHERE a.meeting_id = m.meeting_id)"
        " AS attendees FROM {meetings} m WHERE health_board = $1 AND financial_year = $2 AND held"
    )
    if payees is None:
        rows = await conn.fetch(select.format(meetings=f"{s}.meetings"), board, year)
    else:
        # The payees' meetings by key, from a union of index lookups (one OR'd condition
        # would scan the attendance); then only those are checked against the scope.
        candidates = (
            f"WITH candidates AS MATERIALIZED (SELECT * FROM {s}.meetings"
            f" WHERE meeting_id = ANY(ARRAY(SELECT meeting_id FROM {s}.attendance"
            " WHERE organisation_id = ANY($3::text[])"
            f" UNION SELECT meeting_id FROM {s}.attendance WHERE person_id = ANY($3::text[])"
            f" UNION SELECT meeting_id FROM {s}.attendance WHERE person_id = ANY(ARRAY("
            f"SELECT person_id FROM {s}.appointments"
            " WHERE usual_workplace_id = ANY($3::text[]))))))"
        )
        query = f"{candidates} {select.format(meetings='candidates')}"
        rows = await conn.fetch(query, board, year, list(payees))
    return tuple(_meeting(r, tuple(Attendee(*a) for a in r["attendees"])) for r in rows)


async def payees_of_meetings(
    conn: DbConnection,
    schema: str,
    meeting_ids: Collection[str],
    organisation_kinds: Collection[str] | None,
) -> set[str]:
    """Everyone the meetings may pay as they now stand, or were paid for them until now.

    A superset: the organisations of ``organisation_kinds`` (None: of any kind) represented at
    them, the people recorded at them who hold or held an appointment (only a lead is paid as a
    person) and their usual workplaces, and the payees of the meetings' standing lines (a line
    no longer due must be reversed).
    """
    s = schema
    # Who was present, then their organisations and appointments by key.
    present = (
        f"WITH present AS MATERIALIZED (SELECT person_id, organisation_id FROM {s}.attendance"
        " WHERE meeting_id = ANY($1::text[])), leads AS MATERIALIZED (SELECT person_id,"
        f" usual_workplace_id FROM {s}.appointments"
        " WHERE person_id = ANY(ARRAY(SELECT person_id FROM present)))"
    )
    leads_and_lines = (
        " UNION SELECT person_id FROM leads UNION SELECT usual_workplace_id FROM leads"
        f" UNION SELECT payee FROM {s}.ledger_standing WHERE source_kind = 'meeting'"
        " AND source_id = ANY($1::text[])"
    )
    if organisation_kinds is None:
        rows = await conn.fetch(
            f"{present} SELECT organisation_id FROM present{leads_and_lines}", list(meeting_ids)
        )
    else:
        rows = await conn.fetch(
            f"{present} SELECT organisation_id FROM {s}.organisations"
            " WHERE organisation_id = ANY(ARRAY(SELECT organisation_id FROM present))"
            f" AND kind = ANY($2::text[]){leads_and_lines}",
            list(meeting_ids),
            sorted(organisation_kinds),
        )
    return {r[0] for r in rows if r[0] is not None}


async def _fetch_of(
    conn: DbConnection,
    query: str,
    payee_column: str,
    board: str,
    year: str,
    payees: Collection[str] | None,
) -> list[asyncpg.Record]:
    """``query``'s rows of (``board``, ``year``), of ``payees`` only when given.

    Two statements, not one with ``$3 IS NULL OR``: a generic plan of that cannot use an index.
    """
    if payees is None:
        return await conn.fetch(query, board, year)
    return await conn.fetch(
        f"{query} AND {payee_column} = ANY($3::text[])", board, year, list(payees)
    )


def _meeting(row: asyncpg.Record, attendance: tuple[Attendee, ...]) -> Meeting:
    return Meeting(
        meeting_id=row["meeting_id"],
        body_id=row["body_id"],
        body_kind=row["body_kind"],
        profession=row["profession"],
        cluster_id=row["cluster_id"],
        health_board=row["health_board"],
        meeting_kind=row["meeting_kind"],
        meeting_date=row["meeting_date"],
        attendance=attendance,
        cancelled=row["cancelled"],
    )


async def load_standing(
    conn: DbConnection, schema: str, board: str, year: str, payees: Collection[str] | None = None
) -> list[StandingEntry]:
    """The scope's standing entries (of ``payees`` only, when given)."""
    s = schema
    if payees is None:
        rows = await conn.fetch(
            f"SELECT l.* FROM {s}.ledger_standing JOIN {s}.ledger l USING (entry_id)"
            " WHERE l.health_board = $1 AND l.financial_year = $2",
            board,
            year,
        )
    else:
        # The payees' standing lines by key, then only those are checked against the scope.
        rows = await conn.fetch(
            f"WITH theirs AS MATERIALIZED (SELECT l.* FROM {s}.ledger l WHERE entry_id = ANY("
            f"ARRAY(SELECT entry_id FROM {s}.ledger_standing WHERE payee = ANY($3::text[]))))"
            " SELECT * FROM theirs WHERE health_board = $1 AND financial_year = $2",
            board,
            year,
            list(payees),
        )
    return [
        StandingEntry(
            entry_id=r["entry_id"],
            key=LineKey(r["payee"], r["rule_id"], r["source_kind"], r["source_id"], r["part"]),
            due=Due(
                amount_pence=r["amount_pence"],
                card_id=r["card_id"],
                payee_kind=r["payee_kind"],
                health_board=r["health_board"],
                financial_year=r["financial_year"],
                on=r["on"],
                cluster_id=r["cluster_id"],
            ),
        )
        for r in rows
    ]
