"""Payments' facts folded in memory straight from the events, for reconciliation.

An independent second reading of the same published events the SQL handlers apply
(``adapters/*_facts.py``): if the two ever disagreed, reconciliation would show it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from contracts import meetings as meeting_events
from contracts import membership as member_events
from kernel.events import RecordedEvent
from payments.domain.card_book import RateCardPublished
from payments.domain.claims import ClaimApproved, ClaimSubmitted
from payments.domain.events import EVENTS
from payments.domain.facts import (
    Appointment,
    ApprovedClaim,
    Attendee,
    Facts,
    Meeting,
    Organisation,
    Succession,
)
from payments.domain.financial_year import financial_year
from payments.domain.rate_card import RateCard

Scope = tuple[str, str]


def _attendee(a: meeting_events.Attendee) -> Attendee:
    return Attendee(a.person_id, a.status, a.organisation_id, a.held_lead_appointment)


def _meeting(m: meeting_events.MeetingFacts, attendance: tuple[Attendee, ...]) -> Meeting:
    return Meeting(
        meeting_id=m.meeting_id,
        body_id=m.body_id,
        body_kind=m.body_kind,
        profession=m.profession,
        cluster_id=m.cluster_id,
        health_board=m.health_board,
        meeting_kind=m.meeting_kind,
        meeting_date=m.meeting_date,
        attendance=attendance,
    )


class FactsFold:
    def __init__(self) -> None:
        self.organisations: dict[str, Organisation] = {}
        self.appointments: dict[str, tuple[str, Appointment]] = {}  # id -> (board, appointment)
        self.meetings: dict[str, Meeting] = {}
        self.submitted: dict[str, ClaimSubmitted] = {}
        self.approved: set[str] = set()
        self.cards: dict[str, RateCard] = {}
        self.successions: set[Succession] = set()

    def membership(self, event: RecordedEvent) -> None:
        kind, data = event.event_type, event.data
        if kind == member_events.OrganisationRegistered.event_type:
            o = member_events.OrganisationRegistered.model_validate(data)
            self.organisations[o.organisation_id] = Organisation(
                o.organisation_id,
                o.kind,
                o.cluster_id,
                o.health_board,
                o.health_board_salaried,
                o.ods_code,
            )
        elif kind == member_events.LeadAppointed.event_type:
            a = member_events.LeadAppointed.model_validate(data)
            self.appointments.setdefault(
                a.appointment_id,
                (
                    a.health_board,
                    Appointment(
                        appointment_id=a.appointment_id,
                        body_id=a.body_id,
                        body_kind=a.body_kind,
                        cluster_id=a.cluster_id,
                        person_id=a.person_id,
                        role=a.role,
                        start_date=a.start_date,
                        end_date=a.end_date,
                        usual_workplace_id=a.usual_workplace_id,
                        usual_workplace_salaried=a.usual_workplace_health_board_salaried,
                    ),
                ),
            )
        elif kind == member_events.ClusterClosed.event_type:
            closed = member_events.ClusterClosed.model_validate(data)
            start = closed.closed_on + dt.timedelta(days=1)
            self.successions.update(
                Succession(closed.cluster_id, successor, start)
                for successor in closed.successor_cluster_ids
            )
        elif kind == member_events.AppointmentEnded.event_type:
            ended = member_events.AppointmentEnded.model_validate(data)
            if ended.appointment_id in self.appointments:
                board, appointment = self.appointments[ended.appointment_id]
                ended_one = replace(appointment, end_date=ended.end_date)
                self.appointments[ended.appointment_id] = (board, ended_one)

    def meeting(self, event: RecordedEvent) -> None:
        kind, data = event.event_type, event.data
        if kind == meeting_events.MeetingHeld.event_type:
            held = meeting_events.MeetingHeld.model_validate(data)
            known = self.meetings.get(held.meeting_id)
            meeting = _meeting(held, tuple(_attendee(a) for a in held.attendance))
            cancelled = known is not None and known.cancelled
            self.meetings[held.meeting_id] = replace(meeting, cancelled=cancelled)
        elif kind == meeting_events.AttendanceCorrected.event_type:
            corrected = meeting_events.AttendanceCorrected.model_validate(data)
            known = self.meetings.get(corrected.meeting_id) or _meeting(corrected, ())
            others = tuple(
                a for a in known.attendance if a.person_id != corrected.attendee.person_id
            )
            attendance = (*others, _attendee(corrected.attendee))
            self.meetings[corrected.meeting_id] = replace(known, attendance=attendance)
        elif kind == meeting_events.MeetingCancelled.event_type:
            voided = meeting_events.MeetingCancelled.model_validate(data)
            known = self.meetings.get(voided.meeting_id)
            if known is not None:
                self.meetings[voided.meeting_id] = replace(known, cancelled=True)

    def own(self, event: RecordedEvent) -> None:
        decoded = EVENTS.decode(event)
        if isinstance(decoded, RateCardPublished):
            self.cards.setdefault(decoded.card.card_id, decoded.card)
        elif isinstance(decoded, ClaimSubmitted):
            self.submitted.setdefault(decoded.claim_id, decoded)
        elif isinstance(decoded, ClaimApproved):
            self.approved.add(decoded.claim_id)

    def scopes(self) -> set[Scope]:
        meetings = {
            (m.health_board, financial_year(m.meeting_date)) for m in self.meetings.values()
        }
        claims = {
            (c.health_board, financial_year(c.activity_date)) for c in self.submitted.values()
        }
        return meetings | claims

    def facts_for(self, board: str, year: str) -> Facts:
        """A scope's facts, as the ledger's accrual reads them.

        A board's meetings and claims in a year, the board's appointments, every organisation.
        """
        claims = tuple(
            ApprovedClaim(
                claim_id=c.claim_id,
                rule_id=c.rule_id,
                payee=c.payee,
                health_board=c.health_board,
                activity_date=c.activity_date,
                half_days=c.half_days,
                rate_pence=c.rate_pence,
                cluster_id=c.cluster_id,
            )
            for c in self.submitted.values()
            if c.claim_id in self.approved
            and (c.health_board, financial_year(c.activity_date)) == (board, year)
        )
        return Facts(
            meetings=tuple(
                m
                for m in self.meetings.values()
                if (m.health_board, financial_year(m.meeting_date)) == (board, year)
            ),
            organisations=self.organisations,
            appointments=tuple(a for b, a in self.appointments.values() if b == board),
            claims=claims,
            successions=tuple(self.successions),
        )

    def card_list(self) -> tuple[RateCard, ...]:
        return tuple(sorted(self.cards.values(), key=lambda c: c.effective_from))
