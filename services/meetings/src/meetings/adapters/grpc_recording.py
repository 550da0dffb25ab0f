"""The RPCs that record what happened at a meeting, after it is scheduled.

Commands that change what the lists show (actions, a meeting's status) wait for this
process's read model to apply what they stored before answering (read-your-writes), so a
client may list an action straight after raising it. The rest (agenda, attendance,
declarations, decisions, corrections) answer at once: ``GetMeeting`` reads the meeting's own
stream, which has them already, and waiting would only add latency to the busiest commands.
"""

from __future__ import annotations

from grpc import aio
from typing_extensions import override

from clwstwr.meetings.v1 import meetings_service_pb2 as pb
from clwstwr.meetings.v1 import meetings_service_pb2_grpc as pb_grpc
from kernel.grpc.fields import optional, parse_date
from meetings.adapters.grpc_messages import caller
from meetings.application.commands import AttendanceEntry
from meetings.application.ports import ReadModelSync
from meetings.application.recording import MeetingRecorder

Context = aio.ServicerContext[object, object]


class RecordingServicer(pb_grpc.MeetingsServiceServicer):
    """The recording part of ``MeetingsService`` (the whole servicer subclasses it)."""

    def __init__(self, recorder: MeetingRecorder, sync: ReadModelSync) -> None:
        self._recorder = recorder
        self._sync = sync

    @override
    async def AddAgendaItem(
        self, request: pb.AddAgendaItemRequest, context: Context
    ) -> pb.AddAgendaItemResponse:
        number, _ = await self._recorder.add_agenda_item(
            caller(), request.meeting_id, request.title, request.purpose, request.lead
        )
        return pb.AddAgendaItemResponse(item_number=number)

    @override
    async def RecordAttendance(
        self, request: pb.RecordAttendanceRequest, context: Context
    ) -> pb.RecordAttendanceResponse:
        await self._recorder.record_attendance(
            caller(),
            request.meeting_id,
            request.person_id,
            request.status,
            optional(request.organisation_id),
            invited=request.invited,
        )
        return pb.RecordAttendanceResponse()

    @override
    async def RecordAttendanceRegister(
        self, request: pb.RecordAttendanceRegisterRequest, context: Context
    ) -> pb.RecordAttendanceRegisterResponse:
        entries = [
            AttendanceEntry(e.person_id, e.status, optional(e.organisation_id), e.invited)
            for e in request.entries
        ]
        recorded = await self._recorder.record_attendance_register(
            caller(), request.meeting_id, entries
        )
        return pb.RecordAttendanceRegisterResponse(recorded=recorded)

    @override
    async def RecordDeclaration(
        self, request: pb.RecordDeclarationRequest, context: Context
    ) -> pb.RecordDeclarationResponse:
        await self._recorder.record_declaration(
            caller(),
            request.meeting_id,
            request.person_id,
            request.item_number,
            request.kind,
            request.description,
        )
        return pb.RecordDeclarationResponse()

    @override
    async def RecordNoDeclarations(
        self, request: pb.RecordNoDeclarationsRequest, context: Context
    ) -> pb.RecordNoDeclarationsResponse:
        recorded = await self._recorder.record_no_declarations(caller(), request.meeting_id)
        return pb.RecordNoDeclarationsResponse(recorded=recorded)

    @override
    async def RecordDecision(
        self, request: pb.RecordDecisionRequest, context: Context
    ) -> pb.RecordDecisionResponse:
        number, _ = await self._recorder.record_decision(
            caller(), request.meeting_id, request.item_number, request.text
        )
        return pb.RecordDecisionResponse(decision_number=number)

    @override
    async def RaiseAction(
        self, request: pb.RaiseActionRequest, context: Context
    ) -> pb.RaiseActionResponse:
        due = parse_date("due_date", request.due_date)
        ref, position = await self._recorder.raise_action(
            caller(), request.meeting_id, request.description, request.lead, due
        )
        await self._sync.caught_up(position)
        return pb.RaiseActionResponse(ref=ref)

    @override
    async def UpdateAction(
        self, request: pb.UpdateActionRequest, context: Context
    ) -> pb.UpdateActionResponse:
        position = await self._recorder.update_action(
            caller(),
            request.meeting_id,
            request.ref,
            request.status,
            request.progress_note,
            optional(request.reviewed_at_meeting_id),
        )
        await self._sync.caught_up(position)
        return pb.UpdateActionResponse()

    @override
    async def RecordMeetingHeld(
        self, request: pb.RecordMeetingHeldRequest, context: Context
    ) -> pb.RecordMeetingHeldResponse:
        position = await self._recorder.hold(caller(), request.meeting_id, request.chair_person_id)
        await self._sync.caught_up(position)
        return pb.RecordMeetingHeldResponse()

    @override
    async def CorrectAttendance(
        self, request: pb.CorrectAttendanceRequest, context: Context
    ) -> pb.CorrectAttendanceResponse:
        await self._recorder.correct_attendance(
            caller(),
            request.meeting_id,
            request.person_id,
            request.status,
            optional(request.organisation_id),
            request.reason,
            invited=request.invited,
        )
        return pb.CorrectAttendanceResponse()

    @override
    async def CancelMeeting(
        self, request: pb.CancelMeetingRequest, context: Context
    ) -> pb.CancelMeetingResponse:
        position = await self._recorder.cancel(caller(), request.meeting_id, request.reason)
        await self._sync.caught_up(position)
        return pb.CancelMeetingResponse()

    @override
    async def ApproveMinutes(
        self, request: pb.ApproveMinutesRequest, context: Context
    ) -> pb.ApproveMinutesResponse:
        on = parse_date("approved_on", request.approved_on)
        position = await self._recorder.approve_minutes(caller(), request.meeting_id, on)
        await self._sync.caught_up(position)
        return pb.ApproveMinutesResponse()
