"""Publishing rate cards: well formed, never overlapping, never edited, repeats harmless."""

from __future__ import annotations

import datetime as dt

import pytest

from kernel.errors import AlreadyExists, RuleViolated, ValidationFailed
from kernel.testing.scenario import scenario
from payments.domain.card_book import RateCardBook, RateCardPublished
from payments.domain.rate_card import (
    Basis,
    BodyMatch,
    PayeeKind,
    RateBounds,
    RateCard,
    Rule,
    Trigger,
    card_in_force,
)
from payments.domain.shipped_card import SHIPPED_CARD

LATER = SHIPPED_CARD.model_copy(
    update={
        "card_id": "wales-2025-04",
        "effective_from": dt.date(2025, 4, 1),
        # LEAD-AT-CLUSTER ended in 2024: a later card no longer carries it.
        "rules": tuple(r for r in SHIPPED_CARD.rules if r.last_day is None),
    }
)


def test_the_shipped_card_is_well_formed_and_published_once() -> None:
    scenario(RateCardBook).when(lambda book: book.publish(SHIPPED_CARD)).then(
        RateCardPublished(card=SHIPPED_CARD)
    )
    scenario(RateCardBook).given(RateCardPublished(card=SHIPPED_CARD)).when(
        lambda book: book.publish(SHIPPED_CARD)
    ).then()


def test_a_later_card_supersedes_an_open_ended_one_from_its_date() -> None:
    scenario(RateCardBook).given(RateCardPublished(card=SHIPPED_CARD)).when(
        lambda book: book.publish(LATER)
    ).then(RateCardPublished(card=LATER))
    cards = (SHIPPED_CARD, LATER)
    assert card_in_force(cards, dt.date(2025, 3, 31)) == SHIPPED_CARD
    assert card_in_force(cards, dt.date(2025, 4, 1)) == LATER
    assert card_in_force(cards, dt.date(2022, 3, 31)) is None


def test_a_card_starting_on_or_before_a_published_one_overlaps() -> None:
    earlier = LATER.model_copy(update={"effective_from": dt.date(2022, 4, 1)})
    error = (
        scenario(RateCardBook)
        .given(RateCardPublished(card=SHIPPED_CARD))
        .when(lambda book: book.publish(earlier))
        .then_raises(RuleViolated)
    )
    assert isinstance(error, RuleViolated)
    assert error.reason == "CARD_OVERLAPS"


def test_a_card_inside_a_bounded_cards_dates_overlaps() -> None:
    bounded = SHIPPED_CARD.model_copy(update={"effective_to": dt.date(2026, 3, 31)})
    scenario(RateCardBook).given(RateCardPublished(card=bounded)).when(
        lambda book: book.publish(LATER)
    ).then_raises(RuleViolated, "overlaps")


def test_a_different_card_under_a_published_id_is_refused() -> None:
    changed = SHIPPED_CARD.model_copy(update={"description": "edited in place"})
    scenario(RateCardBook).given(RateCardPublished(card=SHIPPED_CARD)).when(
        lambda book: book.publish(changed)
    ).then_raises(AlreadyExists)


def test_a_malformed_card_is_refused_with_every_bad_field() -> None:
    bad_rule = Rule(
        rule_id="bad id",
        description="",
        payee=PayeeKind.LEAD,
        trigger=Trigger(basis=Basis.ORGANISATION_PRESENT, bodies=(BodyMatch(body_kind="ward"),)),
        amount_pence=-1,
        board_amounts={"7A9": 30_000},
        rate_bounds=RateBounds(min_pence=24_000, max_pence=28_000),
        bonus_pence=100,
        cap_count=0,
    )
    card = RateCard(
        card_id="",
        effective_from=dt.date(2025, 4, 1),
        effective_to=dt.date(2025, 3, 1),
        description=" ",
        rules=(bad_rule, bad_rule),
    )
    with pytest.raises(ValidationFailed) as raised:
        RateCardBook("rate-cards-wales").publish(card)
    fields = {v.field for v in raised.value.violations}
    assert {
        "card_id",
        "description",
        "effective_to",
        "rules[0].rule_id",
        "rules[0].description",
        "rules[0].amount_pence",
        "rules[0].board_amounts[7A9]",
        "rules[0].payee",
        "rules[0].trigger.bodies[0].body_kind",
        "rules[0].bonus_pence",
        "rules[0].cap_count",
        "rules[1].rule_id",
    } <= fields


def test_a_card_starting_on_or_before_accrued_money_is_refused() -> None:
    error = (
        scenario(RateCardBook)
        .given(RateCardPublished(card=SHIPPED_CARD))
        .when(lambda book: book.publish(LATER, accrued_up_to=dt.date(2025, 4, 1)))
        .then_raises(RuleViolated)
    )
    assert isinstance(error, RuleViolated)
    assert error.reason == "CARD_WOULD_REWRITE_ACCRUALS"
    scenario(RateCardBook).given(RateCardPublished(card=SHIPPED_CARD)).when(
        lambda book: book.publish(LATER, accrued_up_to=dt.date(2025, 3, 31))
    ).then(RateCardPublished(card=LATER))
