"""Meetings commands on an in-memory store: what they store, refuse, and retry."""

import asyncio
import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import pytest

from kernel.errors import (
    ConcurrencyError,
    NotFound,
    PermissionDenied,
    RuleViolated,
    ValidationFailed,
)
from kernel.events import AppendResult
from kernel.eventstore.memory import InMemoryEventStore
from meetings.application.access import Caller
from meetings.application.commands import AttendanceEntry, MeetingCommands
from meetings.application.ports import OrganisationFacts
from meetings.application.recording import MeetingRecorder
from meetings.domain.standing import Body, Standing

from .meeting_samples import BODY, DAY

BETSI = Caller("betsi", "health_board", "7A1")
HYWEL_DDA = Caller("hywel-dda", "health_board", "7A2")
NATIONAL = Caller("spcc", "national")


class CountingStore(InMemoryEventStore):
    """Counts the version conflicts appends meet, to show a test really raced."""

    conflicts = 0

    async def append(self, *args: Any, **kwargs: Any) -> AppendResult:
        try:
            return await super().append(*args, **kwargs)
        except ConcurrencyError:
            self.conflicts += 1
            raise


@dataclass
class FakeMembership:
    """``MembershipView`` from dated memberships, as meetings' projection would hold them."""

    spans: dict[str, tuple[dt.date, str, str | None]] = field(default_factory=dict)
    lead: str | None = None
    quorum: int | None = 2

    def enrol(self, person_id: str, start: dt.date, organisation: str | None = None) -> None:
        self.spans[person_id] = (start, "core", organisation)

    async def find_body(self, body_id: str) -> Body | None:
        return BODY if body_id == BODY.body_id else None

    async def find_organisation(self, organisation_id: str) -> OrganisationFacts | None:
        return OrganisationFacts(organisation_id, "optometry") if organisation_id else None

    async def erased_among(self, person_ids: Collection[str]) -> set[str]:
        return set()

    async def standings(
        self, body_id: str, person_ids: Collection[str], on: dt.date
    ) -> dict[str, Standing]:
        await asyncio.sleep(0)  # let a concurrent clerk interleave here, as a database would
        return {p: self._standing(p, on) for p in person_ids if p.startswith("p-")}

    def _standing(self, person_id: str, on: dt.date) -> Standing:
        span = self.spans.get(person_id)
        if span is None or span[0] > on:
            return Standing(person_id, None)
        organisations = {span[2]: "community-pharmacy"} if span[2] else {}
        return Standing(person_id, span[1], organisations, holds_lead=person_id == self.lead)

    async def lead_on(self, body_id: str, on: dt.date) -> str | None:
        return self.lead

    async def quorum_on(self, body_id: str, on: dt.date) -> int | None:
        return self.quorum


@dataclass
class Service:
    store: CountingStore
    membership: FakeMembership
    commands: MeetingCommands
    recorder: MeetingRecorder

    async def stored(self) -> int:
        return await self.store.last_position()

    async def schedule(self, day: dt.date = DAY) -> str:
        meeting_id, _ = await self.commands.schedule(
            BETSI, BODY.body_id, "ordinary", "in_person", "", day, "18:00"
        )
        return meeting_id


@pytest.fixture
def service() -> Service:
    store, membership = CountingStore(), FakeMembership()
    for person in ("p-lead", "p-ann", "p-bob", "p-cai"):
        membership.enrol(person, dt.date(2024, 4, 1), f"o-{person}")
    membership.lead = "p-lead"
    commands = MeetingCommands(store, membership, today=lambda: dt.date(2025, 1, 1))
    return Service(store, membership, commands, MeetingRecorder(commands))


async def test_an_unknown_body_or_another_boards_body_is_refused(service: Service) -> None:
    with pytest.raises(NotFound):
        await service.commands.schedule(
            BETSI, "7A1-nowhere", "ordinary", "virtual", "", DAY, "9:30"
        )
    with pytest.raises(PermissionDenied):
        await service.commands.schedule(
            HYWEL_DDA, BODY.body_id, "ordinary", "virtual", "", DAY, "09:30"
        )
    with pytest.raises(PermissionDenied):
        await service.commands.schedule(
            NATIONAL, BODY.body_id, "ordinary", "virtual", "", DAY, "09:30"
        )
    assert await service.stored() == 0


async def test_two_clerks_recording_at_once_both_succeed(service: Service) -> None:
    meeting_id = await service.schedule()
    people = ["p-lead", "p-ann", "p-bob", "p-cai"]
    await asyncio.gather(
        *(
            service.recorder.record_attendance(BETSI, meeting_id, p, "present", None, invited=False)
            for p in people
        )
    )
    meeting = await service.commands.meetings.load(meeting_id)
    assert sorted(meeting.record.attendance) == sorted(people)
    assert await service.stored() == 5
    assert service.store.conflicts > 0  # they did collide, and were retried


