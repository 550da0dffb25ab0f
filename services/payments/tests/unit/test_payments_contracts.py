"""Every stored payments event validates against its published contract (no drift)."""

from __future__ import annotations

import datetime as dt

import pytest

from contracts import payments as published
from kernel.aggregate import DomainEvent
from kernel.testing.contracts import assert_stored_json_matches_contract
from payments.domain.card_book import RateCardPublished
from payments.domain.claims import ClaimApproved, ClaimRejected, ClaimSubmitted
from payments.domain.events import EVENTS
from payments.domain.ledger import LedgerEntryPosted
from payments.domain.schedules import ScheduleApproved, ScheduleDrafted
from payments.domain.shipped_card import SHIPPED_CARD

SAMPLES: list[DomainEvent] = [
    RateCardPublished(card=SHIPPED_CARD),
    ClaimSubmitted(
        claim_id="c-1",
        rule_id="SESSIONAL",
        card_id=SHIPPED_CARD.card_id,
        payee="person-1",
        payee_kind="claimant",
        health_board="7A1",
        cluster_id=None,
        activity_date=dt.date(2024, 6, 3),
        half_days=2,
        rate_pence=25_000,
        amount_pence=50_000,
        evidence="workshop",
    ),
    ClaimApproved(claim_id="c-1", health_board="7A1", approved_by="finance@7A1"),
    ClaimRejected(claim_id="c-2", health_board="7A1", rejected_by="finance@7A1", reason="none"),
    ScheduleDrafted(
        schedule_id="7A1-2024-06-1",
        health_board="7A1",
        period="2024-06",
        entry_ids=(1, 2),
        total_pence=50_000,
    ),
    ScheduleApproved(schedule_id="7A1-2024-06-1", health_board="7A1", approved_by="fd@7A1"),
    LedgerEntryPosted(
        entry_id=2,
        payee="o-W00001",
        payee_kind="contractor",
        rule_id="CP-COLLAB-MEETING",
        card_id=SHIPPED_CARD.card_id,
        source_kind="meeting",
        source_id="m-1",
        part="payment",
        amount_pence=-12_000,
        reverses=1,
        on=dt.date(2024, 6, 12),
        financial_year="2024/25",
        health_board="7A1",
        cluster_id="7A1-anglesey",
        caused_by="meetings:41",
    ),
]


def test_every_event_type_has_a_sample_and_a_contract() -> None:
    stored = {type(s).event_type for s in SAMPLES}
    assert stored == {e.event_type for e in published.EVENTS}
    assert stored == {e.event_type for e in EVENTS.classes()}


@pytest.mark.parametrize("event", SAMPLES, ids=[type(e).__name__ for e in SAMPLES])
def test_the_stored_json_validates_against_the_contract(event: DomainEvent) -> None:
    assert_stored_json_matches_contract(event, published.EVENTS)
