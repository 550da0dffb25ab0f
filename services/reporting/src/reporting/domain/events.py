"""Everything that happens in reporting's write side, by stable name.

These are also reporting's published integration events (``contracts.reporting`` mirrors them,
and a test keeps the two identical). Levels are integers 1-3 (``vocabulary.Level``); financial
years are labels such as ``2024/25``.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from kernel.aggregate import DomainEvent, EventRegistry


class OutcomeTitleSet(DomainEvent):
    """An outcome's title was loaded or corrected; ``placeholder``: not yet the official title."""

    event_type: ClassVar[str] = "reporting.OutcomeTitleSet"
    code: str
    framework: str
    title: str
    placeholder: bool
    reason: str


class ReviewOutcomesAssigned(DomainEvent):
    """The national programme assigned a board its three outcomes for a year.

    Its clusters rate these in their self-assessments, due by ``self_assessment_due``, and its
    peer review is structured around them.
    """

    event_type: ClassVar[str] = "reporting.ReviewOutcomesAssigned"
    health_board: str
    financial_year: str
    pcmw_outcomes: tuple[str, ...]
    acd_outcome: str
    self_assessment_due: dt.date


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SelfRating(_Value):
    """A cluster's own rating of one outcome, with the evidence for it."""

    outcome: str
    level: int
    evidence: str


class MaturityAssessed(DomainEvent):
    """A cluster submitted its self-assessment for a year (revision n supersedes 1…n-1).

    ``submitted_by`` is the person (membership's id) who was the cluster lead or deputy chair
    on ``submitted_on``.
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


class NominatedForPeerReview(DomainEvent):
    """A board nominated its one cluster for the year's peer review."""

    event_type: ClassVar[str] = "reporting.NominatedForPeerReview"
    health_board: str
    financial_year: str
    cluster_id: str
    nominated_on: dt.date


class PeerReviewer(_Value):
    """A reviewer (membership's person id) from a cluster of another board."""

    person_id: str
    cluster_id: str
    health_board: str


class AgreedLevel(_Value):
    """The level a peer review agreed for one outcome."""

    outcome: str
    level: int


class PeerReviewRecorded(DomainEvent):
    """A nominated cluster's peer review took place on ``reviewed_on``; what it agreed."""

    event_type: ClassVar[str] = "reporting.PeerReviewRecorded"
    cluster_id: str
    health_board: str
    financial_year: str
    reviewed_on: dt.date
    reviewers: tuple[PeerReviewer, ...]
    independent_chair: str
    agreed_levels: tuple[AgreedLevel, ...]
    findings: tuple[str, ...]


class ComplianceFindingRaised(DomainEvent):
    """A gap in a body's meeting compliance was found (``domain.findings``) on ``raised_on``.

    ``finding_key`` identifies it until its ``ComplianceFindingResolved``; ``quarter`` and
    ``meeting_id`` are None when the finding is about the whole year.
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


class ComplianceFindingResolved(DomainEvent):
    """A raised finding no longer stands (a correction, a late meeting or approval, a review)."""

    event_type: ClassVar[str] = "reporting.ComplianceFindingResolved"
    cluster_id: str
    health_board: str
    financial_year: str
    finding_key: str
    body_id: str
    code: str
    resolved_on: dt.date


CatalogueEvent = OutcomeTitleSet
FindingEvent = ComplianceFindingRaised | ComplianceFindingResolved
CycleEvent = ReviewOutcomesAssigned | NominatedForPeerReview | PeerReviewRecorded

EVENTS = EventRegistry(
    OutcomeTitleSet,
    ReviewOutcomesAssigned,
    MaturityAssessed,
    NominatedForPeerReview,
    PeerReviewRecorded,
    ComplianceFindingRaised,
    ComplianceFindingResolved,
)
