"""What the roster's commands and queries need from outside: bodies, people, members."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from kernel.paging import PageRequest
from membership.application.organisation_ports import OrganisationQueries
from membership.domain.bodies import Body


class Bodies(Protocol):
    """Finds the bodies of the register (clusters, collaboratives, PCPGs) by id."""

    async def find_body(self, body_id: str) -> Body | None: ...


@dataclass(frozen=True, slots=True)
class PersonView:
    person_id: str
    name: str
    role_title: str | None
    contact: str | None
    erased: bool


@dataclass(frozen=True, slots=True)
class AppointmentView:
    appointment_id: str
    role: str
    start_date: dt.date
    end_date: dt.date | None
    usual_workplace_id: str | None


@dataclass(frozen=True, slots=True)
class MemberView:
    """A membership as it stood on a date, with the member's appointments in force then."""

    membership_id: str
    person_id: str
    person_name: str
    kind: str
    role_title: str
    organisation_id: str | None
    organisation_name: str | None
    start_date: dt.date
    end_date: dt.date | None
    appointments: tuple[AppointmentView, ...]


class RosterQueries(OrganisationQueries, Protocol):
    """The roster's read model. Lists fetch ``page.size + 1`` items in key order."""

    async def get_person(self, person_id: str) -> PersonView | None: ...

    async def body_members(
        self, body_id: str, as_of: dt.date, page: PageRequest
    ) -> tuple[Body, list[MemberView]] | None:
        """The body and a page of its members on ``as_of``, read together; None: no such body."""
        ...
