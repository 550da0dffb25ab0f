"""Financial years: 1 April to 31 March, labelled ``2024/25``."""

from __future__ import annotations

import datetime as dt
import re

_LABEL = re.compile(r"(\d{4})/(\d{2})")
_APRIL = 4


def financial_year(day: dt.date) -> str:
    """The label of the financial year ``day`` falls in (``2024-04-01`` -> ``2024/25``)."""
    start = day.year if day.month >= _APRIL else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def financial_year_problem(label: str) -> str | None:
    """Why ``label`` is not a financial year label such as ``2024/25``, or None."""
    match = _LABEL.fullmatch(label)
    if match is None or (int(match[1]) + 1) % 100 != int(match[2]):
        return "must be a financial year such as 2024/25"
    return None


def financial_year_bounds(label: str) -> tuple[dt.date, dt.date]:
    """The first and last day of the financial year ``label`` (assumed well formed)."""
    start = int(label[:4])
    return dt.date(start, _APRIL, 1), dt.date(start + 1, _APRIL - 1, 31)
