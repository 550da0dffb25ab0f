"""Every stored reporting event validates against its published contract (no drift)."""

import datetime as dt

import pytest

from contracts import reporting as published
from kernel.aggregate import DomainEvent
from kernel.testing.contracts import assert_stored_json_matches_contract, recorded
from reporting.domain.events import (
    EVENTS,
    AgreedLevel,
    ComplianceFindingRaised,
    ComplianceFindingResolved,
    MaturityAssessed,
    OutcomeTitleSet,
    PeerReviewRecorded,
    SelfRating,
)

from .samples import ASSIGNED, NOMINATED, REVIEWER

SAMPLES: list[DomainEvent] = [
    OutcomeTitleSet(code="ACD-01", framework="ACD", title="t", placeholder=True, reason="load"),
    ASSIGNED,
    MaturityAssessed(
        cluster_id="7A1-anglesey",
        health_board="7A1",
        financial_year="2024/25",
        revision=2,
        submitted_by="p-1",
        submitted_on=dt.date(2024, 10, 1),
        ratings=(SelfRating(outcome="PCMW-03", level=2, evidence="MDT hub"),),
        enablers=("premises",),
        barriers=("recruitment",),
        good_practice=("social prescribing",),
    ),
    NOMINATED,
    PeerReviewRecorded(
        cluster_id="7A1-anglesey",
        health_board="7A1",
        financial_year="2024/25",
        reviewed_on=dt.date(2024, 11, 5),
        reviewers=(REVIEWER,),
        independent_chair="chair-1",
        agreed_levels=(AgreedLevel(outcome="PCMW-03", level=2),),
        findings=("strong MDT working",),
    ),
    ComplianceFindingRaised(
        cluster_id="7A1-anglesey",
        health_board="7A1",
        financial_year="2024/25",
        finding_key="7A1-anglesey|2024/25|7A1-anglesey.dental|NO_MEETING_IN_QUARTER|Q3",
        body_id="7A1-anglesey.dental",
        code="NO_MEETING_IN_QUARTER",
        subject="Q3",
        quarter=3,
        meeting_id=None,
        text="Dental PC: no meeting in Q3",
        raised_on=dt.date(2025, 1, 1),
    ),
    ComplianceFindingResolved(
        cluster_id="7A1-anglesey",
        health_board="7A1",
        financial_year="2024/25",
        finding_key="7A1-anglesey|2024/25|7A1-anglesey.dental|NO_MEETING_IN_QUARTER|Q3",
        body_id="7A1-anglesey.dental",
        code="NO_MEETING_IN_QUARTER",
        resolved_on=dt.date(2025, 1, 9),
    ),
]


def test_every_event_type_has_a_sample_and_a_contract() -> None:
    stored = {type(s).event_type for s in SAMPLES}
    assert stored == {e.event_type for e in published.EVENTS}
    assert stored == {e.event_type for e in EVENTS.classes()}
    assert all(EVENTS.decode(recorded(s)) == s for s in SAMPLES)


@pytest.mark.parametrize(
    "event", SAMPLES, ids=[f"{n}-{type(e).__name__}" for n, e in enumerate(SAMPLES)]
)
def test_the_stored_json_validates_against_the_contract(event: DomainEvent) -> None:
    assert_stored_json_matches_contract(event, published.EVENTS)
