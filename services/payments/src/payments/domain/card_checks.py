"""What makes a rate card malformed, field by field (so a refusal names every bad field)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kernel.errors import FieldViolation
from payments.domain.rate_card import Basis, PayeeKind, RateCard, Rule

_CARD_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_RULE_ID = re.compile(r"[A-Z0-9][A-Z0-9/_-]{0,63}")
_BOARD = re.compile(r"7A[1-7]")
BODY_KINDS = ("cluster", "collaborative", "pcpg")
#: Which payees each basis can name.
PAYEES_BY_BASIS: dict[Basis, tuple[PayeeKind, ...]] = {
    Basis.ORGANISATION_PRESENT: (PayeeKind.CONTRACTOR,),
    Basis.BODY_LEAD_PRESENT: (PayeeKind.LEAD, PayeeKind.LEAD_WORKPLACE),
    Basis.COLLABORATIVE_LEAD_PRESENT: (PayeeKind.LEAD, PayeeKind.LEAD_WORKPLACE),
    Basis.CLAIM: (PayeeKind.CONTRACTOR, PayeeKind.CLAIMANT),
}


def card_violations(card: RateCard) -> list[FieldViolation]:
    """Every way ``card`` is malformed (empty when it is well formed)."""
    found = list(_card_fields(card))
    seen: set[str] = set()
    for n, rule in enumerate(card.rules):
        if rule.rule_id in seen:
            found.append(FieldViolation(f"rules[{n}].rule_id", "appears twice on the card"))
        seen.add(rule.rule_id)
        found.extend(
            FieldViolation(f"rules[{n}].{field}", why) for field, why in _rule_problems(card, rule)
        )
    return found


def _card_fields(card: RateCard) -> Iterator[FieldViolation]:
    if not _CARD_ID.fullmatch(card.card_id):
        yield FieldViolation("card_id", "must be 1-64 letters, digits, '.', '_' or '-'")
    if not card.description.strip():
        yield FieldViolation("description", "must say what the card is and how it reads the seed")
    if card.effective_to is not None and card.effective_to < card.effective_from:
        yield FieldViolation("effective_to", "must not be before effective_from")
    if not card.rules:
        yield FieldViolation("rules", "must hold at least one rule")


def _rule_problems(card: RateCard, rule: Rule) -> Iterator[tuple[str, str]]:
    if not _RULE_ID.fullmatch(rule.rule_id):
        yield "rule_id", "must be upper-case letters, digits, '/', '_' or '-'"
    if not rule.description.strip():
        yield "description", "must not be empty"
    yield from _amount_problems(rule)
    yield from _trigger_problems(rule)
    if rule.bonus_at_count is not None and rule.bonus_at_count < 1:
        yield "bonus_at_count", "must be at least 1"
    if rule.bonus_pence < 0 or (rule.bonus_pence > 0 and rule.bonus_at_count is None):
        yield "bonus_pence", "must be 0 or more, and needs bonus_at_count"
    for field, cap in (("cap_count", rule.cap_count), ("cap_pence", rule.cap_pence)):
        if cap is not None and cap < 1:
            yield field, "must be at least 1 when set"
    if rule.last_day is not None and rule.last_day < card.effective_from:
        yield "last_day", "must not be before the card's effective_from"


def _amount_problems(rule: Rule) -> Iterator[tuple[str, str]]:
    if rule.amount_pence < 0:
        yield "amount_pence", "must be 0 or more pence"
    bounds = rule.rate_bounds
    if bounds is not None and not 0 < bounds.min_pence <= bounds.max_pence:
        yield "rate_bounds", "must have 0 < min_pence <= max_pence"
        bounds = None
    amounts = {"amount_pence": rule.amount_pence} if rule.amount_pence else {}
    amounts |= {f"board_amounts[{b}]": pence for b, pence in rule.board_amounts.items()}
    for board in rule.board_amounts:
        if not _BOARD.fullmatch(board):
            yield f"board_amounts[{board}]", "must name a health board, 7A1 to 7A7"
    for field, pence in amounts.items():
        if pence < 0:
            yield field, "must be 0 or more pence"
        elif bounds is not None and not bounds.min_pence <= pence <= bounds.max_pence:
            yield field, f"must lie within {bounds.min_pence}-{bounds.max_pence} pence"


def _trigger_problems(rule: Rule) -> Iterator[tuple[str, str]]:
    trigger = rule.trigger
    if rule.payee not in PAYEES_BY_BASIS[trigger.basis]:
        allowed = ", ".join(PAYEES_BY_BASIS[trigger.basis])
        yield "payee", f"a {trigger.basis} rule pays one of: {allowed}"
    if trigger.basis is Basis.CLAIM:
        if trigger.bodies:
            yield "trigger.bodies", "a claim rule is not triggered by meetings"
        return
    if not trigger.bodies:
        yield "trigger.bodies", "must name at least one kind of body"
    for n, body in enumerate(trigger.bodies):
        if body.body_kind not in BODY_KINDS:
            yield f"trigger.bodies[{n}].body_kind", f"must be one of {', '.join(BODY_KINDS)}"
