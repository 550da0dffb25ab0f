"""What the rules give: every payment line due, from the facts as they now stand and the cards.

Pure and deterministic: the same facts give the same lines whatever order the events that built
them arrived in. Each line is one payee, one rule, one meeting (or claim); caps and bonuses are
applied per payee per rule per financial year, in date order, under the card in force on each
meeting's (or claim's activity) date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from payments.domain.facts import Facts, Meeting
from payments.domain.financial_year import financial_year
from payments.domain.payees import payees
from payments.domain.rate_card import Basis, PayeeKind, RateCard, Rule, card_in_force

PAYMENT, BONUS = "payment", "bonus"
MEETING, CLAIM = "meeting", "claim"


@dataclass(frozen=True, slots=True, order=True)
class LineKey:
    """One payment line: a payee, a rule, the meeting or claim, and which part (or its bonus)."""

    payee: str
    rule_id: str
    source_kind: str
    source_id: str
    part: str = PAYMENT


@dataclass(frozen=True, slots=True)
class Due:
    """What a line is worth, under which card, and where it belongs."""

    amount_pence: int
    card_id: str
    payee_kind: str
    health_board: str
    financial_year: str
    on: dt.date
    cluster_id: str | None = None


@dataclass(frozen=True, slots=True)
class _Candidate:
    payee: str
    payee_kind: PayeeKind
    rule: Rule
    card_id: str
    source_kind: str
    source_id: str
    on: dt.date
    health_board: str
    cluster_id: str | None
    amount_pence: int


def entitlements(cards: tuple[RateCard, ...], facts: Facts) -> dict[LineKey, Due]:
    """Every line the rules give for ``facts``, after caps, with its bonus lines."""
    groups: dict[tuple[str, str, str], list[_Candidate]] = defaultdict(list)
    for candidate in (*_meeting_candidates(cards, facts), *_claim_candidates(cards, facts)):
        groups[candidate.payee, candidate.rule.rule_id, financial_year(candidate.on)].append(
            candidate
        )
    due: dict[LineKey, Due] = {}
    for group in groups.values():
        group.sort(key=lambda c: (c.on, c.source_kind, c.source_id))
        due.update(_capped(group))
    return due


def _capped(group: list[_Candidate]) -> Iterator[tuple[LineKey, Due]]:
    """The group's lines in date order, stopping at the cap in force for each."""
    count = paid = 0
    for candidate in group:
        rule = candidate.rule
        if rule.cap_count is not None and count >= rule.cap_count:
            continue
        amount = _within_cap(candidate.amount_pence, paid, rule.cap_pence)
        if amount <= 0:
            continue
        count, paid = count + 1, paid + amount
        yield _line(candidate, PAYMENT, amount)
        if rule.bonus_at_count == count:
            bonus = _within_cap(rule.bonus_pence, paid, rule.cap_pence)
            if bonus > 0:
                paid += bonus
                yield _line(candidate, BONUS, bonus)


def _within_cap(amount: int, paid: int, cap_pence: int | None) -> int:
    return amount if cap_pence is None else min(amount, cap_pence - paid)


def _line(candidate: _Candidate, part: str, amount: int) -> tuple[LineKey, Due]:
    key = LineKey(
        candidate.payee, candidate.rule.rule_id, candidate.source_kind, candidate.source_id, part
    )
    return key, Due(
        amount_pence=amount,
        card_id=candidate.card_id,
        payee_kind=candidate.payee_kind.value,
        health_board=candidate.health_board,
        financial_year=financial_year(candidate.on),
        on=candidate.on,
        cluster_id=candidate.cluster_id,
    )


def _meeting_candidates(cards: tuple[RateCard, ...], facts: Facts) -> Iterator[_Candidate]:
    for meeting in facts.meetings:
        card = None if meeting.cancelled else card_in_force(cards, meeting.meeting_date)
        if card is None:
            continue
        for rule in card.rules:
            if not _triggered(rule, meeting):
                continue
            for payee in sorted(set(payees(rule, meeting, facts))):
                yield _Candidate(
                    payee=payee,
                    payee_kind=rule.payee,
                    rule=rule,
                    card_id=card.card_id,
                    source_kind=MEETING,
                    source_id=meeting.meeting_id,
                    on=meeting.meeting_date,
                    health_board=meeting.health_board,
                    cluster_id=meeting.cluster_id,
                    amount_pence=rule.amount_for(meeting.health_board),
                )


def _triggered(rule: Rule, meeting: Meeting) -> bool:
    trigger = rule.trigger
    if trigger.basis is Basis.CLAIM or not rule.pays_on(meeting.meeting_date):
        return False
    if trigger.meeting_kinds and meeting.meeting_kind not in trigger.meeting_kinds:
        return False
    return any(
        body.body_kind == meeting.body_kind
        and (body.profession is None or body.profession == meeting.profession)
        for body in trigger.bodies
    )


def _claim_candidates(cards: tuple[RateCard, ...], facts: Facts) -> Iterator[_Candidate]:
    for claim in facts.claims:
        card = card_in_force(cards, claim.activity_date)
        rule = card.rule(claim.rule_id) if card is not None else None
        if card is None or rule is None or rule.trigger.basis is not Basis.CLAIM:
            continue
        if not rule.pays_on(claim.activity_date):
            continue
        yield _Candidate(
            payee=claim.payee,
            payee_kind=rule.payee,
            rule=rule,
            card_id=card.card_id,
            source_kind=CLAIM,
            source_id=claim.claim_id,
            on=claim.activity_date,
            health_board=claim.health_board,
            cluster_id=claim.cluster_id,
            amount_pence=rule.claim_amount(claim.health_board, claim.half_days, claim.rate_pence),
        )
