"""A board clerk driving membership and meetings through their APIs, as a year of meetings goes.

Reporting is never told anything directly: what it reports it learns from the two services'
events, exactly as in production.
"""

import asyncio

from clwstwr.meetings.v1 import meetings_service_pb2 as gpb
from clwstwr.membership.v1 import membership_service_pb2 as mpb
from kernel.runtime import RunningService

from .conftest import BOARD, Platform

START = "2024-04-01"


class Clerk:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform

    async def member(self, body: str, name: str, organisation: str = "") -> str:
        members = self.platform.members
        person = await members.RegisterPerson(mpb.RegisterPersonRequest(name=name), metadata=BOARD)
        await self.enrol(body, person.person_id, organisation)
        return person.person_id

    async def enrol(self, body: str, person: str, organisation: str = "") -> None:
        await self.platform.members.EnrolMember(
            mpb.EnrolMemberRequest(
                body_id=body,
                person_id=person,
                kind="core",
                role_title="Member",
                organisation_id=organisation,
                start_date=START,
            ),
            metadata=BOARD,
        )

    async def chair(self, body: str, role: str, workplace: str = "") -> str:
        person = await self.member(body, f"Chair of {body}", workplace)
        await self.platform.members.AppointLead(
            mpb.AppointLeadRequest(
                body_id=body,
                person_id=person,
                role=role,
                start_date=START,
                usual_workplace_id=workplace,
            ),
            metadata=BOARD,
        )
        return person

    async def organisation(self, kind: str, ods_code: str, cluster: str) -> str:
        answer = await self.platform.members.RegisterOrganisation(
            mpb.RegisterOrganisationRequest(
                name=f"{kind} {ods_code}", kind=kind, ods_code=ods_code, cluster_id=cluster
            ),
            metadata=BOARD,
        )
        return answer.organisation_id

    async def terms(self, body: str, quorum: int, reviewed_by: str) -> None:
        await self.platform.members.RecordTermsOfReferenceReview(
            mpb.RecordTermsOfReferenceReviewRequest(
                body_id=body,
                reviewed_on=START,
                quorum=mpb.QuorumRule(minimum_core_members=quorum),
                reviewed_by=reviewed_by,
            ),
            metadata=BOARD,
        )

    async def hold(
        self,
        body: str,
        day: str,
        chair: str,
        attendance: dict[str, str],
        *,
        approve: bool = True,
        action_due: str = "",
        none_declared: bool = True,
    ) -> str:
        """Schedule, record attendance (person: status), raise an action, hold, approve.

        The minutes say "Declarations of interest: none" unless ``none_declared`` is False.
        """
        stub = self.platform.meets
        meeting = (
            await stub.ScheduleMeeting(
                gpb.ScheduleMeetingRequest(
                    body_id=body, kind="ordinary", mode="virtual", date=day, start_time="10:00"
                ),
                metadata=BOARD,
            )
        ).meeting_id
        for person, status in attendance.items():
            await stub.RecordAttendance(
                gpb.RecordAttendanceRequest(meeting_id=meeting, person_id=person, status=status),
                metadata=BOARD,
            )
        if action_due:
            await stub.RaiseAction(
                gpb.RaiseActionRequest(
                    meeting_id=meeting, description="Map services", lead="CDM", due_date=action_due
                ),
                metadata=BOARD,
            )
        if none_declared:
            await stub.RecordNoDeclarations(
                gpb.RecordNoDeclarationsRequest(meeting_id=meeting), metadata=BOARD
            )
        await stub.RecordMeetingHeld(
            gpb.RecordMeetingHeldRequest(meeting_id=meeting, chair_person_id=chair),
            metadata=BOARD,
        )
        if approve:
            await stub.ApproveMinutes(
                gpb.ApproveMinutesRequest(meeting_id=meeting, approved_on=day), metadata=BOARD
            )
        return meeting


async def caught_up(consumer: RunningService, source: RunningService) -> None:
    """Wait until every consumer in ``consumer`` has applied all of ``source``'s events."""
    schema, name = consumer.settings.service_name, source.settings.service_name
    last = await source.store.last_position()
    query = (
        f"SELECT 1 FROM {schema}.consumer_checkpoints WHERE source = $1"
        " HAVING count(*) > 0 AND min(position) >= $2"
    )

    async def poll() -> None:
        while await consumer.pool.fetchval(query, name, last) is None:
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), 30)
