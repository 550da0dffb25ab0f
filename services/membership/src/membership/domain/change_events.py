"""Stored events of the register's changes of shape: clusters merged, split and closed.

A change is decided once, in its health board's change stream (``ClustersMerged`` or
``ClusterSplit``, carrying everything needed to carry it out), and then carried out in the
clusters' own streams: ``ClusterClosed`` for each cluster that ends, ``ClusterEstablished``
and ``CollaborativeEstablished`` for each new one. Every event names the dates and ids, so a
consumer follows the register without calling back.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from kernel.aggregate import DomainEvent


class NewClusterFacts(BaseModel):
    """A cluster a change establishes: its id, names, local authority and population."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cluster_id: str
    name: str
    name_cy: str | None
    local_authority: str
    population: int | None


class ClustersMerged(DomainEvent):
    """Clusters of one PCPG became one from ``effective_from``; the others closed the day before.

    ``into_cluster_id`` is a new cluster (``new_cluster`` set) or one of the merged ones that
    survives (``new_cluster`` None). ``professions``: the collaboratives the result has.
    """

    event_type: ClassVar[str] = "membership.ClustersMerged"
    change_id: str
    health_board: str
    pcpg_id: str
    pcpg_name: str
    merged_cluster_ids: tuple[str, ...]
    into_cluster_id: str
    new_cluster: NewClusterFacts | None
    professions: tuple[str, ...]
    effective_from: dt.date
    closed_on: dt.date


class ClusterSplit(DomainEvent):
    """A cluster became two or more new ones from ``effective_from``; it closed the day before."""

    event_type: ClassVar[str] = "membership.ClusterSplit"
    change_id: str
    health_board: str
    pcpg_id: str
    pcpg_name: str
    cluster_id: str
    into: tuple[NewClusterFacts, ...]
    professions: tuple[str, ...]
    effective_from: dt.date
    closed_on: dt.date


class ClusterClosed(DomainEvent):
    """A cluster and its collaboratives closed: ``closed_on`` is their last day.

    ``reason`` is ``merged`` or ``split``; ``successor_cluster_ids`` carry on from the next day.
    Memberships and appointments of the closed bodies are not moved anywhere.
    """

    event_type: ClassVar[str] = "membership.ClusterClosed"
    cluster_id: str
    health_board: str
    pcpg_id: str
    closed_on: dt.date
    reason: str
    change_id: str
    successor_cluster_ids: tuple[str, ...]
    collaborative_ids: tuple[str, ...]


RegisterChangeEvent = ClustersMerged | ClusterSplit
