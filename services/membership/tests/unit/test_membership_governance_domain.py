"""Registers of interests and terms of reference, rule by rule: given events, when, then…"""

import datetime as dt

import pytest

from kernel.errors import AlreadyExists, NotFound, RuleViolated, ValidationFailed
from kernel.testing.scenario import scenario
from membership.domain.bodies import Body, BodyKind
from membership.domain.governance_events import (
    InterestDeclared,
    InterestWithdrawn,
    TermsOfReferenceReviewed,
)
from membership.domain.interests import Interest, InterestRegister
from membership.domain.roster_rules import Span, body_facts
from membership.domain.terms import Review, TermsOfReference, overdue, review_due

APRIL = dt.date(2024, 4, 1)
JUNE = dt.date(2024, 6, 1)
ANGLESEY = Body("7A1-anglesey", BodyKind.CLUSTER, "7A1", "7A1-isle-of-anglesey", "7A1-anglesey")
MEMBER = [Span(APRIL, None)]
SHARES = Interest("i-1", "p-1", "financial", "Shareholder, Menai Pharmacy Ltd", JUNE)


def fields(error: Exception) -> set[str]:
    assert isinstance(error, ValidationFailed)
    return {v.field for v in error.violations}


def reason(error: Exception) -> str:
    assert isinstance(error, RuleViolated)
    return error.reason


def declared(on: dt.date = JUNE) -> InterestDeclared:
    return InterestDeclared(
        **body_facts(ANGLESEY),
        interest_id="i-1",
        person_id="p-1",
        kind="financial",
        description="Shareholder, Menai Pharmacy Ltd",
        declared_on=on,
    )


def withdrawn(on: dt.date) -> InterestWithdrawn:
    return InterestWithdrawn(
        body_id=ANGLESEY.body_id,
        health_board="7A1",
        interest_id="i-1",
        person_id="p-1",
        withdrawn_on=on,
    )


def test_a_member_declares_an_interest_and_a_retry_does_nothing() -> None:
    scenario(InterestRegister).when(lambda r: r.declare(ANGLESEY, SHARES, MEMBER)).then(declared())
    scenario(InterestRegister).given(declared()).when(
        lambda r: r.declare(ANGLESEY, SHARES, MEMBER)
    ).then()


def test_an_id_used_for_another_declaration_already_exists() -> None:
    other = Interest("i-1", "p-2", "indirect", "Spouse works at the practice", JUNE)
    scenario(InterestRegister).given(declared()).when(
        lambda r: r.declare(ANGLESEY, other, MEMBER)
    ).then_raises(AlreadyExists)


def test_a_declaration_needs_a_known_kind_and_a_description() -> None:
    bad = Interest("i-1", "p-1", "gift", " ", JUNE)
    error = (
        scenario(InterestRegister)
        .when(lambda r: r.declare(ANGLESEY, bad, MEMBER))
        .then_raises(ValidationFailed)
    )
    assert fields(error) == {"kind", "description"}
    long = Interest("i-1", "p-1", "financial", "x" * 1001, JUNE)
    error = (
        scenario(InterestRegister)
        .when(lambda r: r.declare(ANGLESEY, long, MEMBER))
        .then_raises(ValidationFailed)
    )
    assert fields(error) == {"description"}


def test_only_a_member_on_the_declared_date_declares_to_the_bodys_register() -> None:
    outside: list[list[Span]] = [
        [],
        [Span(APRIL, dt.date(2024, 5, 31))],
        [Span(dt.date(2024, 7, 1), None)],
    ]
    for spans in outside:
        register = InterestRegister("interests-test")
        with pytest.raises(RuleViolated) as error:
            register.declare(ANGLESEY, SHARES, spans)
        assert reason(error.value) == "DECLARANT_NOT_A_MEMBER"
        assert register.pending_events == []
    ending_that_day = [Span(APRIL, JUNE)]
    scenario(InterestRegister).when(lambda r: r.declare(ANGLESEY, SHARES, ending_that_day)).then(
        declared()
    )


def test_withdrawing_a_declaration_records_the_date() -> None:
    on = dt.date(2025, 1, 1)
    scenario(InterestRegister).given(declared()).when(
        lambda r: r.withdraw(ANGLESEY, "i-1", on)
    ).then(withdrawn(on))
    scenario(InterestRegister).given(declared()).when(
        lambda r: r.withdraw(ANGLESEY, "i-1", JUNE)
    ).then(withdrawn(JUNE))


def test_a_withdrawal_before_the_declaration_is_invalid() -> None:
    error = (
        scenario(InterestRegister)
        .given(declared())
        .when(lambda r: r.withdraw(ANGLESEY, "i-1", APRIL))
        .then_raises(ValidationFailed)
    )
    assert fields(error) == {"withdrawn_on"}


def test_withdrawing_twice_is_refused_and_an_unknown_interest_is_not_found() -> None:
    error = (
        scenario(InterestRegister)
        .given(declared(), withdrawn(JUNE))
        .when(lambda r: r.withdraw(ANGLESEY, "i-1", dt.date(2025, 1, 1)))
        .then_raises(RuleViolated)
    )
    assert reason(error) == "INTEREST_ALREADY_WITHDRAWN"
    scenario(InterestRegister).given(declared()).when(
        lambda r: r.withdraw(ANGLESEY, "i-2", JUNE)
    ).then_raises(NotFound)


def reviewed(on: dt.date = APRIL, quorum: int = 6) -> TermsOfReferenceReviewed:
    return TermsOfReferenceReviewed(
        **body_facts(ANGLESEY),
        reviewed_on=on,
        reviewed_by="7A1-isle-of-anglesey",
        quorum_minimum_core_members=quorum,
    )


def test_a_review_sets_the_quorum_and_repeating_it_does_nothing() -> None:
    review = Review(APRIL, "7A1-isle-of-anglesey", 6)
    scenario(TermsOfReference).when(lambda t: t.record_review(ANGLESEY, review)).then(reviewed())
    scenario(TermsOfReference).given(reviewed()).when(
        lambda t: t.record_review(ANGLESEY, review)
    ).then()
    corrected = Review(APRIL, "7A1-isle-of-anglesey", 5)
    scenario(TermsOfReference).given(reviewed()).when(
        lambda t: t.record_review(ANGLESEY, corrected)
    ).then(reviewed(quorum=5))


def test_a_quorum_must_be_positive_and_bounded_and_the_reviewer_the_bodys_pcpg() -> None:
    for quorum in (0, -1, 41):
        terms = TermsOfReference("terms-test")
        with pytest.raises(ValidationFailed) as error:
            terms.record_review(ANGLESEY, Review(APRIL, "7A1-gwynedd", quorum))
        assert fields(error.value) == {"quorum.minimum_core_members", "reviewed_by"}
        assert terms.pending_events == []


def test_the_terms_in_force_are_the_latest_review_on_or_before_the_date() -> None:
    next_year = dt.date(2025, 4, 1)
    terms = TermsOfReference.replay("terms-x", [reviewed(next_year, 7), reviewed()])
    assert terms.in_force(dt.date(2024, 3, 31)) is None
    assert terms.in_force(dt.date(2025, 3, 31)) == Review(APRIL, "7A1-isle-of-anglesey", 6)
    assert terms.in_force(next_year) == Review(next_year, "7A1-isle-of-anglesey", 7)


def test_a_review_is_overdue_more_than_twelve_months_after_the_last() -> None:
    assert review_due(APRIL) == dt.date(2025, 4, 1)
    assert not overdue(APRIL, dt.date(2025, 4, 1))
    assert overdue(APRIL, dt.date(2025, 4, 2))
    assert review_due(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)
