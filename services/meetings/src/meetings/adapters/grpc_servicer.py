"""``clwstwr.meetings.v1.MeetingsService``: scheduling and reading here, recording inherited."""

from __future__ import annotations

from grpc import aio
from typing_extensions import override

from clwstwr.meetings.v1 import meetings_service_pb2 as pb
from kernel.calendar import FinancialYear
from kernel.errors import NotFound
from kernel.grpc.fields import parse_date
from kernel.paging import PageRequest, next_page_token
from meetings.adapters.grpc_messages import action_message, caller, meeting_message, summary_message
from meetings.adapters.grpc_recording import RecordingServicer
from meetings.adapters.meeting_queries import action_key, meeting_key
from meetings.application.commands import MeetingCommands
from meetings.application.ports import MeetingQueries, ReadModelSync
from meetings.application.recording import MeetingRecorder
from meetings.domain.meeting_record import AgendaItem
from meetings.domain.vocabulary import ACTION_STATUSES, check, one_of

Context = aio.ServicerContext[object, object]


class MeetingsServicer(RecordingServicer):
    """The whole service."""

    def __init__(
        self, commands: MeetingCommands, queries: MeetingQueries, sync: ReadModelSync
    ) -> None:
        super().__init__(MeetingRecorder(commands), sync)
        self._commands = commands
        self._queries = queries

    @override
    async def ScheduleMeeting(
        self, request: pb.ScheduleMeetingRequest, context: Context
    ) -> pb.ScheduleMeetingResponse:
        day = parse_date("date", request.date)
        meeting_id, position = await self._commands.schedule(
            caller(),
            request.body_id,
            request.kind,
            request.mode,
            request.title,
            day,
            request.start_time,
            [AgendaItem(i.title, i.purpose, i.lead) for i in request.agenda],
        )
        await self._sync.caught_up(position)
        return pb.ScheduleMeetingResponse(meeting_id=meeting_id)

    @override
    async def GetMeeting(
        self, request: pb.GetMeetingRequest, context: Context
    ) -> pb.GetMeetingResponse:
        meeting = await self._commands.load_readable(caller(), request.meeting_id)
        declarants = {d.person_id for d in meeting.record.declarations}
        erased = await self._commands.membership.erased_among(declarants)
        today = self._commands.today()
        return pb.GetMeetingResponse(meeting=meeting_message(meeting, today, erased))

    @override
    async def ListMeetings(
        self, request: pb.ListMeetingsRequest, context: Context
    ) -> pb.ListMeetingsResponse:
        year = FinancialYear.parse("financial_year", request.financial_year)
        page = PageRequest.parse(request.page_size, request.page_token)
        await self._readable_body(request.body_id)
        found = await self._queries.list_meetings(request.body_id, year, page)
        return pb.ListMeetingsResponse(
            meetings=[summary_message(m) for m in found[: page.size]],
            next_page_token=next_page_token([meeting_key(m) for m in found], page),
        )

    @override
    async def ListActions(
        self, request: pb.ListActionsRequest, context: Context
    ) -> pb.ListActionsResponse:
        if request.status:
            check(("status", one_of(ACTION_STATUSES, request.status)))
        as_of = parse_date("as_of", request.as_of, default=self._commands.today())
        page = PageRequest.parse(request.page_size, request.page_token)
        await self._readable_body(request.body_id)
        found = await self._queries.list_actions(
            request.body_id,
            request.status or None,
            as_of if request.overdue else None,
            as_of,
            page,
        )
        return pb.ListActionsResponse(
            actions=[action_message(a) for a in found[: page.size]],
            next_page_token=next_page_token([action_key(a) for a in found], page),
        )

    async def _readable_body(self, body_id: str) -> None:
        check(("body_id", None if body_id else "is required"))
        body = await self._commands.membership.find_body(body_id)
        if body is None:
            raise NotFound(f"no body {body_id!r}")
        caller().require_read(body.health_board)
