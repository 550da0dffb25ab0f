"""Interest and terms-of-reference commands on an in-memory store: what they store and refuse."""

import datetime as dt
from dataclasses import dataclass

import pytest

from kernel.context import RequestContext, request_context
from kernel.errors import NotFound, PermissionDenied, RuleViolated, ValidationFailed
from kernel.eventstore.memory import InMemoryEventStore
from membership.application.access import Caller
from membership.application.governance import GovernanceCommands
from membership.application.organisations import OrganisationCommands
from membership.application.rosters import RosterCommands
from membership.domain.bodies import Body, BodyKind
from membership.domain.terms import Review

APRIL = dt.date(2024, 4, 1)
BETSI = Caller("betsi", "health_board", "7A1")
HYWEL_DDA = Caller("hywel-dda", "health_board", "7A2")
NATIONAL = Caller("spcc", "national")
OPERATOR = Caller("ops", "operator")
ANGLESEY = Body("7A1-anglesey", BodyKind.CLUSTER, "7A1", "7A1-isle-of-anglesey", "7A1-anglesey")


class TwoBodies:
    """``Bodies`` knowing one cluster and its PCPG, as the read model would after seeding."""

    async def find_body(self, body_id: str) -> Body | None:
        pcpg = Body("7A1-isle-of-anglesey", BodyKind.PCPG, "7A1", "7A1-isle-of-anglesey")
        return {b.body_id: b for b in (ANGLESEY, pcpg)}.get(body_id)


@dataclass
class Service:
    store: InMemoryEventStore
    organisations: OrganisationCommands
    rosters: RosterCommands
    governance: GovernanceCommands

    async def stored(self) -> int:
        return await self.store.last_position()

    async def member(self) -> str:
        person, _ = await self.organisations.register_person(BETSI, "Siân", None, None)
        await self.rosters.enrol_member(
            BETSI, ANGLESEY.body_id, person, "core", "Third Sector rep", None, APRIL
        )
        return person


@pytest.fixture
def service() -> Service:
    store = InMemoryEventStore()
    bodies = TwoBodies()
    organisations = OrganisationCommands(store, bodies)
    rosters = RosterCommands(store, bodies, organisations)
    return Service(store, organisations, rosters, GovernanceCommands(store, rosters))


async def test_a_member_declares_and_withdraws_an_interest(service: Service) -> None:
    person = await service.member()
    interest, _ = await service.governance.declare_interest(
        BETSI, ANGLESEY.body_id, person, "non_financial_personal", "Trustee, Môn Cares", APRIL
    )
    await service.governance.withdraw_interest(
        BETSI, ANGLESEY.body_id, interest, dt.date(2025, 1, 1)
    )
    register = await service.governance.interests.load(ANGLESEY.body_id)
    assert register.stream_id == "interests-7A1-anglesey"
    assert register.interests[interest].withdrawn_on == dt.date(2025, 1, 1)
    with pytest.raises(RuleViolated):
        await service.governance.withdraw_interest(BETSI, ANGLESEY.body_id, interest, APRIL)


async def test_declarations_are_refused_before_anything_is_stored(service: Service) -> None:
    person = await service.member()
    stranger, _ = await service.organisations.register_person(BETSI, "Ifan", None, None)
    stored = await service.stored()
    body = ANGLESEY.body_id
    with pytest.raises(ValidationFailed):
        await service.governance.declare_interest(BETSI, body, person, "gift", "", APRIL)
    with pytest.raises(NotFound):
        await service.governance.declare_interest(
            BETSI, "7A1-nowhere", person, "indirect", "x", APRIL
        )
    with pytest.raises(NotFound):
        await service.governance.declare_interest(BETSI, body, "p-none", "indirect", "x", APRIL)
    with pytest.raises(RuleViolated, match="not a member"):
        await service.governance.declare_interest(BETSI, body, stranger, "indirect", "x", APRIL)
    with pytest.raises(RuleViolated, match="not a member"):
        await service.governance.declare_interest(
            BETSI, body, person, "indirect", "x", dt.date(2024, 3, 31)
        )
    for caller in (HYWEL_DDA, NATIONAL):
        with pytest.raises(PermissionDenied):
            await service.governance.declare_interest(caller, body, person, "indirect", "x", APRIL)
    with pytest.raises(NotFound):
        await service.governance.withdraw_interest(BETSI, body, "i-none", APRIL)
    assert await service.stored() == stored


async def test_a_retried_declaration_under_one_idempotency_key_declares_once(
    service: Service,
) -> None:
    person = await service.member()
    stored = await service.stored()
    with request_context(RequestContext(idempotency_scope="betsi|DeclareInterest|k-1")):
        first = await service.governance.declare_interest(
            BETSI, ANGLESEY.body_id, person, "financial", "Shares", APRIL
        )
        again = await service.governance.declare_interest(
            BETSI, ANGLESEY.body_id, person, "financial", "Shares", APRIL
        )
    assert again[0] == first[0]
    assert await service.stored() == stored + 1


async def test_only_the_bodys_board_or_an_operator_records_a_review(service: Service) -> None:
    body = ANGLESEY.body_id
    for caller in (HYWEL_DDA, NATIONAL):
        with pytest.raises(PermissionDenied):
            await service.governance.record_review(caller, body, APRIL, 6, None)
    with pytest.raises(ValidationFailed):
        await service.governance.record_review(BETSI, body, APRIL, 0, "7A1-gwynedd")
    assert await service.stored() == 0
    await service.governance.record_review(BETSI, body, APRIL, 6, None)
    await service.governance.record_review(BETSI, body, APRIL, 6, "7A1-isle-of-anglesey")
    next_year = dt.date(2025, 4, 1)
    await service.governance.record_review(OPERATOR, body, next_year, 7, None)
    assert await service.stored() == 2
    terms = await service.governance.terms.load(body)
    assert terms.stream_id == "terms-7A1-anglesey"
    assert terms.in_force(next_year) == Review(next_year, "7A1-isle-of-anglesey", 7)
