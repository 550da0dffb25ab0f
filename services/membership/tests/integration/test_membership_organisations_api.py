"""Reading organisations over gRPC: one by id, pages filtered by board, cluster and kind."""

import grpc
import pytest
from grpc import aio

from clwstwr.membership.v1 import membership_service_pb2 as pb
from kernel.grpc.errors import field_violations

from .conftest import Api
from .roster_steps import register_pharmacy

pytestmark = pytest.mark.integration


async def register(api: Api, token: str, cluster_id: str, kind: str, name: str) -> str:
    answer = await api.stub.RegisterOrganisation(
        pb.RegisterOrganisationRequest(name=name, kind=kind, cluster_id=cluster_id),
        metadata=api.as_(token),
    )
    return answer.organisation_id


async def test_organisations_are_read_by_id_and_listed_by_page_and_filter(seeded: Api) -> None:
    pharmacies = {await register_pharmacy(seeded, f"FA{n:03d}") for n in range(3)}
    third_sector = await register(seeded, "board-7a1", "7A1-arfon", "third_sector", "Mind Arfon")
    ceredigion = await register(
        seeded, "board-7a2", "7A2-north-ceredigion", "health_board_team", "Cluster team"
    )
    got = await seeded.stub.GetOrganisation(
        pb.GetOrganisationRequest(organisation_id=min(pharmacies)),
        metadata=seeded.as_("board-7a1"),
    )
    assert (got.organisation.kind, got.organisation.profession) == (
        "community_pharmacy",
        "community-pharmacy",
    )
    assert got.organisation.ods_code.startswith("FA")
    national = seeded.as_("national")
    listed, token = [], ""
    while True:
        page = await seeded.stub.ListOrganisations(
            pb.ListOrganisationsRequest(page_size=2, page_token=token), metadata=national
        )
        listed += [o.id for o in page.organisations]
        token = page.next_page_token
        if not token:
            break
    assert listed == sorted(pharmacies | {third_sector, ceredigion})
    in_anglesey = await seeded.stub.ListOrganisations(
        pb.ListOrganisationsRequest(cluster_id="7A1-anglesey", kind="community_pharmacy"),
        metadata=national,
    )
    assert {o.id for o in in_anglesey.organisations} == pharmacies
    own = await seeded.stub.ListOrganisations(
        pb.ListOrganisationsRequest(), metadata=seeded.as_("board-7a2")
    )
    assert [o.id for o in own.organisations] == [ceredigion]


async def test_a_board_reads_only_its_own_organisations(seeded: Api) -> None:
    arfon = await register(seeded, "board-7a1", "7A1-arfon", "other", "Arfon Forum")
    hywel_dda = seeded.as_("board-7a2")
    for call in (
        seeded.stub.GetOrganisation(
            pb.GetOrganisationRequest(organisation_id=arfon), metadata=hywel_dda
        ),
        seeded.stub.ListOrganisations(
            pb.ListOrganisationsRequest(health_board="7A1"), metadata=hywel_dda
        ),
    ):
        with pytest.raises(aio.AioRpcError) as refused:
            await call
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED


@pytest.mark.parametrize(
    ("call", "request_message", "expected"),
    [
        ("GetOrganisation", pb.GetOrganisationRequest(), {"organisation_id"}),
        (
            "ListOrganisations",
            pb.ListOrganisationsRequest(health_board="7A9", cluster_id="Arfon", kind="spa"),
            {"health_board", "cluster_id", "kind"},
        ),
        ("ListOrganisations", pb.ListOrganisationsRequest(page_size=101), {"page_size"}),
    ],
)
async def test_bad_reads_name_their_fields(
    seeded: Api, call: str, request_message: object, expected: set[str]
) -> None:
    with pytest.raises(aio.AioRpcError) as refused:
        await getattr(seeded.stub, call)(request_message, metadata=seeded.as_("national"))
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert {v.field for v in field_violations(refused.value)} == expected


async def test_an_unknown_organisation_is_not_found(seeded: Api) -> None:
    with pytest.raises(aio.AioRpcError) as refused:
        await seeded.stub.GetOrganisation(
            pb.GetOrganisationRequest(organisation_id="nobody"), metadata=seeded.as_("national")
        )
    assert refused.value.code() == grpc.StatusCode.NOT_FOUND
