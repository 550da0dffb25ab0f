"""Registers of interests and terms of reference through the real gRPC API, on Postgres + Redis."""

from collections.abc import Awaitable

import grpc
import pytest
from grpc import aio

from clwstwr.membership.v1 import membership_service_pb2 as pb
from kernel.grpc.errors import field_violations
from kernel.testing.grpc import call_metadata

from .conftest import Api
from .roster_steps import PC, enrol, register_person

pytestmark = pytest.mark.integration


def fields(error: aio.AioRpcError) -> set[str]:
    return {v.field for v in field_violations(error)}


async def refused(api: Api, call: Awaitable[object]) -> aio.AioRpcError:
    """Await a call that must fail, and check it stored nothing."""
    stored = await api.stored()
    with pytest.raises(aio.AioRpcError) as error:
        await call
    assert await api.stored() == stored
    return error.value


async def declare(api: Api, person: str, declared_on: str = "2024-06-01") -> str:
    answer = await api.stub.DeclareInterest(
        pb.DeclareInterestRequest(
            body_id=PC,
            person_id=person,
            kind="financial",
            description="Director, Menai Pharmacy Ltd",
            declared_on=declared_on,
        ),
        metadata=api.as_("board-7a1"),
    )
    return answer.interest_id


async def listed(api: Api, as_of: str, who: str = "national") -> list[pb.Interest]:
    answer = await api.stub.ListInterests(
        pb.ListInterestsRequest(body_id=PC, as_of=as_of), metadata=api.as_(who)
    )
    return list(answer.interests)


async def test_a_declaration_shows_until_the_day_it_is_withdrawn(seeded: Api) -> None:
    person = await register_person(seeded, "Siân Jones")
    await enrol(seeded, person)
    interest = await declare(seeded, person)
    await seeded.stub.WithdrawInterest(
        pb.WithdrawInterestRequest(body_id=PC, interest_id=interest, withdrawn_on="2025-01-01"),
        metadata=seeded.as_("board-7a1"),
    )
    assert [i.id for i in await listed(seeded, "2024-05-31")] == []
    [shown] = await listed(seeded, "2024-12-31", who="board-7a1")
    assert (shown.id, shown.person_name, shown.kind) == (interest, "Siân Jones", "financial")
    assert (shown.declared_on, shown.withdrawn_on) == ("2024-06-01", "2025-01-01")
    assert await listed(seeded, "2025-01-01") == []
    again = await refused(
        seeded,
        seeded.stub.WithdrawInterest(
            pb.WithdrawInterestRequest(body_id=PC, interest_id=interest, withdrawn_on="2025-02-01"),
            metadata=seeded.as_("board-7a1"),
        ),
    )
    assert again.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_a_retried_declaration_acts_once_and_erasure_forgets_what_was_declared(
    seeded: Api,
) -> None:
    person = await register_person(seeded, "Rhys Owen")
    await enrol(seeded, person)
    request = pb.DeclareInterestRequest(
        body_id=PC,
        person_id=person,
        kind="indirect",
        description="Brother owns Owen's Pharmacy",
        declared_on="2031-01-01",
    )
    key = call_metadata("board-7a1", idempotency_key="declare-rhys-1")
    first = await seeded.stub.DeclareInterest(request, metadata=key)
    stored = await seeded.stored()
    again = await seeded.stub.DeclareInterest(request, metadata=key)
    assert again.interest_id == first.interest_id
    assert await seeded.stored() == stored
    await seeded.stub.ErasePerson(
        pb.ErasePersonRequest(person_id=person), metadata=seeded.as_("board-7a1")
    )
    [shown] = [i for i in await listed(seeded, "2031-01-01") if i.person_id == person]
    assert (shown.id, shown.kind, shown.declared_on) == (
        first.interest_id,
        "indirect",
        "2031-01-01",
    )
    assert (shown.person_name, shown.description) == ("", "")


async def test_declarations_page(seeded: Api) -> None:
    person = await register_person(seeded, "Ifan Morgan")
    await enrol(seeded, person)
    declared = {await declare(seeded, person, "2030-01-01") for _ in range(3)}
    board, seen, token, pages = seeded.as_("board-7a1"), [], "", 0
    while pages == 0 or token:
        page = await seeded.stub.ListInterests(
            pb.ListInterestsRequest(body_id=PC, as_of="2030-01-01", page_size=2, page_token=token),
            metadata=board,
        )
        assert len(page.interests) <= 2
        seen += [i.id for i in page.interests]
        token, pages = page.next_page_token, pages + 1
    assert pages >= 2
    assert len(seen) == len(set(seen))
    assert set(seen) >= declared


