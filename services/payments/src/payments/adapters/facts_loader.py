"""Read one scope's facts (a board's meetings and claims in a year) and its standing entries."""

from __future__ import annotations

import json
from collections import defaultdict

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


async def load_cards(conn: DbConnection, schema: str) -> tuple[RateCard, ...]:
    rows = await conn.fetch(f"SELECT card FROM {schema}.rate_cards ORDER BY effective_from")
    return tuple(RateCard.model_validate(json.loads(r["card"])) for r in rows)


async def load_facts(
    conn: DbConnection, schema: str, board: str, year: str
) -> tuple[tuple[RateCard, ...], Facts]:
    cards = await load_cards(conn, schema)
    meetings = await _meetings(conn, schema, board, year)
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
        for r in await conn.fetch(
            f"SELECT * FROM {schema}.claims WHERE health_board = $1 AND financial_year = $2"
            " AND status = 'approved'",
            board,
            year,
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
    facts = Facts(
        meetings=meetings,
        organisations=organisations,
        appointments=appointments,
        claims=claims,
        successions=successions,
    )
    return cards, facts


async def _meetings(conn: DbConnection, schema: str, board: str, year: str) -> tuple[Meeting, ...]:
    rows = await conn.fetch(
        f"SELECT * FROM {schema}.meetings WHERE health_board = $1 AND financial_year = $2 AND held",
        board,
        year,
    )
    attendance: dict[str, list[Attendee]] = defaultdict(list)
    for r in await conn.fetch(
        f"SELECT a.* FROM {schema}.attendance a JOIN {schema}.meetings m USING (meeting_id)"
        " WHERE m.health_board = $1 AND m.financial_year = $2 AND m.held",
        board,
        year,
    ):
        attendance[r["meeting_id"]].append(
            Attendee(r["person_id"], r["status"], r["organisation_id"], r["held_lead_appointment"])
        )
    return tuple(_meeting(r, tuple(attendance[r["meeting_id"]])) for r in rows)


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
    conn: DbConnection, schema: str, board: str, year: str
) -> list[StandingEntry]:
    rows = await conn.fetch(
        f"SELECT l.* FROM {schema}.ledger_standing s JOIN {schema}.ledger l USING (entry_id)"
        " WHERE l.health_board = $1 AND l.financial_year = $2",
        board,
        year,
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
