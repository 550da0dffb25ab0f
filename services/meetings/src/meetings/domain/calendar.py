"""Business time: a meeting's local date and time in Europe/London (``kernel.calendar``).

A meeting is scheduled for a local date and time; the instant is derived here, so a time that
does not exist (the hour the clocks go forward) is refused rather than silently shifted.
"""

from __future__ import annotations

import datetime as dt
import re

from kernel.calendar import LONDON
from kernel.errors import ValidationFailed

_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


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
