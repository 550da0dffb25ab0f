"""A body's roster: who is a member of it, and who holds its lead roles, over dated spans.

One aggregate per body (stream ``roster-<body id>``) so "no one enrolled twice at once" and
"one holder of a lead role at a time" are checked inside one consistency boundary: two racing
commands cannot both pass, since the second save meets a version conflict and, retried,
re-checks against the first. Spans are inclusive: a membership ending on 31 March still
counts on 31 March.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from typing_extensions import override

from kernel.aggregate import Aggregate
from kernel.errors import AlreadyExists, NotFound, RuleViolated
from membership.domain.bodies import (
    Body,
    BodyKind,
    OrganisationFacts,
    require_in_footprint,
    require_open_on,
)
from membership.domain.people_events import (
    AppointmentEnded,
    LeadAppointed,
    MemberEnrolled,
    MembershipEnded,
    RosterEvent,
)
from membership.domain.roster_rules import (
    Appointment,
    Membership,
    Span,
    body_facts,
    check_appointment,
    check_enrolment,
    require_end_after_start,
)


class Roster(Aggregate[RosterEvent]):
    """The members and lead appointments of one body."""

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.body: Body | None = None
        self.memberships: dict[str, Membership] = {}
        self.appointments: dict[str, Appointment] = {}

    def enrol(
        self,
        body: Body,
        membership_id: str,
        person_id: str,
        kind: str,
        role_title: str,
        organisation: OrganisationFacts | None,
        start: dt.date,
    ) -> None:
        """Enrol a person from ``start`` (open-ended); a retried enrolment does nothing.

        Raises:
            ValidationFailed: an unknown kind or a blank role title.
            RuleViolated: ``BODY_CLOSED`` before ``start``, ``ORGANISATION_OUTSIDE_FOOTPRINT``.
            AlreadyExists: the person is a member already on or after ``start``.
        """
        check_enrolment(kind, role_title)
        if self._repeated(self.memberships.get(membership_id), person_id, start):
            return
        require_open_on(body, start, "start_date")
        if organisation is not None:
            require_in_footprint(body, organisation, "organisation_id")
        span = Span(start, None)
        for held in self._memberships_of(person_id):
            if held.span.overlaps(span):
                raise AlreadyExists(
                    f"{person_id} is a member of {body.body_id} from {held.span} already"
                    f" ({held.membership_id})"
                )
        self._record(
            MemberEnrolled(
                **body_facts(body),
                membership_id=membership_id,
                person_id=person_id,
                kind=kind,
                role_title=role_title,
                organisation_id=organisation.organisation_id if organisation else None,
                start_date=start,
            )
        )

    def end_membership(self, membership_id: str, end: dt.date) -> None:
        """End a membership on ``end`` (its last day), and the member's appointments with it.

        Raises:
            NotFound: no such membership here.
            ValidationFailed: ``end_date`` before the start.
            RuleViolated: ``MEMBERSHIP_ALREADY_ENDED`` (on another date).
        """
        held = self.memberships.get(membership_id)
        if held is None or self.body is None:
            raise NotFound(f"no membership {membership_id!r} of this body")
        require_end_after_start(held.span, end)
        if held.span.end == end:
            return
        if held.span.end is not None:
            raise RuleViolated(
                "MEMBERSHIP_ALREADY_ENDED", f"{membership_id} ended on {held.span.end}"
            )
        self._record(
            MembershipEnded(
                body_id=self.body.body_id,
                health_board=self.body.health_board,
                membership_id=membership_id,
                person_id=held.person_id,
                end_date=end,
            )
        )
        for appointment in list(self.appointments.values()):
            outlasts = appointment.span.end is None or appointment.span.end > end
            if appointment.person_id == held.person_id and outlasts:
                self._end(self.body, appointment, max(end, appointment.span.start))

    def appoint(
        self,
        body: Body,
        appointment_id: str,
        person_id: str,
        role: str,
        span: Span,
        workplace: OrganisationFacts | None,
    ) -> None:
        """Appoint a member to a lead role for ``span``; a retried appointment does nothing.

        Raises:
            ValidationFailed: an unknown role or one this kind of body lacks, an end before the
                start, or a collaborative lead with no usual workplace.
            RuleViolated: ``BODY_CLOSED`` before the start, ``APPOINTEE_NOT_A_MEMBER`` on the
                start date, ``LEAD_ROLE_TAKEN`` by someone else over overlapping dates,
                ``ORGANISATION_OUTSIDE_FOOTPRINT``.
        """
        check_appointment(body.kind, role, span, has_workplace=workplace is not None)
        if self._repeated(self.appointments.get(appointment_id), person_id, span.start):
            return
        require_open_on(body, span.start, "start_date")
        if workplace is not None:
            require_in_footprint(body, workplace, "usual_workplace_id")
        if not any(m.span.covers(span.start) for m in self._memberships_of(person_id)):
            raise RuleViolated(
                "APPOINTEE_NOT_A_MEMBER",
                f"{person_id} is not a member of {body.body_id} on {span.start}; enrol them first",
            )
        for held in self.appointments.values():
            if held.role == role and held.span.overlaps(span):
                raise RuleViolated(
                    "LEAD_ROLE_TAKEN",
                    f"{body.body_id}'s {role} is held by {held.person_id} over {held.span}",
                )
        self._record(
            LeadAppointed(
                **body_facts(body),
                appointment_id=appointment_id,
                person_id=person_id,
                role=role,
                start_date=span.start,
                end_date=span.end,
                usual_workplace_id=workplace.organisation_id if workplace else None,
                usual_workplace_ods_code=workplace.ods_code if workplace else None,
                usual_workplace_health_board_salaried=(
                    workplace.health_board_salaried if workplace else None
                ),
            )
        )

    def end_appointment(self, appointment_id: str, end: dt.date) -> None:
        """End an appointment on ``end``, or bring a planned end forward to it.

        Raises:
            NotFound: no such appointment here.
            ValidationFailed: ``end_date`` before the start.
            RuleViolated: ``APPOINTMENT_ALREADY_ENDED`` before ``end``.
        """
        held = self.appointments.get(appointment_id)
        if held is None or self.body is None:
            raise NotFound(f"no appointment {appointment_id!r} of this body")
        require_end_after_start(held.span, end)
        if held.span.end == end:
            return
        if held.span.end is not None and held.span.end < end:
            raise RuleViolated(
                "APPOINTMENT_ALREADY_ENDED", f"{appointment_id} ended on {held.span.end}"
            )
        self._end(self.body, held, end)

    def _end(self, body: Body, appointment: Appointment, end: dt.date) -> None:
        self._record(
            AppointmentEnded(
                body_id=body.body_id,
                health_board=body.health_board,
                appointment_id=appointment.appointment_id,
                person_id=appointment.person_id,
                role=appointment.role,
                end_date=end,
            )
        )

    def _memberships_of(self, person_id: str) -> list[Membership]:
        return [m for m in self.memberships.values() if m.person_id == person_id]

    @staticmethod
    def _repeated(
        existing: Membership | Appointment | None, person_id: str, start: dt.date
    ) -> bool:
        """Whether a command re-does one already done under its id (a retry: do nothing)."""
        if existing is None:
            return False
        if (existing.person_id, existing.span.start) == (person_id, start):
            return True
        raise AlreadyExists("the id is used already for something else")

    @override
    def _apply(self, event: RosterEvent) -> None:
        if isinstance(event, MemberEnrolled):
            self.body = Body(
                event.body_id,
                BodyKind(event.body_kind),
                event.health_board,
                event.pcpg_id,
                event.cluster_id,
                event.profession,
            )
            span = Span(event.start_date, None)
            self.memberships[event.membership_id] = Membership(
                event.membership_id, event.person_id, span
            )
        elif isinstance(event, MembershipEnded):
            held = self.memberships[event.membership_id]
            self.memberships[event.membership_id] = replace(
                held, span=held.span.ending(event.end_date)
            )
        elif isinstance(event, LeadAppointed):
            span = Span(event.start_date, event.end_date)
            self.appointments[event.appointment_id] = Appointment(
                event.appointment_id, event.person_id, event.role, span
            )
        else:
            held_a = self.appointments[event.appointment_id]
            self.appointments[event.appointment_id] = replace(
                held_a, span=held_a.span.ending(event.end_date)
            )
