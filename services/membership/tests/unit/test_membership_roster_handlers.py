"""Organisation, person and roster commands on an in-memory store: what they store and refuse."""

import asyncio
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

import pytest

from kernel.context import RequestContext, request_context
from kernel.errors import AlreadyExists, NotFound, PermissionDenied, RuleViolated
from kernel.events import RecordedEvent
from kernel.eventstore.memory import InMemoryEventStore
from membership.adapters.register_file import load_register
from membership.application.access import Caller
from membership.application.organisations import OrganisationCommands
from membership.application.rosters import RosterCommands
from membership.domain.bodies import Body, BodyKind
from membership.domain.organisation import NewOrganisation
from membership.domain.register import collaborative_id
from membership.domain.roster_rules import Span

APRIL = dt.date(2024, 4, 1)
BETSI = Caller("betsi", "health_board", "7A1")
HYWEL_DDA = Caller("hywel-dda", "health_board", "7A2")
NATIONAL = Caller("spcc", "national")
PC = "7A1-anglesey.community-pharmacy"


class RegisterBodies:
    """``Bodies`` from the packaged register, as the read model would answer after seeding."""

    def __init__(self) -> None:
        register = load_register()
        self._bodies: dict[str, Body] = {}
        for c in register.clusters:
            self._bodies[c.cluster_id] = Body(
                c.cluster_id, BodyKind.CLUSTER, c.health_board, c.pcpg_id, c.cluster_id
            )
            self._bodies[c.pcpg_id] = Body(c.pcpg_id, BodyKind.PCPG, c.health_board, c.pcpg_id)
            for p in register.professions:
                body_id = collaborative_id(c.cluster_id, p.code)
                self._bodies[body_id] = Body(
                    body_id, BodyKind.COLLABORATIVE, c.health_board, c.pcpg_id, c.cluster_id, p.code
                )

    async def find_body(self, body_id: str) -> Body | None:
        return self._bodies.get(body_id)

    def close(self, body_id: str, last_day: dt.date) -> None:
        """As a merge or split would: the body's last day was ``last_day``."""
        self._bodies[body_id] = replace(self._bodies[body_id], closed_on=last_day)


@dataclass
class Service:
    store: InMemoryEventStore
    bodies: RegisterBodies
    organisations: OrganisationCommands
    rosters: RosterCommands

    async def stored(self) -> int:
        return await self.store.last_position()


TODAY = dt.date(2025, 6, 1)


@pytest.fixture
def service() -> Service:
    store = InMemoryEventStore()
    bodies = RegisterBodies()
    organisations = OrganisationCommands(store, bodies, today=lambda: TODAY)
    return Service(store, bodies, organisations, RosterCommands(store, bodies, organisations))


def pharmacy(ods: str = "FW844", cluster: str = "7A1-anglesey") -> NewOrganisation:
    return NewOrganisation("Menai Pharmacy", "community_pharmacy", ods, cluster, False)


async def test_an_ods_code_belongs_to_one_organisation(service: Service) -> None:
    organisation_id, _ = await service.organisations.register_organisation(BETSI, pharmacy())
    assert await service.stored() == 2  # the code's claim, then the organisation
    with pytest.raises(AlreadyExists):
        await service.organisations.register_organisation(BETSI, pharmacy())
    assert await service.stored() == 2
    loaded = await service.organisations.organisations.load(organisation_id)
    assert loaded.facts is not None
    assert loaded.facts.pcpg_id == "7A1-isle-of-anglesey"


async def test_racing_registrations_of_one_code_store_one_organisation(service: Service) -> None:
    results = await asyncio.gather(
        *(service.organisations.register_organisation(BETSI, pharmacy()) for _ in range(4)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, AlreadyExists) for r in results) == 3
    assert await service.stored() == 2


async def test_a_retry_under_the_same_idempotency_key_registers_once(service: Service) -> None:
    context = RequestContext(idempotency_scope="betsi|RegisterOrganisation|key-1")
    with request_context(context):
        first = await service.organisations.register_organisation(BETSI, pharmacy())
        again = await service.organisations.register_organisation(BETSI, pharmacy())
        person = await service.organisations.register_person(BETSI, "Siân", None, None)
        person_again = await service.organisations.register_person(BETSI, "Siân", None, None)
    assert again[0] == first[0]
    assert person_again[0] == person[0]
    assert await service.stored() == 3


async def test_organisations_need_a_cluster_of_the_callers_board(service: Service) -> None:
    with pytest.raises(NotFound):
        await service.organisations.register_organisation(BETSI, pharmacy(cluster="7A1-nowhere"))
    with pytest.raises(NotFound):  # a PCPG is a body, but not a cluster
        await service.organisations.register_organisation(
            BETSI, pharmacy(cluster="7A1-isle-of-anglesey")
        )
    for caller in (HYWEL_DDA, NATIONAL):
        with pytest.raises(PermissionDenied):
            await service.organisations.register_organisation(caller, pharmacy())
    with pytest.raises(PermissionDenied):
        await service.organisations.register_person(NATIONAL, "Siân", None, None)
    assert await service.stored() == 0


async def test_no_organisation_registers_in_a_cluster_closed_before_today(
    service: Service,
) -> None:
    service.bodies.close("7A1-anglesey", TODAY - dt.timedelta(days=1))
    with pytest.raises(RuleViolated, match="closed on 2025-05-31") as refused:
        await service.organisations.register_organisation(BETSI, pharmacy())
    assert refused.value.reason == "BODY_CLOSED"
    assert await service.stored() == 0
    service.bodies.close("7A1-anglesey", TODAY)  # its last day: still open
    await service.organisations.register_organisation(BETSI, pharmacy())
    assert await service.stored() == 2  # the ODS code's claim, then the organisation


