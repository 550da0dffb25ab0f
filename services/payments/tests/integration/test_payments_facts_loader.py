"""The accrual's reads on real PostgreSQL: what the handlers see, whatever was read before."""

from __future__ import annotations

import datetime as dt

import asyncpg

from kernel.postgres.migrations import migrate
from payments.adapters.facts_loader import load_cards
from payments.adapters.facts_tables import FACTS_MIGRATION
from payments.domain.rate_card import RateCard
from payments.domain.shipped_card import SHIPPED_CARD


async def test_cards_read_before_do_not_hide_a_card_published_since(
    pg_pool: asyncpg.Pool, pg_schema: str
) -> None:
    later = SHIPPED_CARD.model_copy(
        update={"card_id": "wales-2025-04", "effective_from": dt.date(2025, 4, 1)}
    )
    async with pg_pool.acquire() as conn:
        await migrate(conn, pg_schema, [FACTS_MIGRATION])

        async def publish(card: RateCard) -> None:
            await conn.execute(
                f"INSERT INTO {pg_schema}.rate_cards VALUES ($1, $2, $3)",
                card.card_id,
                card.effective_from,
                card.model_dump_json(),
            )

        await publish(later)
        assert await load_cards(conn, pg_schema) == (later,)
        await publish(SHIPPED_CARD)
        # Both, by effective date: the one parsed already and the one published since.
        assert await load_cards(conn, pg_schema) == (SHIPPED_CARD, later)
