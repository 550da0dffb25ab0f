"""Steps the roster's API tests share: register a person or pharmacy, enrol a member."""

from clwstwr.membership.v1 import membership_service_pb2 as pb

from .conftest import Api

PC = "7A1-anglesey.community-pharmacy"


async def register_person(api: Api, name: str) -> str:
    answer = await api.stub.RegisterPerson(
        pb.RegisterPersonRequest(name=name), metadata=api.as_("board-7a1")
    )
    return answer.person_id


async def register_pharmacy(api: Api, ods_code: str) -> str:
    answer = await api.stub.RegisterOrganisation(
        pb.RegisterOrganisationRequest(
            name=f"Pharmacy {ods_code}",
            kind="community_pharmacy",
            ods_code=ods_code,
            cluster_id="7A1-anglesey",
        ),
        metadata=api.as_("board-7a1"),
    )
    return answer.organisation_id


async def enrol(api: Api, person_id: str, organisation_id: str = "") -> str:
    answer = await api.stub.EnrolMember(
        pb.EnrolMemberRequest(
            body_id=PC,
            person_id=person_id,
            kind="core",
            role_title="Community pharmacist",
            organisation_id=organisation_id,
            start_date="2024-04-01",
        ),
        metadata=api.as_("board-7a1"),
    )
    return answer.membership_id
