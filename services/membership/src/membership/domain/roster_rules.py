"""The roster's vocabulary as data: membership kinds, lead roles and where each applies, spans."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from kernel.errors import ValidationFailed
from membership.domain.bodies import Body, BodyKind
from membership.domain.register import check, name_problem

MEMBERSHIP_KINDS = frozenset({"core", "in_attendance"})
"""Core members, and those in attendance (RULES.md Structure)."""

LEAD_ROLES: dict[str, frozenset[BodyKind]] = {
    "cluster_lead": frozenset({BodyKind.CLUSTER}),
    "collaborative_lead": frozenset({BodyKind.COLLABORATIVE}),
    "deputy_chair": frozenset(BodyKind),
}
"""Each lead role and the kinds of body that have it."""

ROLES_NEEDING_A_WORKPLACE = frozenset({"collaborative_lead"})
"""Roles whose holder's usual workplace must be known: payments for PC leads go there."""


@dataclass(frozen=True, slots=True)
class Span:
    """Dates from ``start`` to ``end`` inclusive; ``end`` None: open-ended."""

    start: dt.date
    end: dt.date | None

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def overlaps(self, other: Span) -> bool:
        return self.start <= (other.end or dt.date.max) and other.start <= (self.end or dt.date.max)

    def ending(self, end: dt.date) -> Span:
        return Span(self.start, end)

    def __str__(self) -> str:
        return f"{self.start} to {self.end or 'open-ended'}"


@dataclass(frozen=True, slots=True)
class Membership:
    membership_id: str
    person_id: str
    span: Span


@dataclass(frozen=True, slots=True)
class Appointment:
    appointment_id: str
    person_id: str
    role: str
    span: Span


def require_end_after_start(span: Span, end: dt.date) -> None:
    """Raise ``ValidationFailed`` on ``end_date`` if ``end`` is before the span's start."""
    if end < span.start:
        raise ValidationFailed.single("end_date", f"must not be before the start, {span.start}")


def check_enrolment(kind: str, role_title: str) -> None:
    """Raise ``ValidationFailed`` for an unknown membership kind or an unusable role title."""
    kinds = ", ".join(sorted(MEMBERSHIP_KINDS))
    check(
        ("kind", None if kind in MEMBERSHIP_KINDS else f"must be one of {kinds}"),
        ("role_title", name_problem(role_title)),
    )


def check_appointment(body_kind: BodyKind, role: str, span: Span, *, has_workplace: bool) -> None:
    """Raise ``ValidationFailed`` for a role the body lacks, a bad span or a missing workplace."""
    applies = LEAD_ROLES.get(role)
    role_problem = None
    if applies is None:
        role_problem = f"must be one of {', '.join(sorted(LEAD_ROLES))}"
    elif body_kind not in applies:
        role_problem = f"a {body_kind} has no {role}"
    needs_workplace = role in ROLES_NEEDING_A_WORKPLACE and not has_workplace
    check(
        ("role", role_problem),
        (
            "end_date",
            "must not be before start_date" if span.end and span.end < span.start else None,
        ),
        ("usual_workplace_id", f"is required for a {role}" if needs_workplace else None),
    )


def body_facts(body: Body) -> dict[str, Any]:
    """The body's place in the register, as every roster event that starts something carries it."""
    return {
        "body_id": body.body_id,
        "body_kind": body.kind.value,
        "health_board": body.health_board,
        "cluster_id": body.cluster_id,
        "pcpg_id": body.pcpg_id,
        "profession": body.profession,
    }