async def test_interest_refusals_name_fields_and_store_nothing(seeded: Api) -> None:
    person = await register_person(seeded, "Gwen Evans")
    await enrol(seeded, person)
    interest = await declare(seeded, person)
    board = seeded.as_("board-7a1")
    bad = await refused(
        seeded,
        seeded.stub.DeclareInterest(
            pb.DeclareInterestRequest(
                body_id=PC, person_id=person, kind="gift", declared_on="2024-06-01"
            ),
            metadata=board,
        ),
    )
    assert bad.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert fields(bad) == {"kind", "description"}
    early = await refused(
        seeded,
        seeded.stub.WithdrawInterest(
            pb.WithdrawInterestRequest(body_id=PC, interest_id=interest, withdrawn_on="2024-05-01"),
            metadata=board,
        ),
    )
    assert early.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert fields(early) == {"withdrawn_on"}
    before_membership = await refused(
        seeded,
        seeded.stub.DeclareInterest(
            pb.DeclareInterestRequest(
                body_id=PC,
                person_id=person,
                kind="indirect",
                description="x",
                declared_on="2024-03-01",
            ),
            metadata=board,
        ),
    )
    assert before_membership.code() == grpc.StatusCode.FAILED_PRECONDITION
    unknown = await refused(
        seeded,
        seeded.stub.WithdrawInterest(
            pb.WithdrawInterestRequest(body_id=PC, interest_id="i-none", withdrawn_on="2025-01-01"),
            metadata=board,
        ),
    )
    assert unknown.code() == grpc.StatusCode.NOT_FOUND
    other_board = seeded.as_("board-7a2")
    withdrawal = pb.WithdrawInterestRequest(
        body_id=PC, interest_id=interest, withdrawn_on="2025-01-01"
    )
    denied = await refused(seeded, seeded.stub.WithdrawInterest(withdrawal, metadata=other_board))
    assert denied.code() == grpc.StatusCode.PERMISSION_DENIED
    listing = pb.ListInterestsRequest(body_id=PC)
    denied = await refused(seeded, seeded.stub.ListInterests(listing, metadata=other_board))
    assert denied.code() == grpc.StatusCode.PERMISSION_DENIED


async def review(api: Api, reviewed_on: str, quorum: int, who: str = "board-7a1") -> None:
    await api.stub.RecordTermsOfReferenceReview(
        pb.RecordTermsOfReferenceReviewRequest(
            body_id="7A1-anglesey",
            reviewed_on=reviewed_on,
            quorum=pb.QuorumRule(minimum_core_members=quorum),
        ),
        metadata=api.as_(who),
    )


async def terms(api: Api, as_of: str) -> pb.GetTermsOfReferenceResponse:
    return await api.stub.GetTermsOfReference(
        pb.GetTermsOfReferenceRequest(body_id="7A1-anglesey", as_of=as_of),
        metadata=api.as_("national"),
    )


async def test_terms_of_reference_by_date_and_an_overdue_review(seeded: Api) -> None:
    await review(seeded, "2024-04-01", 6)
    await review(seeded, "2025-04-01", 7, who="operator")
    first = await terms(seeded, "2025-03-31")
    assert (first.quorum.minimum_core_members, first.last_reviewed_on) == (6, "2024-04-01")
    assert (first.reviewed_by, first.next_review_due) == ("7A1-isle-of-anglesey", "2025-04-01")
    assert not first.review_overdue
    late = await terms(seeded, "2026-04-02")
    assert (late.quorum.minimum_core_members, late.last_reviewed_on) == (7, "2025-04-01")
    assert late.review_overdue
    missing = await refused(seeded, terms(seeded, "2024-03-31"))
    assert missing.code() == grpc.StatusCode.NOT_FOUND


async def test_terms_refusals_name_fields_and_store_nothing(seeded: Api) -> None:
    bad = await refused(
        seeded,
        seeded.stub.RecordTermsOfReferenceReview(
            pb.RecordTermsOfReferenceReviewRequest(
                body_id="7A1-anglesey", reviewed_on="2024-04-01", reviewed_by="7A1-gwynedd"
            ),
            metadata=seeded.as_("board-7a1"),
        ),
    )
    assert bad.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert fields(bad) == {"quorum.minimum_core_members", "reviewed_by"}
    undated = await refused(
        seeded,
        seeded.stub.RecordTermsOfReferenceReview(
            pb.RecordTermsOfReferenceReviewRequest(body_id="7A1-anglesey"),
            metadata=seeded.as_("board-7a1"),
        ),
    )
    assert fields(undated) == {"reviewed_on"}
    for token in ("board-7a2", "national"):
        denied = await refused(seeded, review(seeded, "2024-04-01", 6, who=token))
        assert denied.code() == grpc.StatusCode.PERMISSION_DENIED
    unknown = await refused(
        seeded,
        seeded.stub.GetTermsOfReference(
            pb.GetTermsOfReferenceRequest(body_id="7A1-nowhere"), metadata=seeded.as_("national")
        ),
    )
    assert unknown.code() == grpc.StatusCode.NOT_FOUND
