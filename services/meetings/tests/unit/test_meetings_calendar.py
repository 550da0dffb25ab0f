"""Financial years and access rules: the small pure pieces the API leans on."""

import datetime as dt

import pytest

from kernel.calendar import FinancialYear
from kernel.errors import PermissionDenied, ValidationFailed
from meetings.application.access import Caller


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (dt.date(2024, 4, 1), "2024/25"),
        (dt.date(2025, 3, 31), "2024/25"),
        (dt.date(2025, 4, 1), "2025/26"),
        (dt.date(1999, 12, 1), "1999/00"),
    ],
)
def test_a_date_falls_in_the_financial_year_from_1_april(day: dt.date, label: str) -> None:
    year = FinancialYear.containing(day)
    assert year.label == label
    assert year.first_day <= day <= year.last_day
    assert FinancialYear.parse("financial_year", label) == year


@pytest.mark.parametrize("label", ["2024", "2024-25", "2024/26", "24/25", ""])
def test_other_labels_are_refused_with_the_field_named(label: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        FinancialYear.parse("financial_year", label)
    assert [v.field for v in refused.value.violations] == ["financial_year"]


def test_a_board_records_only_its_own_meetings_and_national_only_reads() -> None:
    board, national = Caller("b", "health_board", "7A1"), Caller("n", "national")
    board.require_change("7A1")
    national.require_read("7A2")
    with pytest.raises(PermissionDenied):
        board.require_read("7A2")
    with pytest.raises(PermissionDenied):
        national.require_change("7A1")
