"""Rate cards between their protobuf messages and the domain's documents."""

from __future__ import annotations

from typing import Any

import pydantic

from clwstwr.payments.v1 import payments_service_pb2 as pb
from kernel.errors import FieldViolation, ValidationFailed
from payments.domain.rate_card import RateCard, Rule


def card_from_message(message: pb.RateCard) -> RateCard:
    """The card a request describes; a shape pydantic refuses is named field by field."""
    data = {
        "card_id": message.card_id,
        "effective_from": message.effective_from or None,
        "effective_to": message.effective_to or None,
        "description": message.description,
        "rules": [_rule_data(r) for r in message.rules],
    }
    try:
        return RateCard.model_validate(data)
    except pydantic.ValidationError as error:
        raise ValidationFailed(
            FieldViolation(_path(e["loc"]), e["msg"]) for e in error.errors()
        ) from None


def _path(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path


def _rule_data(rule: pb.Rule) -> dict[str, Any]:
    trigger = rule.trigger
    return {
        "rule_id": rule.rule_id,
        "description": rule.description,
        "payee": rule.payee,
        "trigger": {
            "basis": trigger.basis,
            "bodies": [
                {"body_kind": b.body_kind, "profession": b.profession or None}
                for b in trigger.bodies
            ],
            "meeting_kinds": list(trigger.meeting_kinds),
            "organisation_kinds": list(trigger.organisation_kinds),
        },
        "amount_pence": rule.amount_pence,
        "board_amounts": dict(rule.board_amounts),
        "rate_bounds": (
            {"min_pence": rule.rate_bounds.min_pence, "max_pence": rule.rate_bounds.max_pence}
            if rule.HasField("rate_bounds")
            else None
        ),
        "bonus_at_count": rule.bonus_at_count or None,
        "bonus_pence": rule.bonus_pence,
        "cap_count": rule.cap_count or None,
        "cap_pence": rule.cap_pence or None,
        "excludes_health_board_salaried": rule.excludes_health_board_salaried,
        "last_day": rule.last_day or None,
    }


def card_message(card: RateCard) -> pb.RateCard:
    return pb.RateCard(
        card_id=card.card_id,
        effective_from=card.effective_from.isoformat(),
        effective_to=card.effective_to.isoformat() if card.effective_to else "",
        description=card.description,
        rules=[_rule_message(r) for r in card.rules],
    )


def _rule_message(rule: Rule) -> pb.Rule:
    trigger = rule.trigger
    bounds = rule.rate_bounds
    return pb.Rule(
        rule_id=rule.rule_id,
        description=rule.description,
        payee=rule.payee.value,
        trigger=pb.Trigger(
            basis=trigger.basis.value,
            bodies=[
                pb.BodyMatch(body_kind=b.body_kind, profession=b.profession or "")
                for b in trigger.bodies
            ],
            meeting_kinds=trigger.meeting_kinds,
            organisation_kinds=trigger.organisation_kinds,
        ),
        amount_pence=rule.amount_pence,
        board_amounts=rule.board_amounts,
        rate_bounds=(
            pb.RateBounds(min_pence=bounds.min_pence, max_pence=bounds.max_pence)
            if bounds
            else None
        ),
        bonus_at_count=rule.bonus_at_count or 0,
        bonus_pence=rule.bonus_pence,
        cap_count=rule.cap_count or 0,
        cap_pence=rule.cap_pence or 0,
        excludes_health_board_salaried=rule.excludes_health_board_salaried,
        last_day=rule.last_day.isoformat() if rule.last_day else "",
    )
