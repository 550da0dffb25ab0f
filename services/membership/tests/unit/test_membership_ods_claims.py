"""An ODS code claim whose organisation was never registered is finished, not stranded."""

import datetime as dt

import pytest

from kernel.errors import AlreadyExists
from kernel.eventstore.memory import InMemoryEventStore
from kernel.testing.scenario import scenario
from membership.application.access import Caller
from membership.application.organisations import OrganisationCommands
from membership.domain.organisation import NewOrganisation, OdsCodeIndex
from membership.domain.people_events import OdsCodeClaimed

from .test_membership_roster_handlers import RegisterBodies

BETSI = Caller("betsi", "health_board", "7A1")
PHARMACY = NewOrganisation("Menai Pharmacy", "community_pharmacy", "FW844", "7A1-anglesey", False)
CLAIMED = OdsCodeClaimed(ods_code="FW844", organisation_id="o-1")


def test_an_abandoned_claim_names_the_id_to_finish_it_under() -> None:
    scenario(OdsCodeIndex).given(CLAIMED).when(
        lambda i: i.claim("FW844", "o-2", abandoned=True)
    ).then()  # nothing recorded: the claim stands, for o-1
    assert (
        OdsCodeIndex.replay("ods-FW844", [CLAIMED]).claim("FW844", "o-2", abandoned=True) == "o-1"
    )
    scenario(OdsCodeIndex).given(CLAIMED).when(lambda i: i.claim("FW844", "o-2")).then_raises(
        AlreadyExists
    )


async def crashed_after_claiming(store: InMemoryEventStore) -> None:
    """The first half of a registration: the code claimed for o-1, which is never registered."""
    commands = OrganisationCommands(store, RegisterBodies())
    index = await commands.ods_codes.load("FW844")
    index.claim("FW844", "o-1")
    await commands.ods_codes.save(index)


async def test_a_registration_after_an_abandoned_claim_finishes_it() -> None:
    store = InMemoryEventStore()
    await crashed_after_claiming(store)
    commands = OrganisationCommands(store, RegisterBodies(), abandoned_after=dt.timedelta(0))
    organisation_id, _ = await commands.register_organisation(BETSI, PHARMACY)
    assert organisation_id == "o-1"
    assert (await commands.organisations.load("o-1")).facts is not None
    assert await store.last_position() == 2  # the old claim, and now its organisation
    with pytest.raises(AlreadyExists):  # finished: the code is taken for good
        await commands.register_organisation(BETSI, PHARMACY)
    assert await store.last_position() == 2


async def test_a_young_claim_may_be_a_registration_under_way_and_is_respected() -> None:
    store = InMemoryEventStore()
    await crashed_after_claiming(store)
    with pytest.raises(AlreadyExists):
        await OrganisationCommands(store, RegisterBodies()).register_organisation(BETSI, PHARMACY)
    assert await store.last_position() == 1


async def test_two_registrations_finishing_one_claim_differently_do_not_both_win() -> None:
    store = InMemoryEventStore()
    await crashed_after_claiming(store)
    commands = OrganisationCommands(store, RegisterBodies(), abandoned_after=dt.timedelta(0))
    await commands.register_organisation(BETSI, PHARMACY)
    other = NewOrganisation("Bangor Pharmacy", "community_pharmacy", "FW844", "7A1-arfon", False)
    arfon = await RegisterBodies().find_body("7A1-arfon")
    assert arfon is not None
    organisation = await commands.organisations.load("o-1")
    with pytest.raises(AlreadyExists):
        organisation.register("o-1", other, arfon)
