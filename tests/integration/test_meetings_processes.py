"""Membership and meetings as operators run them, two processes: seed, enrol, schedule, attend,
hold, correct, and read the meeting back. Meetings learns the enrolment only from membership's
events (Redis, with membership's EventFeed for catch-up), never by calling membership."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import TYPE_CHECKING, TypeVar

import asyncpg
import grpc
import pytest
from grpc import aio

from clwstwr.meetings.v1 import meetings_service_pb2 as pb
from clwstwr.meetings.v1.meetings_service_pb2_grpc import MeetingsServiceStub
from clwstwr.membership.v1 import membership_service_pb2 as mpb
from clwstwr.membership.v1.membership_service_pb2_grpc import MembershipServiceStub
from clwstwr_ops.ports import ephemeral_port
from kernel.testing import infrastructure
from kernel.testing.grpc import call_metadata, principals_json

if TYPE_CHECKING:  # the async stubs exist only in the generated type stubs
    from clwstwr.meetings.v1.meetings_service_pb2_grpc import MeetingsServiceAsyncStub
    from clwstwr.membership.v1.membership_service_pb2_grpc import MembershipServiceAsyncStub

pytestmark = pytest.mark.integration

T = TypeVar("T")
BOARD = call_metadata("board-7a1")
PC = "7A1-anglesey.community-pharmacy"
TOKENS = principals_json()


@asynccontextmanager
async def service(module: str, port: int, **settings: str) -> AsyncIterator[None]:
    """``python -m <module>`` with ``CLWSTWR_*`` settings, stopped with SIGTERM at the end."""
    env = {
        **os.environ,
        "CLWSTWR_DATABASE_URL": infrastructure.database_url(),
        "CLWSTWR_REDIS_URL": infrastructure.redis_url(),
        "CLWSTWR_GRPC_PORT": str(port),
        "CLWSTWR_AUTH_TOKENS": TOKENS,
        **{f"CLWSTWR_{key.upper()}": value for key, value in settings.items()},
    }
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        yield
    finally:
        if child.returncode is None:
            child.terminate()
        _, stderr = await asyncio.wait_for(child.communicate(), 20)
        assert child.returncode == 0, stderr.decode()[-3000:]


async def eventually(call: Callable[[], Awaitable[T]], seconds: float = 30) -> T:
    """The call's answer once it stops failing (a service starting, a projection catching up)."""
    async with asyncio.timeout(seconds):
        while True:
            try:
                return await call()
            except aio.AioRpcError as error:
                if error.code() not in (
                    grpc.StatusCode.UNAVAILABLE,
                    grpc.StatusCode.NOT_FOUND,
                    grpc.StatusCode.FAILED_PRECONDITION,
                ):
                    raise
                await asyncio.sleep(0.1)


async def test_two_processes_seed_enrol_schedule_attend_hold_correct(
    pg_pool: asyncpg.Pool,
) -> None:
    suffix = uuid.uuid4().hex[:8]
    members_name, meetings_name = f"membership_{suffix}", f"meetings_{suffix}"
    members_port, meetings_port = ephemeral_port(), ephemeral_port()
    try:
        async with (
            service("membership", members_port, service_name=members_name),
            service(
                "meetings",
                meetings_port,
                service_name=meetings_name,
                membership_source=members_name,
                feed_targets=json.dumps({members_name: f"127.0.0.1:{members_port}"}),
                feed_token="service",
            ),
            aio.insecure_channel(f"127.0.0.1:{members_port}") as members_channel,
            aio.insecure_channel(f"127.0.0.1:{meetings_port}") as meetings_channel,
        ):
            await record_a_meeting(
                MembershipServiceStub(members_channel), MeetingsServiceStub(meetings_channel)
            )
    finally:
        for schema in (meetings_name, members_name):
            await pg_pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


async def record_a_meeting(
    members: MembershipServiceAsyncStub, meetings: MeetingsServiceAsyncStub
) -> None:
    await eventually(
        lambda: members.SeedRegister(
            mpb.SeedRegisterRequest(established_on="2024-04-01"), metadata=call_metadata("operator")
        )
    )
    person, other = [
        await members.RegisterPerson(mpb.RegisterPersonRequest(name=name), metadata=BOARD)
        for name in ("Nia", "Owain")
    ]
    for someone in (person, other):
        await members.EnrolMember(
            mpb.EnrolMemberRequest(
                body_id=PC,
                person_id=someone.person_id,
                kind="core",
                role_title="Pharmacist",
                start_date="2024-04-01",
            ),
            metadata=BOARD,
        )
    scheduled = await eventually(
        lambda: meetings.ScheduleMeeting(
            pb.ScheduleMeetingRequest(
                body_id=PC, kind="ordinary", mode="in_person", date="2024-05-14", start_time="13:00"
            ),
            metadata=BOARD,
        )
    )
    meeting = scheduled.meeting_id
    for someone, status in ((person, "present"), (other, "absent")):
        request = pb.RecordAttendanceRequest(
            meeting_id=meeting, person_id=someone.person_id, status=status
        )
        await eventually(partial(meetings.RecordAttendance, request, metadata=BOARD))
    await meetings.RecordMeetingHeld(
        pb.RecordMeetingHeldRequest(meeting_id=meeting, chair_person_id=person.person_id),
        metadata=BOARD,
    )
    with pytest.raises(aio.AioRpcError) as twice:
        await meetings.RecordMeetingHeld(
            pb.RecordMeetingHeldRequest(meeting_id=meeting, chair_person_id=person.person_id),
            metadata=BOARD,
        )
    assert twice.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    correction = pb.CorrectAttendanceRequest(
        meeting_id=meeting, person_id=other.person_id, status="present", reason="came late"
    )
    await meetings.CorrectAttendance(correction, metadata=BOARD)
    got = await meetings.GetMeeting(
        pb.GetMeetingRequest(meeting_id=meeting), metadata=call_metadata("national")
    )
    assert got.meeting.status == "held"
    assert {(a.person_id, a.status) for a in got.meeting.attendance} == {
        (person.person_id, "present"),
        (other.person_id, "present"),
    }
    assert [c.reason for c in got.meeting.corrections] == ["came late"]
    listed = await meetings.ListMeetings(
        pb.ListMeetingsRequest(body_id=PC, financial_year="2024/25"), metadata=BOARD
    )
    assert [m.id for m in listed.meetings] == [meeting]
