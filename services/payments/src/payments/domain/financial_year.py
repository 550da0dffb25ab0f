"""Financial years as payments stores them: their labels (``2024/25``), by ``kernel.calendar``."""

from __future__ import annotations

import datetime as dt

from kernel.calendar import FinancialYear


def financial_year(day: dt.date) -> str:
    """The label of the financial year ``day`` falls in (``2024-04-01`` -> ``2024/25``)."""
    return FinancialYear.containing(day).label


def financial_year_problem(label: str) -> str | None:
    """Why ``label`` is not a financial year label such as ``2024/25``, or None."""
    return FinancialYear.problem(label)


def financial_year_bounds(label: str) -> tuple[dt.date, dt.date]:
    """The first and last day of the financial year ``label`` (assumed well formed)."""
    year = FinancialYear(int(label[:4]))
    return year.first_day, year.last_day
