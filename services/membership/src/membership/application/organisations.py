"""Registering organisations (with unique ODS codes) and people.

An organisation with an ODS code takes two appends, since the store appends one stream per
call: first the code's index stream ``ods-<code>`` is claimed expecting it not to exist, then
the organisation is created. A retry under the same idempotency key derives the same
organisation id, so it finds its own claim and its own organisation and adds nothing.
"""

from __future__ import annotations

from functools import partial

from kernel.errors import NotFound
from kernel.eventstore.port import EventStore
from kernel.repository import AggregateRepository, retry_on_conflict
from membership.application.access import Caller
from membership.application.ids import new_id
from membership.application.roster_ports import Bodies
from membership.domain.bodies import BodyKind
from membership.domain.events import EVENTS
from membership.domain.organisation import NewOrganisation, OdsCodeIndex, Organisation
from membership.domain.person import Person


class OrganisationCommands:
    """The command side of organisations and people, over any ``EventStore``."""

    def __init__(self, store: EventStore, bodies: Bodies) -> None:
        self.organisations = AggregateRepository(store, Organisation, EVENTS, "organisation")
        self.ods_codes = AggregateRepository(store, OdsCodeIndex, EVENTS, "ods")
        self.people = AggregateRepository(store, Person, EVENTS, "person")
        self._bodies = bodies

    async def register_organisation(self, caller: Caller, new: NewOrganisation) -> tuple[str, int]:
        """Register an organisation in a cluster; return its id and the store position.

        Raises:
            ValidationFailed: a bad name, kind or ODS code for the kind.
            NotFound: no such cluster.
            PermissionDenied: the cluster is another board's.
            AlreadyExists: another organisation has the ODS code.
        """
        new.validate()
        cluster = await self._bodies.find_body(new.cluster_id)
        if cluster is None or cluster.kind is not BodyKind.CLUSTER:
            raise NotFound(f"no cluster {new.cluster_id!r}")
        caller.require_change(cluster.health_board)
        organisation_id = new_id("organisation")
        if new.ods_code is not None:
            await retry_on_conflict(partial(self._claim, new.ods_code, organisation_id))
        organisation = await self.organisations.load(organisation_id)
        organisation.register(organisation_id, new, cluster)
        saved = await self.organisations.save(organisation)
        return organisation_id, saved.positions[-1] if saved else 0

    async def _claim(self, ods_code: str, organisation_id: str) -> None:
        index = await self.ods_codes.load(ods_code)
        index.claim(ods_code, organisation_id)
        await self.ods_codes.save(index)

    async def register_person(
        self, caller: Caller, name: str, role_title: str | None, contact: str | None
    ) -> tuple[str, int]:
        """Register a person; return the new id and the store position."""
        caller.require_writer()
        person_id = new_id("person")
        person = await self.people.load(person_id)
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
