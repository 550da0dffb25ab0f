"""Payments' commands on an in-memory store: what they store, refuse and who may call them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from kernel.access import Caller
from kernel.errors import NotFound, PermissionDenied, RuleViolated, ValidationFailed
from kernel.eventstore.memory import InMemoryEventStore
from payments.application.commands import PaymentCommands
from payments.application.ports import (
    AccrualFilter,
    ExportRow,
    LedgerLine,
    ScheduleView,
)
from payments.domain.claims import ClaimRequest
from payments.domain.facts import Organisation
from payments.domain.rate_card import RateCard
from payments.domain.shipped_card import SHIPPED_CARD

BETSI = Caller("betsi", "health_board", "7A1")
HYWEL_DDA = Caller("hywel-dda", "health_board", "7A2")
NATIONAL = Caller("spcc", "national")
PHARMACY = Organisation("org-ph", "community_pharmacy", "7A1-anglesey", "7A1", False, "FW844")


@dataclass
class FakeQueries:
    """Just enough of payments' read side for the commands."""

    claims: int = 0
    entries: dict[int, int] = field(default_factory=dict)
    accrued_up_to: dt.date | None = None

    async def cards(self) -> tuple[RateCard, ...]:
        return (SHIPPED_CARD,)

    async def organisation(self, organisation_id: str) -> Organisation | None:
        return PHARMACY if organisation_id == PHARMACY.organisation_id else None

    async def person_known(self, person_id: str) -> bool:
        return person_id == "person-1"

    async def claims_not_rejected(self, payee: str, rule_id: str, year: str) -> int:
        return self.claims

    async def unscheduled(self, board: str, up_to: dt.date) -> dict[int, int]:
        return dict(self.entries)

    async def statement(self, payee: str, year: str) -> list[LedgerLine]:
        return []

    async def accruals(self, only: AccrualFilter, after: int, limit: int) -> list[LedgerLine]:
        return []

    async def schedule(self, schedule_id: str) -> ScheduleView | None:
        return None

    async def export_rows(self, schedule_id: str) -> list[ExportRow]:
        return []

    async def last_accrued_on(self) -> dt.date | None:
        return self.accrued_up_to

    async def payee_board(self, payee: str) -> str | None:
        return None


@pytest.fixture
def parts() -> tuple[PaymentCommands, InMemoryEventStore, FakeQueries]:
    store, queries = InMemoryEventStore(), FakeQueries()
    return PaymentCommands(store, queries, {"7A1": ["betsi"]}), store, queries


def claim(rule_id: str = "CP-COLLAB", payee: str = "org-ph", **fields: object) -> ClaimRequest:
    values: dict[str, object] = {
        "rule_id": rule_id,
        "payee": payee,
        "health_board": "",
        "cluster_id": None,
        "activity_date": dt.date(2024, 6, 1),
        "half_days": 0,
        "rate_pence": 0,
        "evidence": "minutes of the joint session",
    }
    return ClaimRequest.model_validate(values | fields)


async def test_the_shipped_card_is_seeded_once(
    parts: tuple[PaymentCommands, InMemoryEventStore, FakeQueries],
) -> None:
    commands, store, _ = parts
    assert await commands.seed_shipped_card() == 1
    assert await commands.seed_shipped_card() == 0
    assert await store.last_position() == 1


async def test_only_the_national_programme_publishes_cards(
    parts: tuple[PaymentCommands, InMemoryEventStore, FakeQueries],
) -> None:
    commands, _, _ = parts
    with pytest.raises(PermissionDenied):
        await commands.publish_card(BETSI, SHIPPED_CARD)
    assert await commands.publish_card(NATIONAL, SHIPPED_CARD) == 1


async def test_a_card_that_would_reprice_accrued_money_is_refused(
    parts: tuple[PaymentCommands, InMemoryEventStore, FakeQueries],
) -> None:
    commands, store, queries = parts
    await commands.seed_shipped_card()
    queries.accrued_up_to = dt.date(2024, 6, 1)
    backdated = SHIPPED_CARD.model_copy(
        update={
            "card_id": "backdated",
            "effective_from": dt.date(2024, 5, 1),
            "rules": tuple(r for r in SHIPPED_CARD.rules if r.last_day is None),
        }
    )
    with pytest.raises(RuleViolated, match="money has accrued"):
        await commands.publish_card(NATIONAL, backdated)
    assert await store.last_position() == 1
    later = backdated.model_copy(update={"effective_from": dt.date(2024, 6, 2)})
    assert await commands.publish_card(NATIONAL, later) == 2


async def test_a_claim_over_the_cap_an_unknown_payee_or_another_board_is_refused(
    parts: tuple[PaymentCommands, InMemoryEventStore, FakeQueries],
) -> None:
    commands, store, queries = parts
    queries.claims = 2
    with pytest.raises(RuleViolated, match="cap"):
        await commands.submit_claim(BETSI, claim())
    queries.claims = 0
    with pytest.raises(NotFound):
        await commands.submit_claim(BETSI, claim(payee="org-unknown"))
    with pytest.raises(PermissionDenied):
        await commands.submit_claim(HYWEL_DDA, claim())
    with pytest.raises(ValidationFailed, match="rate_pence"):
        await commands.submit_claim(
            BETSI,
            claim("SESSIONAL", "person-1", health_board="7A1", half_days=1, rate_pence=23_999),
        )
    assert await store.last_position() == 0


async def test_a_claim_is_decided_once_by_its_board(
    parts: tuple[PaymentCommands, InMemoryEventStore, FakeQueries],
) -> None:
    commands, _, _ = parts
    claim_id, amount, _ = await commands.submit_claim(BETSI, claim())
    assert amount == 25_000
    with pytest.raises(PermissionDenied):
        await commands.decide_claim(HYWEL_DDA, claim_id, approve=True)
    await commands.decide_claim(BETSI, claim_id, approve=True)
    with pytest.raises(RuleViolated, match="approved already"):
        await commands.decide_claim(BETSI, claim_id, approve=False, reason="late")
    with pytest.raises(NotFound):
        await commands.decide_claim(BETSI, "no-such-claim", approve=True)


async def test_a_schedule_needs_a_signatory_and_is_approved_once(
    parts: tuple[PaymentCommands, InMemoryEventStore, FakeQueries],
) -> None:
    commands, _, queries = parts
    with pytest.raises(ValidationFailed, match="period"):
        await commands.draft_schedule(BETSI, "7A1", "June")
    with pytest.raises(RuleViolated, match="no unscheduled"):
        await commands.draft_schedule(BETSI, "7A1", "2024-06")
    queries.entries = {1: 25_000, 2: -25_000, 3: 50_000}
    drafted, _ = await commands.draft_schedule(BETSI, "7A1", "2024-06")
    assert (drafted.entry_ids, drafted.total_pence) == ((1, 2, 3), 50_000)
    with pytest.raises(PermissionDenied):
        await commands.approve_schedule(Caller("clerk", "health_board", "7A1"), "7A1", "x")
    await commands.approve_schedule(BETSI, "7A1", drafted.schedule_id)
    with pytest.raises(RuleViolated, match="approved already"):
        await commands.approve_schedule(BETSI, "7A1", drafted.schedule_id)
    # Entries already gathered are never gathered again.
    with pytest.raises(RuleViolated, match="no unscheduled"):
        await commands.draft_schedule(BETSI, "7A1", "2024-07")
