"""Enrolling members of bodies and appointing their leads, on the body's roster aggregate.

Each command checks its input's shape, then that the body, person and organisations exist,
then the caller's right to change the body's board, then the roster's rules; concurrent writers
to one roster are retried with ``retry_on_conflict``, each retry re-checking the rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from kernel.errors import NotFound, RuleViolated
from kernel.eventstore.port import EventStore
from kernel.ids import new_id
from kernel.repository import AggregateRepository, Loading, known_versions, retry_on_conflict
from membership.application.access import Caller
from membership.application.organisations import OrganisationCommands
from membership.application.roster_ports import Bodies
from membership.domain.bodies import Body, OrganisationFacts
from membership.domain.events import EVENTS
from membership.domain.person import Person
from membership.domain.roster import Roster
from membership.domain.roster_rules import Span, check_enrolment


class RosterCommands:
    """The command side of memberships and appointments, over any ``EventStore``."""

    def __init__(
        self, store: EventStore, bodies: Bodies, organisations: OrganisationCommands
    ) -> None:
        # Rosters are read by every enrolment and appointment and grow with the body: the
        # cache reads only what was stored since (one per body of Wales fits).
        self.rosters = AggregateRepository(store, Roster, EVENTS, "roster", cache_size=1024)
        self._store = store
        self._bodies = bodies
        self._organisations = organisations

    async def enrol_member(
        self,
        caller: Caller,
        body_id: str,
        person_id: str,
        kind: str,
        role_title: str,
        organisation_id: str | None,
        start: dt.date,
    ) -> tuple[str, int]:
        """Enrol a person in a body; return the membership id and the store position."""
        check_enrolment(kind, role_title)
        body = await self.changeable_body(caller, body_id)
        organisation, next_roster = await self._load(body_id, person_id, organisation_id)
        membership_id = new_id("membership")

        async def attempt() -> int:
            roster = await next_roster()
            roster.enrol(body, membership_id, person_id, kind, role_title, organisation, start)
            return await self._save(roster)

        return membership_id, await retry_on_conflict(attempt)

    async def end_membership(
        self, caller: Caller, body_id: str, membership_id: str, end: dt.date
    ) -> int:
        """End a membership (and the member's appointments in the body) on ``end``."""
        await self.changeable_body(caller, body_id)

        async def attempt() -> int:
            roster = await self.rosters.load(body_id)
            roster.end_membership(membership_id, end)
            return await self._save(roster)

        return await retry_on_conflict(attempt)

    async def appoint_lead(
        self,
        caller: Caller,
        body_id: str,
        person_id: str,
        role: str,
        span: Span,
        usual_workplace_id: str | None,
    ) -> tuple[str, int]:
        """Appoint a member to a lead role; return the appointment id and the store position."""
        body = await self.changeable_body(caller, body_id)
        workplace, next_roster = await self._load(body_id, person_id, usual_workplace_id)
        appointment_id = new_id("appointment")

        async def attempt() -> int:
            roster = await next_roster()
            roster.appoint(body, appointment_id, person_id, role, span, workplace)
            return await self._save(roster)

        return appointment_id, await retry_on_conflict(attempt)

    async def end_appointment(
        self, caller: Caller, body_id: str, appointment_id: str, end: dt.date
    ) -> int:
        """End a lead appointment on ``end``."""
        await self.changeable_body(caller, body_id)

        async def attempt() -> int:
            roster = await self.rosters.load(body_id)
            roster.end_appointment(appointment_id, end)
            return await self._save(roster)

        return await retry_on_conflict(attempt)

    async def _save(self, roster: Roster) -> int:
        saved = await self.rosters.save(roster)
        return saved.positions[-1] if saved else 0

    async def changeable_body(self, caller: Caller, body_id: str) -> Body:
        body = await self._bodies.find_body(body_id)
        if body is None:
            raise NotFound(f"no body {body_id!r}")
        caller.require_change(body.health_board)
        return body

    async def require_person(self, person_id: str) -> None:
        people = self._organisations.people
        people.keep(_require_standing(person_id, await people.load(person_id)))

    async def _load(
        self, body_id: str, person_id: str, organisation_id: str | None
    ) -> tuple[OrganisationFacts | None, Callable[[], Awaitable[Roster]]]:
        """Check the person and the organisation, and read the roster, in one store read.

        Returns the organisation's facts and where each attempt gets its roster: the one read
        here first, then (after losing a version race) the roster as stored by then.
        """
        people, organisations = self._organisations.people, self._organisations.organisations
        roster_loading, person_loading = self.rosters.begin(body_id), people.begin(person_id)
        organisation_loading = (
            None if organisation_id is None else organisations.begin(organisation_id)
        )
        wanted: list[Loading[Any]] = [roster_loading, person_loading]
        if organisation_loading is not None:
            wanted.append(organisation_loading)
        streams = await self._store.read_streams(known_versions(*wanted))
        roster = roster_loading.finish(streams)
        # Only checked, not changed: handed back for the next command's check.
        people.keep(_require_standing(person_id, person_loading.finish(streams)))
        facts = None
        if organisation_loading is not None:
            organisation = organisation_loading.finish(streams)
            facts = organisation.facts
            if facts is None:
                raise NotFound(f"no organisation {organisation_id!r}")
            organisations.keep(organisation)
        unused = [roster]

        async def next_roster() -> Roster:
            return unused.pop() if unused else await self.rosters.load(body_id)

        return facts, next_roster


def _require_standing(person_id: str, person: Person) -> Person:
    """``person``, unless never registered or erased."""
    if not person.exists:
        raise NotFound(f"no person {person_id!r}")
    if person.erased:
        raise RuleViolated("PERSON_ERASED", f"{person_id} has been erased")
    return person
