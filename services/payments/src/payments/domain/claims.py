"""Claims for collaborative working and sessional time: submitted with evidence, then decided.

Only an approved claim accrues (the accrual reads approved claims as ``ApprovedClaim``).
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from kernel.aggregate import Aggregate, DomainEvent
from kernel.errors import FieldViolation, RuleViolated, ValidationFailed
from payments.domain.rate_card import Basis, Frozen, Rule

SUBMITTED, APPROVED, REJECTED = "submitted", "approved", "rejected"


class ClaimSubmitted(DomainEvent):
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


class ClaimApproved(DomainEvent):
    event_type: ClassVar[str] = "payments.ClaimApproved"
    claim_id: str
    health_board: str
    approved_by: str


class ClaimRejected(DomainEvent):
    event_type: ClassVar[str] = "payments.ClaimRejected"
    claim_id: str
    health_board: str
    rejected_by: str
    reason: str


ClaimEvent = ClaimSubmitted | ClaimApproved | ClaimRejected


class ClaimRequest(Frozen):
    """What a claimant asks for (not stored: checked, then recorded as ``ClaimSubmitted``)."""

    rule_id: str
    payee: str
    health_board: str
    cluster_id: str | None
    activity_date: dt.date
    half_days: int
    rate_pence: int
    evidence: str


class Claim(Aggregate[ClaimEvent]):
    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.status: str | None = None
        self.health_board = ""

    def submit(self, request: ClaimRequest, card_id: str, rule: Rule, claims_so_far: int) -> int:
        """Record the claim under ``rule`` of card ``card_id`` (the card in force that day).

        ``claims_so_far``: the payee's claims under this rule this FY not rejected, for the cap.
        Returns what the claim is worth before caps.
        """
        amount = rule.claim_amount(request.health_board, request.half_days, request.rate_pence)
        if self.exists:
            return amount  # the same claim id again: a retried request
        _check(request, rule)
        if rule.cap_count is not None and claims_so_far >= rule.cap_count:
            raise RuleViolated(
                "CLAIM_OVER_CAP",
                f"{request.payee} has {claims_so_far} {rule.rule_id} claims this financial "
                f"year; the cap is {rule.cap_count}",
            )
        self._record(
            ClaimSubmitted(
                **request.model_dump(),
                claim_id=self._id,
                payee_kind=rule.payee.value,
                card_id=card_id,
                amount_pence=amount,
            )
        )
        return amount

    def approve(self, by: str) -> None:
        self._require_submitted()
        self._record(
            ClaimApproved(claim_id=self._id, health_board=self.health_board, approved_by=by)
        )

    def reject(self, by: str, reason: str) -> None:
        if not reason.strip():
            raise ValidationFailed.single("reason", "must say why the claim is rejected")
        self._require_submitted()
        self._record(
            ClaimRejected(
                claim_id=self._id, health_board=self.health_board, rejected_by=by, reason=reason
            )
        )

    @property
    def _id(self) -> str:
        return self.stream_id.removeprefix("claim-")

    def _require_submitted(self) -> None:
        if self.status != SUBMITTED:
            raise RuleViolated("CLAIM_ALREADY_DECIDED", f"the claim is {self.status} already")

    def _apply(self, event: ClaimEvent) -> None:
        if isinstance(event, ClaimSubmitted):
            self.status, self.health_board = SUBMITTED, event.health_board
        elif isinstance(event, ClaimApproved):
            self.status = APPROVED
        else:
            self.status = REJECTED


def _check(request: ClaimRequest, rule: Rule) -> None:
    problems: list[FieldViolation] = []
    if rule.trigger.basis is not Basis.CLAIM:
        problems.append(FieldViolation("rule_id", f"{rule.rule_id} is not paid by claim"))
    if not request.evidence.strip():
        problems.append(FieldViolation("evidence", "must describe the evidence for the claim"))
    bounds = rule.rate_bounds
    if bounds is not None:
        if request.half_days < 1:
            problems.append(FieldViolation("half_days", "must be at least 1"))
        if not bounds.min_pence <= request.rate_pence <= bounds.max_pence:
            problems.append(
                FieldViolation(
                    "rate_pence",
                    f"must lie within {bounds.min_pence}-{bounds.max_pence} pence a half-day",
                )
            )
    elif request.half_days or request.rate_pence:
        problems.append(FieldViolation("half_days", f"{rule.rule_id} pays per claim, not time"))
    if problems:
        raise ValidationFailed(problems)
