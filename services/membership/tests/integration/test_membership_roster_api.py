"""Organisations, people, members and leads end to end: real gRPC, PostgreSQL and Redis."""

import asyncio
from collections.abc import Awaitable

import grpc
import pytest
from grpc import aio

from clwstwr.membership.v1 import membership_service_pb2 as pb
from kernel.grpc.errors import error_reason
from kernel.personal_data import SealingEventStore, is_sealed
from kernel.personal_data.postgres import PostgresKeyVault
from kernel.testing.grpc import call_metadata
from membership.bootstrap import definition

from .conftest import Api
from .roster_steps import PC, enrol, register_person, register_pharmacy

pytestmark = pytest.mark.integration


async def test_an_ods_code_belongs_to_one_organisation(seeded: Api) -> None:
    await register_pharmacy(seeded, "FA101")
    stored = await seeded.stored()
    with pytest.raises(aio.AioRpcError) as refused:
        await register_pharmacy(seeded, "fa101")  # the same code, in lower case
    assert refused.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert await seeded.stored() == stored


async def test_racing_registrations_of_one_ods_code_register_one(seeded: Api) -> None:
    stored = await seeded.stored()
    results = await asyncio.gather(
        *(register_pharmacy(seeded, "FA103") for _ in range(3)), return_exceptions=True
    )
    refused = [r for r in results if isinstance(r, aio.AioRpcError)]
    assert [r.code() for r in refused] == [grpc.StatusCode.ALREADY_EXISTS] * 2
    assert await seeded.stored() == stored + 2  # one claim, one organisation


async def test_a_second_lead_over_overlapping_dates_is_refused(seeded: Api) -> None:
    workplace = await register_pharmacy(seeded, "FA102")
    first, second = await register_person(seeded, "Ann"), await register_person(seeded, "Bob")
    await enrol(seeded, first, workplace)
    await enrol(seeded, second, workplace)
    board = seeded.as_("board-7a1")

    def appoint(person: str, start: str, end: str = "") -> Awaitable[pb.AppointLeadResponse]:
        return seeded.stub.AppointLead(
            pb.AppointLeadRequest(
                body_id=PC,
                person_id=person,
                role="collaborative_lead",
                start_date=start,
                end_date=end,
                usual_workplace_id=workplace,
            ),
            metadata=board,
        )

    await appoint(first, "2024-04-01", "2025-03-31")
    stored = await seeded.stored()
    with pytest.raises(aio.AioRpcError) as refused:
        await appoint(second, "2025-01-01")
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_reason(refused.value) == "LEAD_ROLE_TAKEN"
    assert await seeded.stored() == stored
    await appoint(second, "2025-04-01")


async def test_members_are_listed_as_they_stood_on_a_date(seeded: Api) -> None:
    body = "7A1-anglesey.optometry"
    person = await register_person(seeded, "Carys Hughes")
    board = seeded.as_("board-7a1")
    membership = await seeded.stub.EnrolMember(
        pb.EnrolMemberRequest(
            body_id=body,
            person_id=person,
            kind="in_attendance",
            role_title="Third Sector representative",
            start_date="2024-04-01",
        ),
        metadata=board,
    )
    await seeded.stub.AppointLead(
        pb.AppointLeadRequest(
            body_id=body, person_id=person, role="deputy_chair", start_date="2024-06-01"
        ),
        metadata=board,
    )
    await seeded.stub.EndMembership(
        pb.EndMembershipRequest(
            body_id=body, membership_id=membership.membership_id, end_date="2025-03-31"
        ),
        metadata=board,
    )

    async def members_on(day: str) -> list[pb.Member]:
        page = await seeded.stub.ListMembers(
            pb.ListMembersRequest(body_id=body, as_of=day), metadata=seeded.as_("national")
        )
        return list(page.members)

    [before] = await members_on("2025-03-31")
    assert (before.person_name, before.role_title, before.end_date) == (
        "Carys Hughes",
        "Third Sector representative",
        "2025-03-31",
    )
    assert [(a.role, a.end_date) for a in before.appointments] == [("deputy_chair", "2025-03-31")]
    [early] = await members_on("2024-05-01")
    assert list(early.appointments) == []
    assert await members_on("2025-04-01") == []
    assert await members_on("2024-03-31") == []


