"""Registering organisations (with unique ODS codes) and people.

An organisation with an ODS code takes two appends, since the store appends one stream per
call: first the code's index stream ``ods-<code>`` is claimed expecting it not to exist, then
the organisation is created. A retry under the same idempotency key derives the same
organisation id, so it finds its own claim and its own organisation and adds nothing. A claim
left by a process that died before creating its organisation names an id that was never
registered: once it is older than ``ABANDONED_AFTER`` (far longer than a registration takes),
the next registration of the code, with or without a key, registers under that id, so the code
is never stranded. A younger claim may be a registration still under way, so it is respected:
of racing registrations exactly one wins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial

from kernel.calendar import london_today
from kernel.errors import NotFound
from kernel.eventstore.port import EventStore
from kernel.ids import new_id
from kernel.repository import AggregateRepository, retry_on_conflict
from membership.application.access import Caller
from membership.application.roster_ports import Bodies
from membership.domain.bodies import BodyKind, require_open_on
from membership.domain.events import EVENTS
from membership.domain.organisation import NewOrganisation, OdsCodeIndex, Organisation
from membership.domain.person import Person

ABANDONED_AFTER = dt.timedelta(minutes=2)
"""How old an ODS code claim without its organisation must be to count as abandoned."""


class OrganisationCommands:
    """The command side of organisations and people, over any ``EventStore``."""

    def __init__(
        self,
        store: EventStore,
        bodies: Bodies,
        abandoned_after: dt.timedelta = ABANDONED_AFTER,
        today: Callable[[], dt.date] = london_today,
    ) -> None:
        self._store = store
        self._abandoned_after = abandoned_after
        self._today = today
        self.organisations = AggregateRepository(
            store, Organisation, EVENTS, "organisation", cache_size=10_000
        )
        self.ods_codes = AggregateRepository(store, OdsCodeIndex, EVENTS, "ods")
        # Every enrolment and appointment checks its person: kept, a check reads nothing new
        # (``Person`` holds no personal data, so erasure leaves no copy in memory).
        self.people = AggregateRepository(store, Person, EVENTS, "person", cache_size=20_000)
        self._bodies = bodies

    async def register_organisation(self, caller: Caller, new: NewOrganisation) -> tuple[str, int]:
        """Register an organisation in a cluster; return its id and the store position.

        Raises:
            ValidationFailed: a bad name, kind or ODS code for the kind.
            NotFound: no such cluster.
            PermissionDenied: the cluster is another board's.
            RuleViolated: ``BODY_CLOSED``, the cluster was merged or split before today (an
                organisation registers in the cluster that carries on from it).
            AlreadyExists: another organisation has the ODS code.
        """
        new.validate()
        cluster = await self._bodies.find_body(new.cluster_id)
        if cluster is None or cluster.kind is not BodyKind.CLUSTER:
            raise NotFound(f"no cluster {new.cluster_id!r}")
        caller.require_change(cluster.health_board)
        require_open_on(cluster, self._today(), "cluster_id")
        organisation_id = new_id("organisation")
        if new.ods_code is not None:
            organisation_id = await retry_on_conflict(
                partial(self._claim, new.ods_code, organisation_id)
            )

        attempts = 0

        async def attempt() -> int:
            nonlocal attempts
            attempts += 1
            # The id is new (or an abandoned claim's, never registered): read it only if the
            # first save found the stream taken.
            organisation = (
                self.organisations.new(organisation_id)
                if attempts == 1
                else await self.organisations.load(organisation_id)
            )
            organisation.register(organisation_id, new, cluster)
            saved = await self.organisations.save(organisation)
            return saved.positions[-1] if saved else 0

        return organisation_id, await retry_on_conflict(attempt)

    async def _claim(self, ods_code: str, organisation_id: str) -> str:
        """Claim the code; the id to register as (an abandoned claim's, to finish it)."""
        index = await self.ods_codes.load(ods_code)
        holder = index.organisation_id
        abandoned = holder not in (None, organisation_id) and await self._abandoned(ods_code)
        chosen = index.claim(ods_code, organisation_id, abandoned=abandoned)
        await self.ods_codes.save(index)
        return chosen

    async def _abandoned(self, ods_code: str) -> bool:
        """Whether the code's claim is old and its organisation was never registered."""
        [claimed] = await self._store.read_stream(self.ods_codes.stream_id(ods_code))
        holder = await self.organisations.load(claimed.data["organisation_id"])
        age = dt.datetime.now(dt.UTC) - claimed.recorded_at
        return not holder.exists and age >= self._abandoned_after

    async def register_person(
        self, caller: Caller, name: str, role_title: str | None, contact: str | None
    ) -> tuple[str, int]:
        """Register a person; return the new id and the store position."""
        caller.require_writer()
        person_id = new_id("person")
        person = self.people.new(person_id)
        person.register(person_id, name, role_title, contact)
        saved = await self.people.save(person)
        return person_id, saved.positions[-1] if saved else 0

    async def erase_person(self, caller: Caller, person_id: str) -> int:
        """Erase a person's personal fields (a tombstone); return the store position.

        Memberships and appointments stay, as facts about an erased person: meetings and
        payments that refer to them must still add up.
        """
        caller.require_writer()

        async def attempt() -> int:
            person = await self.people.load(person_id)
            person.erase(person_id)
            saved = await self.people.save(person)
            return saved.positions[-1] if saved else 0

        return await retry_on_conflict(attempt)
