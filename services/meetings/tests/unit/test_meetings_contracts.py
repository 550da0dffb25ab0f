"""Every stored meetings event validates against its published contract (no drift)."""

import datetime as dt

import pytest

from contracts import meetings as published
from kernel.aggregate import DomainEvent
from kernel.testing.contracts import assert_stored_json_matches_contract, recorded
from meetings.domain.events import (
    EVENTS,
    ActionRaised,
    ActionUpdated,
    AgendaItemAdded,
    AttendanceCorrected,
    DecisionRecorded,
    DeclarationRecorded,
    MeetingCancelled,
    MeetingFacts,
    MinutesApproved,
    NoDeclarationsRecorded,
)

from .meeting_samples import ANN, BODY, DAY, held, present, scheduled

FACTS = scheduled().model_dump(include=set(MeetingFacts.model_fields))
SAMPLES: list[DomainEvent] = [
    scheduled(),
    AgendaItemAdded(
        meeting_id="m-1",
        health_board="7A1",
        item_number=1,
        title="Flu",
        purpose="decision",
        lead="Chair",
    ),
    present(ANN),
    DeclarationRecorded(
        meeting_id="m-1",
        health_board="7A1",
        person_id="p-ann",
        item_number=1,
        kind="financial",
        description="Director, Menai Pharmacy Ltd",
    ),
    NoDeclarationsRecorded(meeting_id="m-1", health_board="7A1"),
    DecisionRecorded(
        meeting_id="m-1",
        health_board="7A1",
        decision_number=1,
        item_number=1,
        text="Go",
        core_members_present=3,
        quorum_minimum_core_members=2,
    ),
    ActionRaised(
        meeting_id="m-1",
        body_id=BODY.body_id,
        health_board="7A1",
        meeting_date=DAY,
        ref=1,
        description="Agree cluster plans",
        lead="All",
        due_date=DAY,
    ),
    ActionUpdated(
        meeting_id="m-1",
        body_id=BODY.body_id,
        health_board="7A1",
        ref=1,
        status="done",
        progress_note="Agreed",
        updated_on=DAY,
        reviewed_at_meeting_id=None,
    ),
    held(),
    AttendanceCorrected(
        **FACTS, attendee=present(ANN).attendee, previous_status="absent", reason="late"
    ),
    MeetingCancelled(**FACTS, reason="Held in error", was_held=True),
    MinutesApproved(
        meeting_id="m-1",
        body_id=BODY.body_id,
        health_board="7A1",
        approved_on=DAY + dt.timedelta(days=90),
    ),
]


def test_every_event_type_has_a_sample_and_a_contract() -> None:
    stored = {type(s).event_type for s in SAMPLES}
    assert stored == {e.event_type for e in published.EVENTS}
    assert all(EVENTS.decode(recorded(s)) == s for s in SAMPLES)


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: type(e).__name__)
def test_the_stored_json_validates_against_the_contract(event: DomainEvent) -> None:
    assert_stored_json_matches_contract(event, published.EVENTS)
