"""Quarters of a financial year: Q1 April to June ... Q4 January to March (DESIGN.md, Time)."""

from __future__ import annotations

import datetime as dt

from kernel.calendar import FinancialYear

QUARTERS = (1, 2, 3, 4)
_FIRST_MONTH = 4  # April
_MONTHS = 12


def year_of(day: dt.date) -> FinancialYear:
    """The financial year ``day`` falls in."""
    return FinancialYear(day.year if day.month >= _FIRST_MONTH else day.year - 1)


def quarter_of(day: dt.date) -> int:
    """The quarter (1 to 4) of its financial year that ``day`` falls in."""
    return (day.month - _FIRST_MONTH) % _MONTHS // 3 + 1


def quarter_first_day(year: FinancialYear, quarter: int) -> dt.date:
    month = 3 * quarter + 1  # 4, 7, 10, 13
    return dt.date(year.start_year + (month > _MONTHS), (month - 1) % _MONTHS + 1, 1)


def quarter_last_day(year: FinancialYear, quarter: int) -> dt.date:
    if quarter == QUARTERS[-1]:
        return year.last_day
    return quarter_first_day(year, quarter + 1) - dt.timedelta(days=1)
