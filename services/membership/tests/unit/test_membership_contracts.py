"""Every stored membership event validates against its published contract (no drift)."""

import datetime as dt

import pytest

from contracts import membership as published
from kernel.aggregate import DomainEvent
from kernel.testing.contracts import assert_stored_json_matches_contract, recorded
from membership.domain.change_events import (
    ClusterClosed,
    ClustersMerged,
    ClusterSplit,
    NewClusterFacts,
)
from membership.domain.events import (
    EVENTS,
    ClusterEstablished,
    ClusterRenamed,
    CollaborativeEstablished,
    HealthBoardRegistered,
)
from membership.domain.governance_events import (
    InterestDeclared,
    InterestWithdrawn,
    TermsOfReferenceReviewed,
)
from membership.domain.pcpg import PcpgEstablished
from membership.domain.people_events import (
    AppointmentEnded,
    LeadAppointed,
    MemberEnrolled,
    MembershipEnded,
    OdsCodeClaimed,
    OrganisationRegistered,
    PersonErased,
    PersonRegistered,
)

DAY = dt.date(2024, 4, 1)
LATER = dt.date(2025, 4, 1)
BODY = {
    "body_id": "7A3-neath.community-pharmacy",
    "body_kind": "collaborative",
    "health_board": "7A3",
    "cluster_id": "7A3-neath",
    "pcpg_id": "7A3-swansea-bay",
    "profession": "community-pharmacy",
}
SAMPLES: list[DomainEvent] = [
    HealthBoardRegistered(ods_code="7A3", name="Swansea Bay", name_cy="Bae Abertawe"),
    ClusterEstablished(
        cluster_id="7A3-neath",
        health_board="7A3",
        name="Neath",
        name_cy=None,
        local_authority="Neath Port Talbot",
        population=None,
        pcpg_id="7A3-swansea-bay",
        pcpg_name="Swansea Bay PCPG",
        established_on=DAY,
    ),
    ClusterRenamed(
        cluster_id="7A3-neath",
        health_board="7A3",
        name="Castell-nedd",
        name_cy="Castell-nedd",
        effective_from=DAY,
    ),
    CollaborativeEstablished(
        collaborative_id="7A3-neath.dental",
        cluster_id="7A3-neath",
        health_board="7A3",
        profession="dental",
        established_on=DAY,
    ),
    PcpgEstablished(
        pcpg_id="7A3-swansea-bay", health_board="7A3", name="Swansea Bay PCPG", established_on=DAY
    ),
    ClustersMerged(
        change_id="merge:7A3-neath-port-talbot:2025-04-01",
        health_board="7A3",
        pcpg_id="7A3-swansea-bay",
        pcpg_name="Swansea Bay PCPG",
        merged_cluster_ids=("7A3-neath", "7A3-afan"),
        into_cluster_id="7A3-neath-port-talbot",
        new_cluster=NewClusterFacts(
            cluster_id="7A3-neath-port-talbot",
            name="Neath Port Talbot",
            name_cy="Castell-nedd Port Talbot",
            local_authority="Neath Port Talbot",
            population=None,
        ),
        professions=("dental", "general-practice"),
        effective_from=LATER,
        closed_on=LATER - dt.timedelta(days=1),
    ),
    ClustersMerged(
        change_id="merge:7A3-neath:2025-04-01",
        health_board="7A3",
        pcpg_id="7A3-swansea-bay",
        pcpg_name="Swansea Bay PCPG",
        merged_cluster_ids=("7A3-neath", "7A3-afan"),
        into_cluster_id="7A3-neath",
        new_cluster=None,
        professions=("dental",),
        effective_from=LATER,
        closed_on=LATER - dt.timedelta(days=1),
    ),
    ClusterSplit(
        change_id="split:7A3-neath:2025-04-01",
        health_board="7A3",
        pcpg_id="7A3-swansea-bay",
        pcpg_name="Swansea Bay PCPG",
        cluster_id="7A3-neath",
        into=(
            NewClusterFacts(
                cluster_id="7A3-neath-north",
                name="Neath North",
                name_cy=None,
                local_authority="Neath Port Talbot",
                population=40000,
            ),
            NewClusterFacts(
                cluster_id="7A3-neath-south",
                name="Neath South",
                name_cy=None,
                local_authority="Neath Port Talbot",
                population=None,
            ),
        ),
        professions=("dental",),
        effective_from=LATER,
        closed_on=LATER - dt.timedelta(days=1),
    ),
    ClusterClosed(
        cluster_id="7A3-neath",
        health_board="7A3",
        pcpg_id="7A3-swansea-bay",
        closed_on=LATER - dt.timedelta(days=1),
        reason="split",
        change_id="split:7A3-neath:2025-04-01",
        successor_cluster_ids=("7A3-neath-north", "7A3-neath-south"),
        collaborative_ids=("7A3-neath.dental",),
    ),
    OdsCodeClaimed(ods_code="FW844", organisation_id="o-1"),
    OrganisationRegistered(
        organisation_id="o-1",
        ods_code="FW844",
        name="Neath Pharmacy",
        kind="community_pharmacy",
        profession="community-pharmacy",
        cluster_id="7A3-neath",
        pcpg_id="7A3-swansea-bay",
        health_board="7A3",
        health_board_salaried=False,
    ),
    PersonRegistered(person_id="p-1", name="Siân Jones", role_title=None, contact=None),
    PersonErased(person_id="p-1"),
    MemberEnrolled(
        **BODY,
        membership_id="m-1",
        person_id="p-1",
        kind="core",
        role_title="Community Pharmacy PC Lead",
        organisation_id="o-1",
        start_date=DAY,
    ),
    MembershipEnded(
        body_id="7A3-neath.community-pharmacy",
        health_board="7A3",
        membership_id="m-1",
        person_id="p-1",
        end_date=DAY,
    ),
    LeadAppointed(
        **BODY,
        appointment_id="a-1",
        person_id="p-1",
        role="collaborative_lead",
        start_date=DAY,
        end_date=None,
        usual_workplace_id="o-1",
        usual_workplace_ods_code="FW844",
        usual_workplace_health_board_salaried=False,
    ),
    AppointmentEnded(
        body_id="7A3-neath.community-pharmacy",
        health_board="7A3",
        appointment_id="a-1",
        person_id="p-1",
        role="collaborative_lead",
        end_date=DAY,
    ),
    InterestDeclared(
        **BODY,
        interest_id="i-1",
        person_id="p-1",
        kind="financial",
        description="Director, Neath Pharmacy Ltd",
        declared_on=DAY,
    ),
    InterestWithdrawn(
        body_id="7A3-neath.community-pharmacy",
        health_board="7A3",
        interest_id="i-1",
        person_id="p-1",
        withdrawn_on=DAY,
    ),
    TermsOfReferenceReviewed(
        **BODY,
        reviewed_on=DAY,
        reviewed_by="7A3-swansea-bay",
        quorum_minimum_core_members=4,
    ),
]


def test_every_event_type_has_a_sample_and_a_contract() -> None:
    stored = {type(s).event_type for s in SAMPLES}
    assert stored == {e.event_type for e in published.EVENTS}
    assert all(EVENTS.decode(recorded(s)) == s for s in SAMPLES)


@pytest.mark.parametrize(
    "event", SAMPLES, ids=[f"{n}-{type(e).__name__}" for n, e in enumerate(SAMPLES)]
)
def test_the_stored_json_validates_against_the_contract(event: DomainEvent) -> None:
    assert_stored_json_matches_contract(event, published.EVENTS)
