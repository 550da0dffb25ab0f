"""What the membership service publishes on ``membership.events.v1``: who is who in the register.

Each model is the published shape of the membership event of the same ``event_type``; the
service's tests validate its stored events against these, so the two cannot drift apart.
Dates are ISO calendar dates; ``name_cy`` is None where the register has no Welsh name yet.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from contracts.base import IntegrationEvent


class HealthBoardRegistered(IntegrationEvent):
    """A health board joined the register (ODS code 7A1 to 7A7)."""

    event_type: ClassVar[str] = "membership.HealthBoardRegistered"
    ods_code: str
    name: str
    name_cy: str | None


class ClusterEstablished(IntegrationEvent):
    """A cluster was established under a board and a PCPG, from a date."""

    event_type: ClassVar[str] = "membership.ClusterEstablished"
    cluster_id: str
    health_board: str
    name: str
    name_cy: str | None
    local_authority: str
    population: int | None
    pcpg_id: str
    pcpg_name: str
    established_on: dt.date


class ClusterRenamed(IntegrationEvent):
    """A cluster has a new name from ``effective_from`` (earlier dates keep the old name)."""

    event_type: ClassVar[str] = "membership.ClusterRenamed"
    cluster_id: str
    health_board: str
    name: str
    name_cy: str | None
    effective_from: dt.date


class CollaborativeEstablished(IntegrationEvent):
    """A cluster's professional collaborative for one profession was established."""

    event_type: ClassVar[str] = "membership.CollaborativeEstablished"
    collaborative_id: str
    cluster_id: str
    health_board: str
    profession: str
    established_on: dt.date


EVENTS: tuple[type[IntegrationEvent], ...] = (
    HealthBoardRegistered,
    ClusterEstablished,
    ClusterRenamed,
    CollaborativeEstablished,
)
"""Every membership integration event."""
