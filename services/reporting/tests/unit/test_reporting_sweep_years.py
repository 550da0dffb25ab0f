"""Which financial years the scheduled findings sweep covers on a given day."""

import datetime as dt

import pytest

from kernel.calendar import FinancialYear
from reporting.entrypoints.cli import sweep_years


@pytest.mark.parametrize(
    ("today", "years"),
    [
        (dt.date(2025, 3, 31), ["2023/24", "2024/25"]),  # the year's last day
        (dt.date(2025, 4, 1), ["2024/25", "2025/26"]),  # a new year: the last one still moves
        (dt.date(2025, 11, 22), ["2024/25", "2025/26"]),
    ],
)
def test_a_sweep_covers_the_current_year_and_the_one_before(
    today: dt.date, years: list[str]
) -> None:
    assert sweep_years(today) == years


def test_a_day_belongs_to_the_year_from_the_april_before() -> None:
    assert FinancialYear.containing(dt.date(2024, 4, 1)) == FinancialYear(2024)
    assert FinancialYear.containing(dt.date(2025, 3, 31)) == FinancialYear(2024)
    assert FinancialYear(2024).previous.label == "2023/24"
