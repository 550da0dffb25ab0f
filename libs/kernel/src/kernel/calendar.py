"""Business time: Welsh calendar days, whatever the server's clock zone.

Deadlines, effective dates and "as of today" reads are days in Europe/London: just after
midnight in summer it is already tomorrow there, though still today in UTC.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def london_today() -> dt.date:
    """Today's date in Europe/London."""
    return dt.datetime.now(LONDON).date()
