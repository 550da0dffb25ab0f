"""Stored events about a body's governance: its register of interests and terms of reference.

Declarations and reviews carry the body's place in the register, so meetings can show
declarations and judge quorum from these events alone, without calling back.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from kernel.aggregate import DomainEvent
from membership.domain.people_events import BodyFacts


class InterestDeclared(BodyFacts):
    event_type: ClassVar[str] = "membership.InterestDeclared"
    personal_data: ClassVar[tuple[str, ...]] = ("description",)
    personal_data_of: ClassVar[str] = "person_id"
    interest_id: str
    person_id: str
    kind: str
    description: str | None  # None once the person is erased
    declared_on: dt.date


class InterestWithdrawn(DomainEvent):
    event_type: ClassVar[str] = "membership.InterestWithdrawn"
    body_id: str
    health_board: str
    interest_id: str
    person_id: str
    withdrawn_on: dt.date


class TermsOfReferenceReviewed(BodyFacts):
    event_type: ClassVar[str] = "membership.TermsOfReferenceReviewed"
    reviewed_on: dt.date
    reviewed_by: str
    quorum_minimum_core_members: int


InterestEvent = InterestDeclared | InterestWithdrawn
TermsEvent = TermsOfReferenceReviewed
