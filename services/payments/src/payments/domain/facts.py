"""What the accrual reads: meetings as they now stand, organisations, appointments, claims.

Plain values built by the adapters from payments' own projections of membership and meetings
events (and its own claims), so the accrual is a pure function of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

PRESENT = "present"


@dataclass(frozen=True, slots=True)
class Attendee:
    person_id: str
    status: str
    organisation_id: str | None
    held_lead_appointment: bool


@dataclass(frozen=True, slots=True)
class Meeting:
    """A meeting as it now stands (corrections applied); ``cancelled``: it pays nothing."""

    meeting_id: str
    body_id: str
    body_kind: str
    profession: str | None
    cluster_id: str | None
    health_board: str
    meeting_kind: str
    meeting_date: dt.date
    attendance: tuple[Attendee, ...]
    cancelled: bool = False

    def present(self) -> tuple[Attendee, ...]:
        return tuple(a for a in self.attendance if a.status == PRESENT)


@dataclass(frozen=True, slots=True)
class Organisation:
    organisation_id: str
    kind: str
    cluster_id: str
    health_board: str
    health_board_salaried: bool
    ods_code: str | None = None


@dataclass(frozen=True, slots=True)
class Appointment:
    """A lead appointment with its dates (``end_date`` inclusive, None: open-ended)."""

    appointment_id: str
    body_id: str
    body_kind: str
    cluster_id: str | None
    person_id: str
    role: str
    start_date: dt.date
    end_date: dt.date | None
    usual_workplace_id: str | None
    usual_workplace_salaried: bool | None

    def holds_on(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


@dataclass(frozen=True, slots=True)
class ApprovedClaim:
    """A claim the payee's board approved; ``half_days`` and ``rate_pence`` for sessional time."""

    claim_id: str
    rule_id: str
    payee: str
    health_board: str
    activity_date: dt.date
    half_days: int = 0
    rate_pence: int = 0
    cluster_id: str | None = None


@dataclass(frozen=True, slots=True)
class Succession:
    """A closed (merged or split) cluster carried on by ``successor_id`` from ``from_date``."""

    cluster_id: str
    successor_id: str
    from_date: dt.date


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything the accrual needs besides the cards."""

    meetings: tuple[Meeting, ...] = ()
    organisations: dict[str, Organisation] = field(default_factory=dict)
    appointments: tuple[Appointment, ...] = ()
    claims: tuple[ApprovedClaim, ...] = ()
    successions: tuple[Succession, ...] = ()

    def in_cluster(self, registered_in: str, cluster_id: str | None, day: dt.date) -> bool:
        """Whether an organisation registered in ``registered_in`` belongs to ``cluster_id``.

        On ``day``: its own cluster, or one that carried it on after a merge or split.
        """
        reached, frontier = {registered_in}, [registered_in]
        while frontier:
            current = frontier.pop()
            for s in self.successions:
                if s.cluster_id == current and s.from_date <= day and s.successor_id not in reached:
                    reached.add(s.successor_id)
                    frontier.append(s.successor_id)
        return cluster_id in reached

    def lead_appointment(
        self,
        person_id: str,
        day: dt.date,
        *,
        body_id: str | None = None,
        cluster_id: str | None = None,
    ) -> Appointment | None:
        """The lead appointment ``person_id`` held on ``day``.

        Of the body ``body_id``, or else of any collaborative of the cluster ``cluster_id``.
        """
        for appointment in self.appointments:
            if appointment.person_id != person_id or not appointment.holds_on(day):
                continue
            if body_id is not None and appointment.body_id == body_id:
                return appointment
            if (
                cluster_id is not None
                and appointment.body_kind == "collaborative"
                and appointment.role == "collaborative_lead"
                and appointment.cluster_id == cluster_id
            ):
                return appointment
        return None
