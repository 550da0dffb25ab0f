"""Rate cards as data: a published, immutable document of payment rules.

Nothing in the accrual branches on a rule's id: who is paid, for what, how much and how often
are all fields here, so changing a rate, adding a profession or ending a rule is a new card.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class PayeeKind(StrEnum):
    """Who a rule pays."""

    CONTRACTOR = "contractor"  # the organisation an attendee represented (or that claims)
    LEAD_WORKPLACE = "lead_workplace"  # the organisation where the appointed lead usually works
    LEAD = "lead"  # the appointed lead, a person
    CLAIMANT = "claimant"  # whoever the approved claim names (a person or an organisation)


class Basis(StrEnum):
    """What has to have happened for a rule to pay."""

    ORGANISATION_PRESENT = "organisation_present"  # someone present represented the payee
    BODY_LEAD_PRESENT = "body_lead_present"  # the body's own appointed lead was present
    COLLABORATIVE_LEAD_PRESENT = "collaborative_lead_present"  # a PC lead of the cluster present
    CLAIM = "claim"  # an approved claim


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BodyMatch(Frozen):
    """A kind of body whose meetings count: ``cluster`` or a ``collaborative`` of a profession."""

    body_kind: str
    profession: str | None = None


class Trigger(Frozen):
    """When a rule pays: meetings of these bodies (and meeting kinds), on this basis.

    ``organisation_kinds`` limits the organisations paid (the represented organisation, or the
    lead's usual workplace); empty means any. ``meeting_kinds`` empty means any kind.
    """

    basis: Basis
    bodies: tuple[BodyMatch, ...] = ()
    meeting_kinds: tuple[str, ...] = ()
    organisation_kinds: tuple[str, ...] = ()


class RateBounds(Frozen):
    """The range a board's or a claim's half-day rate must lie within, inclusive."""

    min_pence: int
    max_pence: int


class Rule(Frozen):
    """One payment rule. Amounts are integer pence; caps and counts are per payee per FY.

    ``amount_pence`` is per meeting or claim (per half-day for a claim with half-days);
    ``board_amounts`` overrides it for a health board. The payee's ``bonus_pence`` is due once,
    with its ``bonus_at_count``-th payment. ``last_day``: the rule pays for nothing after it,
    whatever card is in force.
    """

    rule_id: str
    description: str
    payee: PayeeKind
    trigger: Trigger
    amount_pence: int
    board_amounts: dict[str, int] = {}
    rate_bounds: RateBounds | None = None
    bonus_at_count: int | None = None
    bonus_pence: int = 0
    cap_count: int | None = None
    cap_pence: int | None = None
    excludes_health_board_salaried: bool = False
    last_day: dt.date | None = None

    def amount_for(self, board: str) -> int:
        return self.board_amounts.get(board, self.amount_pence)

    def claim_amount(self, board: str, half_days: int, rate_pence: int) -> int:
        """What a claim under this rule is worth.

        Half-days at the claimed rate where the rule bounds a rate, otherwise its amount.
        """
        return half_days * rate_pence if self.rate_bounds else self.amount_for(board)

    def pays_on(self, day: dt.date) -> bool:
        return self.last_day is None or day <= self.last_day


class RateCard(Frozen):
    """A published card: in force from ``effective_from`` (to ``effective_to``, if set)."""

    card_id: str
    effective_from: dt.date
    effective_to: dt.date | None = None
    description: str
    rules: tuple[Rule, ...]

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.rule_id == rule_id), None)


def card_in_force(cards: tuple[RateCard, ...], day: dt.date) -> RateCard | None:
    """The card in force on ``day``: the latest-starting one that covers it.

    A newer card supersedes an open-ended older one from its date.
    """
    covering = [c for c in cards if c.in_force_on(day)]
    return max(covering, key=lambda c: c.effective_from, default=None)