async def test_errors_store_nothing(service: Service) -> None:
    meeting_id = await service.schedule()
    stored = await service.stored()
    attempts = [
        service.recorder.record_attendance(
            BETSI, meeting_id, "p-eve", "present", None, invited=False
        ),
        service.recorder.record_attendance(
            BETSI, meeting_id, "x-9", "present", None, invited=False
        ),
        service.recorder.record_attendance(BETSI, meeting_id, "p-ann", "late", None, invited=False),
        service.recorder.record_attendance(
            HYWEL_DDA, meeting_id, "p-ann", "present", None, invited=False
        ),
        service.recorder.record_decision(BETSI, meeting_id, 1, "Yes"),
        service.recorder.correct_attendance(
            BETSI, meeting_id, "p-ann", "absent", None, "x", invited=False
        ),
        service.recorder.hold(BETSI, "no-such-meeting", "p-lead"),
    ]
    expected = [
        RuleViolated,
        NotFound,
        ValidationFailed,
        PermissionDenied,
        NotFound,
        RuleViolated,
        NotFound,
    ]
    for attempt, error in zip(attempts, expected, strict=True):
        with pytest.raises(error):
            await attempt
    assert await service.stored() == stored


async def test_a_register_is_recorded_whole_or_not_at_all(service: Service) -> None:
    meeting_id = await service.schedule()
    stored = await service.stored()
    refusals = [
        ([AttendanceEntry("p-ann", "present"), AttendanceEntry("x-9", "present")], NotFound),
        ([AttendanceEntry("p-ann", "present"), AttendanceEntry("p-eve", "present")], RuleViolated),
        ([AttendanceEntry("", "present")], ValidationFailed),
        ([AttendanceEntry("x-9", "late")], ValidationFailed),  # its shape, before any lookup
    ]
    for entries, error in refusals:
        with pytest.raises(error):
            await service.recorder.record_attendance_register(BETSI, meeting_id, entries)
    assert await service.stored() == stored
    register = [
        AttendanceEntry("p-lead", "present"),
        AttendanceEntry("p-ann", "apologies"),
        AttendanceEntry("p-eve", "present", "o-guest", invited=True),
    ]
    assert await service.recorder.record_attendance_register(BETSI, meeting_id, register) == 3
    assert await service.recorder.record_attendance_register(BETSI, meeting_id, register) == 0
    meeting = await service.commands.meetings.load(meeting_id)
    attendance = meeting.record.attendance
    assert {p: (a.status, a.organisation_id) for p, a in attendance.items()} == {
        "p-lead": ("present", "o-p-lead"),
        "p-ann": ("apologies", "o-p-ann"),
        "p-eve": ("present", "o-guest"),
    }
    assert attendance["p-eve"].profession == "optometry"  # the guest's organisation's
    with pytest.raises(ValidationFailed) as one_line:
        await service.recorder.record_attendance(
            BETSI, meeting_id, "p-ann", "late", None, invited=False
        )
    assert [v.field for v in one_line.value.violations] == ["status"]  # not entries[0].status
    assert await service.stored() == stored + 3


async def test_a_late_enrolment_is_honoured_as_of_the_meeting_date(service: Service) -> None:
    meeting_id = await service.schedule(dt.date(2024, 9, 10))
    with pytest.raises(RuleViolated, match="not a member"):
        await service.recorder.record_attendance(
            BETSI, meeting_id, "p-dai", "present", None, invited=False
        )
    # membership's event arrives later, but the enrolment dates from before the meeting
    service.membership.enrol("p-dai", dt.date(2024, 9, 1))
    await service.recorder.record_attendance(
        BETSI, meeting_id, "p-dai", "present", None, invited=False
    )
    # one enrolled only after the meeting date is still refused
    service.membership.enrol("p-eve", dt.date(2024, 9, 11))
    with pytest.raises(RuleViolated, match="not a member"):
        await service.recorder.record_attendance(
            BETSI, meeting_id, "p-eve", "present", None, invited=False
        )


async def test_schedule_attend_decide_hold_correct(service: Service) -> None:
    meeting_id = await service.schedule()
    item, _ = await service.recorder.add_agenda_item(BETSI, meeting_id, "Flu", "decision", "Chair")
    for person in ("p-lead", "p-ann"):
        await service.recorder.record_attendance(
            BETSI, meeting_id, person, "present", None, invited=False
        )
    await service.recorder.record_attendance(
        BETSI, meeting_id, "p-guest", "present", "o-x", invited=True
    )
    await service.recorder.record_declaration(
        BETSI, meeting_id, "p-ann", item, "financial", "Owner"
    )
    number, _ = await service.recorder.record_decision(BETSI, meeting_id, item, "Go ahead")
    ref, _ = await service.recorder.raise_action(BETSI, meeting_id, "Book venue", "Ann", DAY)
    await service.recorder.hold(BETSI, meeting_id, "p-lead")
    with pytest.raises(RuleViolated, match="is held"):
        await service.recorder.hold(BETSI, meeting_id, "p-lead")
    await service.recorder.correct_attendance(
        BETSI, meeting_id, "p-bob", "apologies", None, "sent apologies by email", invited=False
    )
    await service.recorder.update_action(BETSI, meeting_id, ref, "done", "Booked", None)
    await service.recorder.approve_minutes(BETSI, meeting_id, dt.date(2024, 9, 1))
    meeting = await service.commands.load_readable(NATIONAL, meeting_id)
    assert meeting.held is not None
    assert meeting.held.attendance[1].membership_kind == "invited"
    assert meeting.held.attendance[1].profession == "optometry"
    assert (number, meeting.held.quorate, meeting.held.chaired_by_lead) == (1, True, True)
    assert meeting.record.attendance["p-bob"].status == "apologies"
    assert meeting.record.actions[ref].status == "done"
    with pytest.raises(PermissionDenied):
        await service.commands.load_readable(HYWEL_DDA, meeting_id)
