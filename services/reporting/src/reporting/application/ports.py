"""What reporting's commands need from outside: reporting's copy of membership, a clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Protocol

from kernel.events import AppendResult
from reporting.domain.assignment import Cluster

Today = Callable[[], dt.date]
"""Today's business date (Europe/London); injected so tests can move it."""

LEAD_ROLES = ("cluster_lead", "deputy_chair")
"""Who may submit a cluster's self-assessment: its lead, or the deputy the lead nominated."""


class Register(Protocol):
    """Clusters and their leads, as membership's events told reporting."""

    async def find_cluster(self, cluster_id: str) -> Cluster | None: ...

    async def leads_on(self, cluster_id: str, on: dt.date) -> set[str]:
        """The people holding a ``LEAD_ROLES`` appointment of the cluster on ``on``."""
        ...


class ReadModelsVersion(Protocol):
    """How far the read models have got: equal values mean unchanged read models."""

    async def current(self) -> tuple[int, ...]: ...


class ReadModelSync(Protocol):
    """Waits until the read models have applied a store position (read-your-writes)."""

    async def caught_up(self, position: int) -> None: ...


def last_position(saved: AppendResult | None) -> int:
    """The store position of what a save appended (0 when it appended nothing)."""
    return saved.positions[-1] if saved and saved.positions else 0