async def test_a_lead_is_enrolled_appointed_and_ended_with_their_membership(
    service: Service,
) -> None:
    workplace, _ = await service.organisations.register_organisation(BETSI, pharmacy())
    person, _ = await service.organisations.register_person(BETSI, "Siân", "Pharmacist", None)
    membership, _ = await service.rosters.enrol_member(
        BETSI, PC, person, "core", "Community Pharmacy PC Lead", workplace, APRIL
    )
    await service.rosters.appoint_lead(
        BETSI, PC, person, "collaborative_lead", Span(APRIL, None), workplace
    )
    await service.rosters.end_membership(BETSI, PC, membership, dt.date(2025, 3, 31))
    roster = await service.rosters.rosters.load(PC)
    assert [a.span.end for a in roster.appointments.values()] == [dt.date(2025, 3, 31)]
    events = await service.store.read_stream(f"roster-{PC}")
    assert [e.event_type.split(".")[1] for e in events] == [
        "MemberEnrolled",
        "LeadAppointed",
        "MembershipEnded",
        "AppointmentEnded",
    ]
    assert events[1].data["usual_workplace_health_board_salaried"] is False
    assert events[1].data["profession"] == "community-pharmacy"


async def test_roster_commands_refuse_unknown_things_and_other_boards(service: Service) -> None:
    person, _ = await service.organisations.register_person(BETSI, "Siân", None, None)
    stored = await service.stored()
    with pytest.raises(NotFound):
        await service.rosters.enrol_member(BETSI, "7A1-nowhere", person, "core", "R", None, APRIL)
    with pytest.raises(NotFound):
        await service.rosters.enrol_member(BETSI, PC, "p-unknown", "core", "R", None, APRIL)
    with pytest.raises(NotFound):
        await service.rosters.enrol_member(BETSI, PC, person, "core", "R", "o-unknown", APRIL)
    with pytest.raises(PermissionDenied):
        await service.rosters.enrol_member(HYWEL_DDA, PC, person, "core", "R", None, APRIL)
    with pytest.raises(RuleViolated):
        await service.rosters.appoint_lead(
            BETSI, "7A1-anglesey", person, "cluster_lead", Span(APRIL, None), None
        )
    with pytest.raises(NotFound):
        await service.rosters.end_membership(BETSI, PC, "m-unknown", APRIL)
    assert await service.stored() == stored


async def test_racing_enrolments_of_one_person_store_one(service: Service) -> None:
    person, _ = await service.organisations.register_person(BETSI, "Siân", None, None)
    results = await asyncio.gather(
        *(
            service.rosters.enrol_member(BETSI, PC, person, "core", "R", None, APRIL)
            for _ in range(3)
        ),
        return_exceptions=True,
    )
    assert sum(isinstance(r, AlreadyExists) for r in results) == 2
    assert len(await service.store.read_stream(f"roster-{PC}")) == 1


class _YieldingStore(InMemoryEventStore):
    """Lets other commands run between a command's read and its append, as Postgres does."""

    async def read_streams(self, known: Mapping[str, int]) -> dict[str, list[RecordedEvent]]:
        streams = await super().read_streams(known)
        await asyncio.sleep(0)
        return streams


async def test_enrolments_racing_for_one_roster_reload_it_and_all_land() -> None:
    store = _YieldingStore()
    bodies = RegisterBodies()
    organisations = OrganisationCommands(store, bodies, today=lambda: TODAY)
    rosters = RosterCommands(store, bodies, organisations)
    people = [(await organisations.register_person(BETSI, n, None, None))[0] for n in "ABC"]

    await asyncio.gather(
        *(rosters.enrol_member(BETSI, PC, p, "core", "R", None, APRIL) for p in people)
    )

    roster = await rosters.rosters.load(PC)
    assert roster.version == 3  # the losers reloaded the roster, not retried what they read


async def test_an_erased_person_keeps_their_facts_but_cannot_join_anything(
    service: Service,
) -> None:
    person, _ = await service.organisations.register_person(BETSI, "Siân", None, "s@example")
    await service.rosters.enrol_member(BETSI, PC, person, "core", "R", None, APRIL)
    await service.organisations.erase_person(BETSI, person)
    stored = await service.store.last_position()
    await service.organisations.erase_person(BETSI, person)  # a retry: nothing more
    assert await service.store.last_position() == stored
    with pytest.raises(RuleViolated, match="erased"):
        await service.rosters.enrol_member(BETSI, "7A1-anglesey", person, "core", "R", None, APRIL)
    with pytest.raises(PermissionDenied):
        await service.organisations.erase_person(NATIONAL, person)
    roster = await service.rosters.rosters.load(PC)
    assert [m.person_id for m in roster.memberships.values()] == [person]


async def test_roster_commands_rerun_under_one_idempotency_key_act_once(service: Service) -> None:
    """A retry whose first response was lost (the key's lease lapsed) runs again: still once."""
    person, _ = await service.organisations.register_person(BETSI, "Siân", None, None)
    workplace, _ = await service.organisations.register_organisation(BETSI, pharmacy())
    stored = await service.stored()
    with request_context(RequestContext(idempotency_scope="betsi|EnrolMember|k")):
        first = await service.rosters.enrol_member(BETSI, PC, person, "core", "R", None, APRIL)
        again = await service.rosters.enrol_member(BETSI, PC, person, "core", "R", None, APRIL)
    with request_context(RequestContext(idempotency_scope="betsi|AppointLead|k")):
        for _ in range(2):
            await service.rosters.appoint_lead(
                BETSI, PC, person, "collaborative_lead", Span(APRIL, None), workplace
            )
    assert again[0] == first[0]
    assert await service.stored() == stored + 2
