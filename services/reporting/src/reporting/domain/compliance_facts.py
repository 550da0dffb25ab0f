"""What meeting compliance is judged on: a cluster's bodies, their held meetings, appointments.

Plain values read from reporting's copies of membership and meetings. The findings are derived
from them on reading (``domain.compliance``), never stored, so a correction or a cancellation
changes the findings as soon as its event is applied, whatever order the two sources arrive in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

COMMUNITY_PHARMACY = "community-pharmacy"
ANNUAL_MINIMUM = {COMMUNITY_PHARMACY: 3}
"""Bodies that must meet a number of times a year rather than every quarter (RULES.md)."""


@dataclass(frozen=True, slots=True)
class Body:
    """A cluster, one of its professional collaboratives (PCs), or its PCPG."""

    body_id: str
    kind: str
    profession: str | None
    established_on: dt.date
    closed_on: dt.date | None = None

    @property
    def label(self) -> str:
        """How a report names the body: "Cluster", "Dental PC", "PCPG"."""
        if self.kind == "collaborative" and self.profession:
            return f"{self.profession.replace('-', ' ').capitalize()} PC"
        return "PCPG" if self.kind == "pcpg" else "Cluster"

    @property
    def annual_minimum(self) -> int | None:
        """Meetings a year when the rule is a yearly count; None: one every quarter."""
        if self.kind != "collaborative" or self.profession is None:
            return None
        return ANNUAL_MINIMUM.get(self.profession)

    def active_throughout(self, first: dt.date, last: dt.date) -> bool:
        """Whether the body existed for the whole period (only then can it owe a meeting)."""
        return self.established_on <= first and (self.closed_on is None or self.closed_on >= last)


@dataclass(frozen=True, slots=True)
class HeldMeeting:
    """A meeting recorded as held and not cancelled, with attendance as last corrected."""

    meeting_id: str
    body_id: str
    meeting_date: dt.date
    chair_person_id: str
    chaired_by_lead: bool
    quorate: bool | None
    declarations: int
    minutes_approved_on: dt.date | None
    present: frozenset[str]
    #: Declarations were asked for and none was made (meetings' ``NoDeclarationsRecorded``).
    none_declared: bool = False


@dataclass(frozen=True, slots=True)
class Appointment:
    """A dated lead appointment (cluster_lead, collaborative_lead, deputy_chair); inclusive."""

    body_id: str
    person_id: str
    role: str
    start_date: dt.date
    end_date: dt.date | None

    def in_force(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


@dataclass(frozen=True, slots=True)
class ClusterFacts:
    """Everything compliance needs about one cluster (its PCPG's meetings included)."""

    cluster_id: str
    health_board: str
    bodies: Sequence[Body]
    meetings: Sequence[HeldMeeting]
    appointments: Sequence[Appointment]
    reviews: Mapping[str, Sequence[dt.date]] = field(default_factory=dict)
    """Terms-of-reference review dates per body id."""
    cluster_name: str = ""
