"""What the payments service publishes on ``payments.events.v1``: rate cards, claims, schedules.

Each model is the published shape of the payments event of the same ``event_type``; the
service's tests validate its stored events against these, so the two cannot drift apart.
Amounts are integer pence; dates are ISO calendar dates; financial years run 1 April to
31 March. Every ledger entry (an accrual, or the reversal of one) is published as
``LedgerEntryPosted``, naming the event that caused it.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from contracts.base import IntegrationEvent


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BodyMatch(_Part):
    """A kind of body whose meetings count: ``cluster``, or a ``collaborative`` of a profession."""

    body_kind: str
    profession: str | None


class Trigger(_Part):
    """When a rule pays.

    ``basis`` is organisation_present, body_lead_present, collaborative_lead_present or claim;
    empty ``meeting_kinds`` / ``organisation_kinds`` mean any.
    """

    basis: str
    bodies: tuple[BodyMatch, ...]
    meeting_kinds: tuple[str, ...]
    organisation_kinds: tuple[str, ...]


class RateBounds(_Part):
    min_pence: int
    max_pence: int


class Rule(_Part):
    """A payment rule; ``payee`` is contractor, lead_workplace, lead or claimant."""

    rule_id: str
    description: str
    payee: str
    trigger: Trigger
    amount_pence: int
    board_amounts: dict[str, int]
    rate_bounds: RateBounds | None
    bonus_at_count: int | None
    bonus_pence: int
    cap_count: int | None
    cap_pence: int | None
    excludes_health_board_salaried: bool
    last_day: dt.date | None


class RateCard(_Part):
    card_id: str
    effective_from: dt.date
    effective_to: dt.date | None
    description: str
    rules: tuple[Rule, ...]


class RateCardPublished(IntegrationEvent):
    """A rate card was published (immutable; a later card supersedes it from its date)."""

    event_type: ClassVar[str] = "payments.RateCardPublished"
    card: RateCard


class ClaimSubmitted(IntegrationEvent):
    """A claim (collaborative working, sessional half-days) was submitted with evidence."""

    event_type: ClassVar[str] = "payments.ClaimSubmitted"
    claim_id: str
    rule_id: str
    card_id: str
    payee: str
    payee_kind: str
    health_board: str
    cluster_id: str | None
    activity_date: dt.date
    half_days: int
    rate_pence: int
    amount_pence: int
    evidence: str


class ClaimApproved(IntegrationEvent):
    """The payee's board approved a claim: it accrues (caps permitting)."""

    event_type: ClassVar[str] = "payments.ClaimApproved"
    claim_id: str
    health_board: str
    approved_by: str


class ClaimRejected(IntegrationEvent):
    event_type: ClassVar[str] = "payments.ClaimRejected"
    claim_id: str
    health_board: str
    rejected_by: str
    reason: str


class ScheduleDrafted(IntegrationEvent):
    """A board's unscheduled ledger entries were gathered for a period (a month)."""

    event_type: ClassVar[str] = "payments.ScheduleDrafted"
    schedule_id: str
    health_board: str
    period: str
    entry_ids: tuple[int, ...]
    total_pence: int


class ScheduleApproved(IntegrationEvent):
    """An authorised signatory approved a schedule; it never changes afterwards."""

    event_type: ClassVar[str] = "payments.ScheduleApproved"
    schedule_id: str
    health_board: str
    approved_by: str


class LedgerEntryPosted(IntegrationEvent):
    """An entry was appended to the payments ledger (stream ``ledger-<board>-<year>``).

    An accrual has a positive amount and ``reverses`` None; a reversal has the negated amount
    of the entry it ``reverses``. A payee's entries for a year always sum to what the rules
    give for the meetings and claims as they now stand. ``source_kind`` is meeting or claim;
    ``part`` is payment or bonus; ``payee_kind`` is the rule's payee (contractor, lead_workplace,
    lead or claimant).
    """

    event_type: ClassVar[str] = "payments.LedgerEntryPosted"
    entry_id: int
    payee: str
    payee_kind: str
    rule_id: str
    card_id: str
    source_kind: str
    source_id: str
    part: str
    amount_pence: int
    reverses: int | None
    on: dt.date
    financial_year: str
    health_board: str
    cluster_id: str | None
    caused_by: str


EVENTS: tuple[type[IntegrationEvent], ...] = (
    RateCardPublished,
    ClaimSubmitted,
    ClaimApproved,
    ClaimRejected,
    ScheduleDrafted,
    ScheduleApproved,
    LedgerEntryPosted,
)
"""Every payments integration event."""
