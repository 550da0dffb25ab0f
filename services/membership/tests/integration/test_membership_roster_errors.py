"""The roster's API refusals: bad fields, unknown ids, other boards; nothing stored on error."""

from collections.abc import Awaitable

import grpc
import pytest
from grpc import aio

from clwstwr.membership.v1 import membership_service_pb2 as pb
from kernel.grpc.errors import field_violations

from .conftest import Api
from .roster_steps import PC, enrol, register_person

pytestmark = pytest.mark.integration


def fields(error: aio.AioRpcError) -> set[str]:
    return {v.field for v in field_violations(error)}


@pytest.mark.parametrize(
    ("call", "request_message", "expected"),
    [
        (
            "RegisterOrganisation",
            pb.RegisterOrganisationRequest(
                name="Surgery", kind="gp_practice", ods_code="W123", cluster_id="7A1-anglesey"
            ),
            {"ods_code"},
        ),
        (
            "RegisterOrganisation",
            pb.RegisterOrganisationRequest(name=" ", kind="spa", cluster_id="7A1-anglesey"),
            {"name", "kind"},
        ),
        ("RegisterOrganisation", pb.RegisterOrganisationRequest(name="X"), {"cluster_id"}),
        ("RegisterPerson", pb.RegisterPersonRequest(name=""), {"name"}),
        ("GetPerson", pb.GetPersonRequest(), {"person_id"}),
        ("EnrolMember", pb.EnrolMemberRequest(start_date="2024-04-01"), {"body_id", "person_id"}),
        (
            "EnrolMember",
            pb.EnrolMemberRequest(body_id=PC, person_id="p", start_date="1 April"),
            {"start_date"},
        ),
        (
            "AppointLead",
            pb.AppointLeadRequest(
                body_id=PC, person_id="p", start_date="2024-04-01", end_date="2024-13-01"
            ),
            {"end_date"},
        ),
        ("EndMembership", pb.EndMembershipRequest(body_id=PC, membership_id="m"), {"end_date"}),
        ("ListMembers", pb.ListMembersRequest(body_id=PC, page_size=500), {"page_size"}),
    ],
)
async def test_bad_input_is_refused_with_its_fields_and_stores_nothing(
    seeded: Api, call: str, request_message: object, expected: set[str]
) -> None:
    stored = await seeded.stored()
    with pytest.raises(aio.AioRpcError) as refused:
        await getattr(seeded.stub, call)(request_message, metadata=seeded.as_("board-7a1"))
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert fields(refused.value) == expected
    assert await seeded.stored() == stored


async def test_rules_that_need_stored_facts_refuse_with_fields_and_store_nothing(
    seeded: Api,
) -> None:
    person = await register_person(seeded, "Gwen Evans")
    membership = await enrol(seeded, person)
    stored = await seeded.stored()
    board = seeded.as_("board-7a1")
    with pytest.raises(aio.AioRpcError) as refused:
        await seeded.stub.EndMembership(
            pb.EndMembershipRequest(body_id=PC, membership_id=membership, end_date="2024-03-31"),
            metadata=board,
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert fields(refused.value) == {"end_date"}
    with pytest.raises(aio.AioRpcError) as refused:
        await seeded.stub.AppointLead(
            pb.AppointLeadRequest(
                body_id=PC, person_id=person, role="collaborative_lead", start_date="2024-04-01"
            ),
            metadata=board,
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert fields(refused.value) == {"usual_workplace_id"}
    with pytest.raises(aio.AioRpcError) as refused:
        await enrol(seeded, person)
    assert refused.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert await seeded.stored() == stored


async def test_unknown_things_are_not_found(seeded: Api) -> None:
    person = await register_person(seeded, "Huw Owen")
    calls: list[Awaitable[object]] = [
        seeded.stub.RegisterOrganisation(
            pb.RegisterOrganisationRequest(name="X", kind="other", cluster_id="7A1-nowhere"),
            metadata=seeded.as_("board-7a1"),
        ),
        seeded.stub.GetPerson(
            pb.GetPersonRequest(person_id="nobody"), metadata=seeded.as_("national")
        ),
        seeded.stub.EnrolMember(
            pb.EnrolMemberRequest(
                body_id="7A1-anglesey.astrology",
                person_id=person,
                kind="core",
                role_title="R",
                start_date="2024-04-01",
            ),
            metadata=seeded.as_("board-7a1"),
        ),
        seeded.stub.EnrolMember(
            pb.EnrolMemberRequest(
                body_id=PC, person_id="nobody", kind="core", role_title="R", start_date="2024-04-01"
            ),
            metadata=seeded.as_("board-7a1"),
        ),
        seeded.stub.ListMembers(
            pb.ListMembersRequest(body_id="7A1-nowhere"), metadata=seeded.as_("national")
        ),
        seeded.stub.ErasePerson(
            pb.ErasePersonRequest(person_id="nobody"), metadata=seeded.as_("board-7a1")
        ),
    ]
    for call in calls:
        with pytest.raises(aio.AioRpcError) as refused:
            await call
        assert refused.value.code() == grpc.StatusCode.NOT_FOUND


async def test_a_board_acts_only_on_its_own_bodies(seeded: Api) -> None:
    person = await register_person(seeded, "Rhys Price")
    hywel_dda = seeded.as_("board-7a2")
    stored = await seeded.stored()
    denied: list[Awaitable[object]] = [
        seeded.stub.RegisterOrganisation(
            pb.RegisterOrganisationRequest(name="X", kind="other", cluster_id="7A1-anglesey"),
            metadata=hywel_dda,
        ),
        seeded.stub.EnrolMember(
            pb.EnrolMemberRequest(
                body_id=PC, person_id=person, kind="core", role_title="R", start_date="2024-04-01"
            ),
            metadata=hywel_dda,
        ),
        seeded.stub.ListMembers(pb.ListMembersRequest(body_id=PC), metadata=hywel_dda),
        seeded.stub.ErasePerson(
            pb.ErasePersonRequest(person_id=person), metadata=seeded.as_("national")
        ),
        seeded.stub.RegisterPerson(
            pb.RegisterPersonRequest(name="X"), metadata=seeded.as_("national")
        ),
    ]
    for call in denied:
        with pytest.raises(aio.AioRpcError) as refused:
            await call
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert await seeded.stored() == stored
