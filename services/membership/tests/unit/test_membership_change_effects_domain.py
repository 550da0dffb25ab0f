"""What a decided merge or split does: to each cluster's stream, and to the closed bodies."""

import pytest

from kernel.errors import RuleViolated
from kernel.testing.scenario import scenario
from membership.domain.bodies import Body, BodyKind, require_open_on
from membership.domain.change_effects import affected_cluster_ids, carry_out
from membership.domain.change_events import ClusterClosed
from membership.domain.cluster import Cluster
from membership.domain.events import ClusterEstablished, CollaborativeEstablished
from membership.domain.people_events import MemberEnrolled
from membership.domain.roster import Roster
from membership.domain.roster_rules import Span, body_facts

from .test_membership_register_changes_domain import APRIL, EVE, LATER, MERGED, reason

ESTABLISHED = ClusterEstablished(
    cluster_id="7A1-north-mon",
    health_board="7A1",
    name="North Môn",
    name_cy=None,
    local_authority="Isle of Anglesey",
    population=None,
    pcpg_id="7A1-isle-of-anglesey",
    pcpg_name="Isle of Anglesey PCPG",
    established_on=APRIL,
)
DENTAL = CollaborativeEstablished(
    collaborative_id="7A1-north-mon.dental",
    cluster_id="7A1-north-mon",
    health_board="7A1",
    profession="dental",
    established_on=APRIL,
)
CLOSED = ClusterClosed(
    cluster_id="7A1-north-mon",
    health_board="7A1",
    pcpg_id="7A1-isle-of-anglesey",
    closed_on=EVE,
    reason="merged",
    change_id=MERGED.change_id,
    successor_cluster_ids=("7A1-mon",),
    collaborative_ids=("7A1-north-mon.dental",),
)


def test_carrying_a_merge_out_closes_the_merged_and_establishes_the_new() -> None:
    assert affected_cluster_ids(MERGED) == ("7A1-north-mon", "7A1-south-mon", "7A1-mon")
    scenario(Cluster).given(ESTABLISHED, DENTAL).when(
        lambda c: carry_out(MERGED, c, "7A1-north-mon")
    ).then(CLOSED)
    scenario(Cluster).given(ESTABLISHED, DENTAL, CLOSED).when(
        lambda c: carry_out(MERGED, c, "7A1-north-mon")
    ).then()  # carried out already
    new = (
        scenario(Cluster)
        .when(lambda c: carry_out(MERGED, c, "7A1-mon"))
        .then(
            ClusterEstablished(
                cluster_id="7A1-mon",
                health_board="7A1",
                name="Môn",
                name_cy="Môn",
                local_authority="Isle of Anglesey",
                population=69000,
                pcpg_id="7A1-isle-of-anglesey",
                pcpg_name="Isle of Anglesey PCPG",
                established_on=LATER,
            ),
            *(
                CollaborativeEstablished(
                    collaborative_id=f"7A1-mon.{p}",
                    cluster_id="7A1-mon",
                    health_board="7A1",
                    profession=p,
                    established_on=LATER,
                )
                for p in ("dental", "general-practice")
            ),
        )
    )
    assert new.facts().established_on == LATER


def test_a_survivor_gains_the_collaboratives_it_lacked_from_the_merge() -> None:
    survived = MERGED.model_copy(update={"into_cluster_id": "7A1-north-mon", "new_cluster": None})
    scenario(Cluster).given(ESTABLISHED, DENTAL).when(
        lambda c: carry_out(survived, c, "7A1-north-mon")
    ).then(
        CollaborativeEstablished(
            collaborative_id="7A1-north-mon.general-practice",
            cluster_id="7A1-north-mon",
            health_board="7A1",
            profession="general-practice",
            established_on=LATER,
        )
    )


def test_a_closed_cluster_is_renamed_only_up_to_its_last_day() -> None:
    error = (
        scenario(Cluster)
        .given(ESTABLISHED, CLOSED)
        .when(lambda c: c.rename("Gogledd Môn", None, LATER))
        .then_raises(RuleViolated)
    )
    assert reason(error) == "CLUSTER_CLOSED"
    scenario(Cluster).given(ESTABLISHED, CLOSED).when(
        lambda c: c.close("split:other", "split", EVE, ())
    ).then_raises(RuleViolated)


def test_nothing_starts_in_a_closed_body_after_its_last_day() -> None:
    body = Body("7A1-north-mon", BodyKind.CLUSTER, "7A1", "7A1-isle-of-anglesey", closed_on=EVE)
    require_open_on(body, EVE, "start_date")
    with pytest.raises(RuleViolated, match="start_date"):
        require_open_on(body, LATER, "start_date")


def test_a_closed_body_takes_no_new_members_or_leads_after_its_last_day() -> None:
    closed = Body(
        "7A1-north-mon.dental",
        BodyKind.COLLABORATIVE,
        "7A1",
        "7A1-isle-of-anglesey",
        "7A1-north-mon",
        "dental",
        closed_on=EVE,
    )
    error = (
        scenario(Roster)
        .when(lambda r: r.enrol(closed, "m-1", "p-1", "core", "Dentist", None, LATER))
        .then_raises(RuleViolated)
    )
    assert reason(error) == "BODY_CLOSED"
    scenario(Roster).when(
        lambda r: r.enrol(closed, "m-1", "p-1", "core", "Dentist", None, APRIL)
    ).then(
        MemberEnrolled(
            **body_facts(closed),
            membership_id="m-1",
            person_id="p-1",
            kind="core",
            role_title="Dentist",
            organisation_id=None,
            start_date=APRIL,
        )
    )
    error = (
        scenario(Roster)
        .when(lambda r: r.appoint(closed, "a-1", "p-1", "deputy_chair", Span(LATER, None), None))
        .then_raises(RuleViolated)
    )
    assert reason(error) == "BODY_CLOSED"
