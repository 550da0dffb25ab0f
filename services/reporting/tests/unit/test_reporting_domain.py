"""The outcome vocabulary, the catalogue and outcome assignment, given / when / then."""

import datetime as dt

import pytest

from kernel.calendar import FinancialYear
from kernel.errors import AlreadyExists, ValidationFailed
from kernel.testing.scenario import scenario
from reporting.domain.assignment import Assignment
from reporting.domain.catalogue import OutcomeCatalogue, OutcomeTitle
from reporting.domain.events import OutcomeTitleSet
from reporting.domain.review_cycle import ReviewCycle
from reporting.domain.vocabulary import OUTCOME_CODES

from .samples import ASSIGNED, ASSIGNMENT, DUE, YEAR, fields


def test_there_are_13_pcmw_and_7_acd_outcome_codes() -> None:
    assert len([c for c in OUTCOME_CODES if c.startswith("PCMW-")]) == 13
    assert len([c for c in OUTCOME_CODES if c.startswith("ACD-")]) == 7


@pytest.mark.parametrize("label", ["2024", "2024/26", "24/25", "2024-25", ""])
def test_a_financial_year_is_a_label_like_2024_25(label: str) -> None:
    with pytest.raises(ValidationFailed, match="financial_year"):
        FinancialYear.parse("financial_year", label)


def test_financial_years_run_april_to_march() -> None:
    year = FinancialYear.parse("fy", "2099/00")
    assert (year.first_day, year.last_day) == (dt.date(2099, 4, 1), dt.date(2100, 3, 31))


# The catalogue


def test_loading_titles_records_only_what_changed() -> None:
    first = OutcomeTitleSet(
        code="PCMW-01", framework="PCMW", title="Old", placeholder=True, reason="loaded"
    )
    scenario(OutcomeCatalogue).given(first).when(
        lambda c: c.set_titles(
            [OutcomeTitle("PCMW-01", " New "), OutcomeTitle("ACD-01", "Same", placeholder=True)],
            "corrected from the handbook",
        )
    ).then(
        OutcomeTitleSet(
            code="PCMW-01",
            framework="PCMW",
            title="New",
            placeholder=False,
            reason="corrected from the handbook",
        ),
        OutcomeTitleSet(
            code="ACD-01",
            framework="ACD",
            title="Same",
            placeholder=True,
            reason="corrected from the handbook",
        ),
    )


def test_unknown_and_repeated_codes_and_blank_titles_are_refused() -> None:
    error = (
        scenario(OutcomeCatalogue)
        .when(
            lambda c: c.set_titles(
                [
                    OutcomeTitle("PCMW-14", "x"),
                    OutcomeTitle("ACD-01", " "),
                    OutcomeTitle("ACD-01", "y"),
                ],
                "load",
            )
        )
        .then_raises(ValidationFailed)
    )
    assert fields(error) == {"titles[0].code", "titles[1].title", "titles[2].code"}


# Assigning outcomes


def test_national_assigns_two_pcmw_and_one_acd_outcome() -> None:
    scenario(ReviewCycle).when(lambda c: c.assign("7A1", YEAR, ASSIGNMENT)).then(ASSIGNED)


def test_the_same_assignment_again_is_a_no_op_and_another_is_refused() -> None:
    scenario(ReviewCycle).given(ASSIGNED).when(lambda c: c.assign("7A1", YEAR, ASSIGNMENT)).then()
    other = Assignment(("PCMW-01", "PCMW-07"), "ACD-02", DUE)
    scenario(ReviewCycle).given(ASSIGNED).when(lambda c: c.assign("7A1", YEAR, other)).then_raises(
        AlreadyExists, match="already has its 2024/25 outcomes"
    )


def test_an_assignment_must_be_two_different_pcmw_and_an_acd_outcome() -> None:
    bad = Assignment(("PCMW-03", "ACD-01", "PCMW-99"), "PCMW-01", dt.date(2023, 1, 1))
    error = (
        scenario(ReviewCycle)
        .when(lambda c: c.assign("7A1", YEAR, bad))
        .then_raises(ValidationFailed)
    )
    assert fields(error) == {
        "pcmw_outcomes",
        "pcmw_outcomes[1]",
        "pcmw_outcomes[2]",
        "acd_outcome",
        "self_assessment_due",
    }
    same = Assignment(("PCMW-03", "PCMW-03"), "ACD-01", DUE)
    scenario(ReviewCycle).when(lambda c: c.assign("7A1", YEAR, same)).then_raises(
        ValidationFailed, match="two different"
    )
