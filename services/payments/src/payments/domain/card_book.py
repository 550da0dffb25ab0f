"""The book of published rate cards: one stream, so two cards can never overlap."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from kernel.aggregate import Aggregate, DomainEvent
from kernel.errors import AlreadyExists, RuleViolated, ValidationFailed
from payments.domain.card_checks import card_violations
from payments.domain.rate_card import RateCard

CARD_BOOK_ID = "wales"


class RateCardPublished(DomainEvent):
    """A rate card was published; it is never edited, only superseded by a later one."""

    event_type: ClassVar[str] = "payments.RateCardPublished"
    card: RateCard


class RateCardBook(Aggregate[RateCardPublished]):
    """Every published card, in order of their dates."""

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.cards: dict[str, RateCard] = {}

    def publish(self, card: RateCard, accrued_up_to: dt.date | None = None) -> bool:
        """Publish ``card``; False when this very card is published already (a repeat).

        ``accrued_up_to``: the latest date money stands in the ledger for, if any.

        Raises:
            ValidationFailed: the card is malformed.
            AlreadyExists: another card has this id.
            RuleViolated: ``CARD_OVERLAPS`` when its dates overlap a published card's;
                ``CARD_WOULD_REWRITE_ACCRUALS`` when it starts on or before a date money has
                accrued for (a card never reprices money already accrued under another).
        """
        violations = card_violations(card)
        if violations:
            raise ValidationFailed(violations)
        known = self.cards.get(card.card_id)
        if known == card:
            return False
        if known is not None:
            raise AlreadyExists(f"a different rate card {card.card_id!r} is published already")
        for other in self.cards.values():
            if _overlap(other, card):
                raise RuleViolated(
                    "CARD_OVERLAPS",
                    f"card {card.card_id!r} overlaps {other.card_id!r}: a new card must start "
                    "after every published card starts and after any end date they set",
                )
        if accrued_up_to is not None and card.effective_from <= accrued_up_to:
            raise RuleViolated(
                "CARD_WOULD_REWRITE_ACCRUALS",
                f"money has accrued for dates up to {accrued_up_to}; a new card must start later",
            )
        self._record(RateCardPublished(card=card))
        return True

    def _apply(self, event: RateCardPublished) -> None:
        self.cards[event.card.card_id] = event.card


def _overlap(published: RateCard, new: RateCard) -> bool:
    """A new card may only supersede an open-ended card from a later date."""
    if new.effective_from <= published.effective_from:
        return True
    return published.effective_to is not None and new.effective_from <= published.effective_to
