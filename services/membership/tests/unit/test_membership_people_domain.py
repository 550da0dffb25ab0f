"""Organisations and people, rule by rule: given past events, when a command, then events."""

import datetime as dt

import pytest

from kernel.errors import AlreadyExists, NotFound, ValidationFailed
from kernel.testing.scenario import scenario
from membership.domain.bodies import Body, BodyKind
from membership.domain.organisation import NewOrganisation, OdsCodeIndex, Organisation
from membership.domain.people_events import (
    OdsCodeClaimed,
    OrganisationRegistered,
    PersonErased,
    PersonRegistered,
)
from membership.domain.person import Person

ANGLESEY = Body("7A1-anglesey", BodyKind.CLUSTER, "7A1", "7A1-isle-of-anglesey", "7A1-anglesey")
APRIL = dt.date(2024, 4, 1)


def fields(error: Exception) -> set[str]:
    assert isinstance(error, ValidationFailed)
    return {v.field for v in error.violations}


def test_an_ods_code_is_claimed_once_and_a_repeat_claim_is_harmless() -> None:
    claimed = OdsCodeClaimed(ods_code="W91016", organisation_id="o-1")
    scenario(OdsCodeIndex).when(lambda i: i.claim("W91016", "o-1")).then(claimed)
    scenario(OdsCodeIndex).given(claimed).when(lambda i: i.claim("W91016", "o-1")).then()
    scenario(OdsCodeIndex).given(claimed).when(lambda i: i.claim("W91016", "o-9")).then_raises(
        AlreadyExists
    )


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        (NewOrganisation("Surgery", "gp_practice", "F1234", "7A1-anglesey", False), {"ods_code"}),
        (NewOrganisation("Surgery", "gp_practice", "W9101", "7A1-anglesey", False), {"ods_code"}),
        (
            NewOrganisation("Chemist", "community_pharmacy", "W91016", "7A1-anglesey", False),
            {"ods_code"},
        ),
        (NewOrganisation("", "spa", None, "Anglesey", False), {"name", "kind", "cluster_id"}),
    ],
)
def test_organisations_are_validated_by_the_kinds_table(
    new: NewOrganisation, expected: set[str]
) -> None:
    error = (
        scenario(Organisation)
        .when(lambda o: o.register("o-1", new, ANGLESEY))
        .then_raises(ValidationFailed)
    )
    assert fields(error) == expected


def test_an_organisation_takes_its_profession_from_its_kind_and_its_pcpg_from_its_cluster() -> None:
    new = NewOrganisation("Menai Pharmacy", "community_pharmacy", "FW844", "7A1-anglesey", False)
    registered = OrganisationRegistered(
        organisation_id="o-1",
        ods_code="FW844",
        name="Menai Pharmacy",
        kind="community_pharmacy",
        profession="community-pharmacy",
        cluster_id="7A1-anglesey",
        pcpg_id="7A1-isle-of-anglesey",
        health_board="7A1",
        health_board_salaried=False,
    )
    scenario(Organisation).when(lambda o: o.register("o-1", new, ANGLESEY)).then(registered)
    scenario(Organisation).given(registered).when(lambda o: o.register("o-1", new, ANGLESEY)).then()


def test_a_person_needs_a_name_and_is_registered_once() -> None:
    error = (
        scenario(Person)
        .when(lambda p: p.register("p-1", " ", "", None))
        .then_raises(ValidationFailed)
    )
    assert fields(error) == {"name", "role_title"}
    registered = PersonRegistered(person_id="p-1", name="Siân", role_title=None, contact=None)
    scenario(Person).when(lambda p: p.register("p-1", "Siân", None, None)).then(registered)
    scenario(Person).given(registered).when(lambda p: p.register("p-1", "Siân", None, None)).then()


def test_erasing_a_person_leaves_a_tombstone_once() -> None:
    registered = PersonRegistered(person_id="p-1", name="Siân", role_title=None, contact="x@y")
    erased = PersonErased(person_id="p-1")
    person = scenario(Person).given(registered).when(lambda p: p.erase("p-1")).then(erased)
    assert person.erased
    assert not hasattr(person, "name")  # no personal data held: a repository may cache it
    scenario(Person).given(registered, erased).when(lambda p: p.erase("p-1")).then()
    scenario(Person).when(lambda p: p.erase("p-1")).then_raises(NotFound)
