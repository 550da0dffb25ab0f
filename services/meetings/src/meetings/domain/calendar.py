"""Business time: financial years (1 April to 31 March, labelled ``2024/25``) and Europe/London.

A meeting is scheduled for a local date and time; the instant is derived here, so a time that
does not exist (the hour the clocks go forward) is refused rather than silently shifted.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kernel.calendar import LONDON
from kernel.errors import ValidationFailed

_LABEL = re.compile(r"^(\d{4})/(\d{2})$")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_APRIL = 4


@dataclass(frozen=True, slots=True)
class FinancialYear:
    """The financial year starting on 1 April of ``start_year``."""

    start_year: int

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.start_year, _APRIL, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.start_year + 1, 3, 31)

    @property
    def label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @classmethod
    def of(cls, day: dt.date) -> FinancialYear:
        return cls(day.year if day.month >= _APRIL else day.year - 1)

    @classmethod
    def parse(cls, field: str, label: str) -> FinancialYear:
        """Read a label such as ``2024/25``.

        Raises:
            ValidationFailed: on ``field`` for anything else (``2024/26``, ``2024``).
        """
        match = _LABEL.match(label)
        if match is None or (int(match[1]) + 1) % 100 != int(match[2]):
            raise ValidationFailed.single(field, "must be a financial year such as 2024/25")
        return cls(int(match[1]))


def london_instant(field: str, day: dt.date, time_text: str) -> dt.datetime:
    """The UTC instant of ``time_text`` (``HH:MM``) on ``day`` in Europe/London.

    Raises:
        ValidationFailed: on ``field`` for a malformed time or one the clocks skip.
    """
    match = _TIME.match(time_text)
    if match is None:
        raise ValidationFailed.single(field, "must be a 24-hour time HH:MM, e.g. 09:30")
    local = dt.datetime(day.year, day.month, day.day, int(match[1]), int(match[2]), tzinfo=LONDON)
    instant = local.astimezone(dt.UTC)
    if instant.astimezone(LONDON).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValidationFailed.single(field, f"does not exist on {day} in Europe/London")
    return instant
