"""Organisations, people and rosters, rule by rule: given past events, when a command, then…"""

import datetime as dt

from kernel.errors import AlreadyExists, NotFound, RuleViolated, ValidationFailed
from kernel.testing.scenario import scenario
from membership.domain.bodies import Body, BodyKind, OrganisationFacts
from membership.domain.people_events import (
    AppointmentEnded,
    LeadAppointed,
    MemberEnrolled,
    MembershipEnded,
)
from membership.domain.roster import Roster
from membership.domain.roster_rules import Span, body_facts

APRIL = dt.date(2024, 4, 1)
MARCH = dt.date(2025, 3, 31)
ANGLESEY = Body("7A1-anglesey", BodyKind.CLUSTER, "7A1", "7A1-isle-of-anglesey", "7A1-anglesey")
PHARMACY_PC = Body(
    "7A1-anglesey.community-pharmacy",
    BodyKind.COLLABORATIVE,
    "7A1",
    "7A1-isle-of-anglesey",
    "7A1-anglesey",
    "community-pharmacy",
)
PCPG = Body("7A1-isle-of-anglesey", BodyKind.PCPG, "7A1", "7A1-isle-of-anglesey")
PHARMACY = OrganisationFacts(
    "o-1", "FW844", "community_pharmacy", "7A1-anglesey", "7A1-isle-of-anglesey", "7A1", False
)
ELSEWHERE = OrganisationFacts("o-2", None, "third_sector", "7A1-arfon", "7A1-gwynedd", "7A1", False)
BOARD_TEAM = OrganisationFacts(
    "o-3", None, "health_board_team", "7A1-arfon", "7A1-gwynedd", "7A1", True
)


def fields(error: Exception) -> set[str]:
    assert isinstance(error, ValidationFailed)
    return {v.field for v in error.violations}


def enrolled(
    person: str = "p-1", membership: str = "m-1", body: Body = PHARMACY_PC
) -> MemberEnrolled:
    return MemberEnrolled(
        **body_facts(body),
        membership_id=membership,
        person_id=person,
        kind="core",
        role_title="PC Lead",
        organisation_id=None,
        start_date=APRIL,
    )


def appointed(person: str = "p-1", end: dt.date | None = None) -> LeadAppointed:
    return LeadAppointed(
        **body_facts(PHARMACY_PC),
        appointment_id="a-1",
        person_id=person,
        role="collaborative_lead",
        start_date=APRIL,
        end_date=end,
        usual_workplace_id="o-1",
        usual_workplace_ods_code="FW844",
        usual_workplace_health_board_salaried=False,
    )


def test_enrolling_records_the_body_and_a_retry_with_the_same_id_does_nothing() -> None:
    scenario(Roster).when(
        lambda r: r.enrol(PHARMACY_PC, "m-1", "p-1", "core", "PC Lead", None, APRIL)
    ).then(enrolled())
    scenario(Roster).given(enrolled()).when(
        lambda r: r.enrol(PHARMACY_PC, "m-1", "p-1", "core", "PC Lead", None, APRIL)
    ).then()


def test_enrolling_someone_twice_over_overlapping_dates_already_exists() -> None:
    later = dt.date(2030, 1, 1)
    scenario(Roster).given(enrolled()).when(
        lambda r: r.enrol(PHARMACY_PC, "m-2", "p-1", "core", "PC Lead", None, later)
    ).then_raises(AlreadyExists)
    ended = MembershipEnded(
        body_id=PHARMACY_PC.body_id,
        health_board="7A1",
        membership_id="m-1",
        person_id="p-1",
        end_date=MARCH,
    )
    scenario(Roster).given(enrolled(), ended).when(
        lambda r: r.enrol(PHARMACY_PC, "m-2", "p-1", "core", "PC Lead", None, later)
    ).then(enrolled(membership="m-2").model_copy(update={"start_date": later}))


def test_an_enrolment_needs_a_known_kind_and_a_role_title() -> None:
    error = (
        scenario(Roster)
        .when(lambda r: r.enrol(PHARMACY_PC, "m-1", "p-1", "chair", "", None, APRIL))
        .then_raises(ValidationFailed)
    )
    assert fields(error) == {"kind", "role_title"}


def test_a_member_represents_only_an_organisation_in_the_bodys_footprint() -> None:
    error = (
        scenario(Roster)
        .when(lambda r: r.enrol(PHARMACY_PC, "m-1", "p-1", "core", "Rep", ELSEWHERE, APRIL))
        .then_raises(RuleViolated)
    )
    assert isinstance(error, RuleViolated)
    assert error.reason == "ORGANISATION_OUTSIDE_FOOTPRINT"
    for body, organisation in ((PHARMACY_PC, BOARD_TEAM), (PCPG, PHARMACY)):
        roster = Roster("roster-test")
        roster.enrol(body, "m-1", "p-1", "core", "Rep", organisation, APRIL)
        assert len(roster.pending_events) == 1


