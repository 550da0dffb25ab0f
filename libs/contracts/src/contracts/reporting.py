"""What the reporting service publishes on ``reporting.events.v1``: maturity and findings.

Maturity assessment and peer review, and meeting compliance findings as raised and resolved.

Each model is the published shape of the reporting event of the same ``event_type``; the
service's tests validate its stored events against these, so the two cannot drift apart.
Financial years are labels such as ``2024/25``; maturity levels are 1 foundation, 2
developing, 3 mature; outcome codes are PCMW-01 to PCMW-13 and ACD-01 to ACD-07. Person ids
are membership's.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from contracts.base import IntegrationEvent


class OutcomeTitleSet(IntegrationEvent):
    """An outcome's title was loaded or corrected; ``placeholder``: not the official title."""

    event_type: ClassVar[str] = "reporting.OutcomeTitleSet"
    code: str
    framework: str
    title: str
    placeholder: bool
    reason: str


class ReviewOutcomesAssigned(IntegrationEvent):
    """A board's two PCMW and one ACD outcome for a year; self-assessments due by a date."""

    event_type: ClassVar[str] = "reporting.ReviewOutcomesAssigned"
    health_board: str
    financial_year: str
    pcmw_outcomes: tuple[str, ...]
    acd_outcome: str
    self_assessment_due: dt.date


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SelfRating(_Value):
    """A cluster's own level for one outcome, with its evidence."""

    outcome: str
    level: int
    evidence: str


class MaturityAssessed(IntegrationEvent):
    """A cluster's self-assessment for a year; ``revision`` n supersedes revisions 1 to n-1.

    ``submitted_by`` was the cluster lead or deputy chair on ``submitted_on``.
    """

    event_type: ClassVar[str] = "reporting.MaturityAssessed"
    cluster_id: str
    health_board: str
    financial_year: str
    revision: int
    submitted_by: str
    submitted_on: dt.date
    ratings: tuple[SelfRating, ...]
    enablers: tuple[str, ...]
    barriers: tuple[str, ...]
    good_practice: tuple[str, ...]


class NominatedForPeerReview(IntegrationEvent):
    """A board's one cluster for the year's peer review."""

    event_type: ClassVar[str] = "reporting.NominatedForPeerReview"
    health_board: str
    financial_year: str
    cluster_id: str
    nominated_on: dt.date


class PeerReviewer(_Value):
    """A reviewer and their cluster (of another board than the reviewed cluster's)."""

    person_id: str
    cluster_id: str
    health_board: str


class AgreedLevel(_Value):
    """The level the peer review agreed for one outcome."""

    outcome: str
    level: int


class PeerReviewRecorded(IntegrationEvent):
    """The nominated cluster's peer review on ``reviewed_on``: agreed levels and findings."""

    event_type: ClassVar[str] = "reporting.PeerReviewRecorded"
    cluster_id: str
    health_board: str
    financial_year: str
    reviewed_on: dt.date
    reviewers: tuple[PeerReviewer, ...]
    independent_chair: str
    agreed_levels: tuple[AgreedLevel, ...]
    findings: tuple[str, ...]


class ComplianceFindingRaised(IntegrationEvent):
    """A gap in a body's meeting compliance was found on ``raised_on``.

    ``code`` is one of NO_MEETING_IN_QUARTER, BELOW_ANNUAL_MINIMUM, CHAIR_NOT_LEAD_OR_DEPUTY,
    NOT_QUORATE, MINUTES_NOT_APPROVED, TERMS_OF_REFERENCE_OVERDUE, PC_LEAD_ABSENT,
    DECLARATIONS_NOT_RECORDED; ``text``
    says it in words ("Dental PC: no meeting in Q3"). ``finding_key`` identifies it until its
    ``ComplianceFindingResolved``; ``quarter`` and ``meeting_id`` are None for a whole year.
    """

    event_type: ClassVar[str] = "reporting.ComplianceFindingRaised"
    cluster_id: str
    health_board: str
    financial_year: str
    finding_key: str
    body_id: str
    code: str
    subject: str
    quarter: int | None
    meeting_id: str | None
    text: str
    raised_on: dt.date


class ComplianceFindingResolved(IntegrationEvent):
    """A raised finding no longer stands (``finding_key`` as raised), from ``resolved_on``."""

    event_type: ClassVar[str] = "reporting.ComplianceFindingResolved"
    cluster_id: str
    health_board: str
    financial_year: str
    finding_key: str
    body_id: str
    code: str
    resolved_on: dt.date


EVENTS: tuple[type[IntegrationEvent], ...] = (
    OutcomeTitleSet,
    ReviewOutcomesAssigned,
    MaturityAssessed,
    NominatedForPeerReview,
    PeerReviewRecorded,
    ComplianceFindingRaised,
    ComplianceFindingResolved,
)
"""Every reporting integration event."""