async def test_members_page_through_in_order(seeded: Api) -> None:
    body = "7A1-anglesey.dental"
    for n in range(5):
        person = await register_person(seeded, f"Dentist {n}")
        await seeded.stub.EnrolMember(
            pb.EnrolMemberRequest(
                body_id=body, person_id=person, kind="core", role_title="D", start_date="2024-04-01"
            ),
            metadata=seeded.as_("board-7a1"),
        )
    seen: list[str] = []
    token = ""
    while True:
        page = await seeded.stub.ListMembers(
            pb.ListMembersRequest(body_id=body, as_of="2024-05-01", page_size=2, page_token=token),
            metadata=seeded.as_("board-7a1"),
        )
        seen.extend(m.membership_id for m in page.members)
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == 5
    assert seen == sorted(seen)


async def test_a_retried_command_with_the_same_idempotency_key_acts_once(seeded: Api) -> None:
    stored = await seeded.stored()
    person_key = call_metadata("board-7a1", idempotency_key="person-1")
    request = pb.RegisterPersonRequest(name="Dafydd", role_title="Practice Manager")
    first = await seeded.stub.RegisterPerson(request, metadata=person_key)
    again = await seeded.stub.RegisterPerson(request, metadata=person_key)
    assert again.person_id == first.person_id
    enrol_key = call_metadata("board-7a1", idempotency_key="enrol-1")
    enrolment = pb.EnrolMemberRequest(
        body_id="7A1-anglesey",
        person_id=first.person_id,
        kind="core",
        role_title="Practice manager",
        start_date="2024-04-01",
    )
    enrolled = await seeded.stub.EnrolMember(enrolment, metadata=enrol_key)
    enrolled_again = await seeded.stub.EnrolMember(enrolment, metadata=enrol_key)
    assert enrolled_again.membership_id == enrolled.membership_id
    assert await seeded.stored() == stored + 2
    got = await seeded.stub.GetPerson(
        pb.GetPersonRequest(person_id=first.person_id), metadata=seeded.as_("national")
    )
    assert (got.person.name, got.person.role_title, got.person.contact) == (
        "Dafydd",
        "Practice Manager",
        "",
    )


async def test_an_erased_person_stays_a_member_without_their_name(seeded: Api) -> None:
    body = "7A1-anglesey.social-care"
    person = await register_person(seeded, "Elin Morgan")
    await seeded.stub.EnrolMember(
        pb.EnrolMemberRequest(
            body_id=body, person_id=person, kind="core", role_title="S", start_date="2024-04-01"
        ),
        metadata=seeded.as_("board-7a1"),
    )
    await seeded.stub.ErasePerson(
        pb.ErasePersonRequest(person_id=person), metadata=seeded.as_("board-7a1")
    )
    got = await seeded.stub.GetPerson(
        pb.GetPersonRequest(person_id=person), metadata=seeded.as_("national")
    )
    assert (got.person.name, got.person.erased) == ("", True)
    page = await seeded.stub.ListMembers(
        pb.ListMembersRequest(body_id=body, as_of="2024-05-01"), metadata=seeded.as_("national")
    )
    assert [(m.person_id, m.person_name) for m in page.members] == [(person, "")]


async def test_erasure_shreds_the_name_everywhere_the_event_went(seeded: Api) -> None:
    person = await register_person(seeded, "Gwenllian Prys")
    got = await seeded.stub.GetPerson(
        pb.GetPersonRequest(person_id=person), metadata=seeded.as_("national")
    )
    assert got.person.name == "Gwenllian Prys"  # the service opens what it sealed
    # What is stored (and so relayed to the broker and served by the EventFeed) is sealed.
    [stored] = await seeded.service.store.read_stream(f"person-{person}")
    assert is_sealed(stored.data["name"])
    assert "Gwenllian" not in str(stored.data)

    await seeded.stub.ErasePerson(
        pb.ErasePersonRequest(person_id=person), metadata=seeded.as_("board-7a1")
    )

    keys = await seeded.service.pool.fetchrow(
        f"SELECT key, forgotten_at FROM {seeded.service.settings.service_name}"
        ".personal_data_keys WHERE subject = $1",
        person,
    )
    assert keys is not None
    assert (keys["key"], keys["forgotten_at"] is not None) == (None, True)
    own_view = SealingEventStore(
        seeded.service.store,
        PostgresKeyVault(seeded.service.pool, seeded.service.settings.service_name),
        definition().personal_data,
    )
    registered, erased = await own_view.read_stream(f"person-{person}")
    assert registered.data["name"] is None
    assert erased.event_type == "membership.PersonErased"