def test_ending_a_membership_ends_the_members_appointments_with_it() -> None:
    scenario(Roster).given(enrolled(), appointed()).when(
        lambda r: r.end_membership("m-1", MARCH)
    ).then(
        MembershipEnded(
            body_id=PHARMACY_PC.body_id,
            health_board="7A1",
            membership_id="m-1",
            person_id="p-1",
            end_date=MARCH,
        ),
        AppointmentEnded(
            body_id=PHARMACY_PC.body_id,
            health_board="7A1",
            appointment_id="a-1",
            person_id="p-1",
            role="collaborative_lead",
            end_date=MARCH,
        ),
    )


def test_a_membership_cannot_end_before_it_starts_or_twice() -> None:
    error = (
        scenario(Roster)
        .given(enrolled())
        .when(lambda r: r.end_membership("m-1", dt.date(2024, 3, 31)))
        .then_raises(ValidationFailed)
    )
    assert fields(error) == {"end_date"}
    scenario(Roster).given(enrolled()).when(lambda r: r.end_membership("m-9", MARCH)).then_raises(
        NotFound
    )
    ended = MembershipEnded(
        body_id=PHARMACY_PC.body_id,
        health_board="7A1",
        membership_id="m-1",
        person_id="p-1",
        end_date=MARCH,
    )
    scenario(Roster).given(enrolled(), ended).when(lambda r: r.end_membership("m-1", MARCH)).then()
    scenario(Roster).given(enrolled(), ended).when(
        lambda r: r.end_membership("m-1", APRIL)
    ).then_raises(RuleViolated, match="ended on")


def test_a_lead_carries_the_body_and_their_usual_workplace() -> None:
    scenario(Roster).given(enrolled()).when(
        lambda r: r.appoint(
            PHARMACY_PC, "a-1", "p-1", "collaborative_lead", Span(APRIL, None), PHARMACY
        )
    ).then(appointed())


def test_one_holder_of_a_lead_role_at_a_time() -> None:
    given = (enrolled(), enrolled("p-2", "m-2"), appointed(end=MARCH))
    error = (
        scenario(Roster)
        .given(*given)
        .when(
            lambda r: r.appoint(
                PHARMACY_PC, "a-2", "p-2", "collaborative_lead", Span(MARCH, None), PHARMACY
            )
        )
        .then_raises(RuleViolated)
    )
    assert isinstance(error, RuleViolated)
    assert error.reason == "LEAD_ROLE_TAKEN"
    after = dt.date(2025, 4, 1)
    roster = Roster.replay("roster-test", list(given))
    roster.appoint(PHARMACY_PC, "a-2", "p-2", "collaborative_lead", Span(after, None), PHARMACY)
    assert [type(e) for e in roster.pending_events] == [LeadAppointed]


def test_an_appointee_must_be_a_member_on_the_start_date() -> None:
    error = (
        scenario(Roster)
        .given(enrolled())
        .when(
            lambda r: r.appoint(PHARMACY_PC, "a-1", "p-2", "deputy_chair", Span(APRIL, None), None)
        )
        .then_raises(RuleViolated)
    )
    assert isinstance(error, RuleViolated)
    assert error.reason == "APPOINTEE_NOT_A_MEMBER"


def test_an_appointment_is_validated_against_the_kind_of_body() -> None:
    bad_span = Span(APRIL, dt.date(2024, 3, 1))
    error = (
        scenario(Roster)
        .given(enrolled())
        .when(lambda r: r.appoint(PHARMACY_PC, "a-1", "p-1", "collaborative_lead", bad_span, None))
        .then_raises(ValidationFailed)
    )
    assert fields(error) == {"end_date", "usual_workplace_id"}
    error = (
        scenario(Roster)
        .given(enrolled())
        .when(
            lambda r: r.appoint(PHARMACY_PC, "a-1", "p-1", "cluster_lead", Span(APRIL, None), None)
        )
        .then_raises(ValidationFailed)
    )
    assert fields(error) == {"role"}


def test_an_appointment_ends_or_has_its_planned_end_brought_forward() -> None:
    ended = AppointmentEnded(
        body_id=PHARMACY_PC.body_id,
        health_board="7A1",
        appointment_id="a-1",
        person_id="p-1",
        role="collaborative_lead",
        end_date=MARCH,
    )
    scenario(Roster).given(enrolled(), appointed()).when(
        lambda r: r.end_appointment("a-1", MARCH)
    ).then(ended)
    scenario(Roster).given(enrolled(), appointed(end=dt.date(2026, 3, 31))).when(
        lambda r: r.end_appointment("a-1", MARCH)
    ).then(ended)
    scenario(Roster).given(enrolled(), appointed(end=APRIL)).when(
        lambda r: r.end_appointment("a-1", MARCH)
    ).then_raises(RuleViolated)
    error = (
        scenario(Roster)
        .given(enrolled(), appointed())
        .when(lambda r: r.end_appointment("a-1", dt.date(2024, 1, 1)))
        .then_raises(ValidationFailed)
    )
    assert fields(error) == {"end_date"}
    scenario(Roster).when(lambda r: r.end_appointment("a-1", MARCH)).then_raises(NotFound)
