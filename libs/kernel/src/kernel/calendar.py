"""Business time: Welsh calendar days and financial years, whatever the server's clock zone.

Deadlines, effective dates and "as of today" reads are days in Europe/London: just after
midnight in summer it is already tomorrow there, though still today in UTC. Financial years run
from 1 April to 31 March and are labelled ``2024/25`` (DESIGN.md, Time).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from kernel.errors import ValidationFailed

LONDON = ZoneInfo("Europe/London")
_APRIL = 4
_LABEL = re.compile(r"^(\d{4})/(\d{2})$")


def london_today() -> dt.date:
    """Today's date in Europe/London."""
    return dt.datetime.now(LONDON).date()


@dataclass(frozen=True, slots=True, order=True)
class FinancialYear:
    """The financial year starting on 1 April of ``start_year``."""

    start_year: int

    @classmethod
    def containing(cls, day: dt.date) -> FinancialYear:
        """The year ``day`` falls in."""
        return cls(day.year if day.month >= _APRIL else day.year - 1)

    @staticmethod
    def problem(label: str) -> str | None:
        """Why ``label`` is not a financial year label such as ``2024/25``, or None."""
        match = _LABEL.match(label)
        if match is None or (int(match[1]) + 1) % 100 != int(match[2]):
            return "must be a financial year such as 2024/25"
        return None

    @classmethod
    def parse(cls, field: str, label: str) -> FinancialYear:
        """Read a label such as ``2024/25``.

        Raises:
            ValidationFailed: on ``field`` for anything else (``2024/26``, ``2024``).
        """
        problem = cls.problem(label)
        if problem is not None:
            raise ValidationFailed.single(field, problem)
        return cls(int(label[:4]))

    @property
    def previous(self) -> FinancialYear:
        return FinancialYear(self.start_year - 1)

    @property
    def label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def key(self) -> str:
        """The label as it can stand in a stream id (no slash): ``2024-25``."""
        return self.label.replace("/", "-")

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.start_year, _APRIL, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.start_year + 1, _APRIL - 1, 31)
