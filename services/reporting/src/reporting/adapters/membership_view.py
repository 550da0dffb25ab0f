"""Reporting's own copy of membership: clusters, and who leads each, from membership's events.

Fed over the broker by a ``Subscription`` to membership (with its EventFeed for catch-up).
Only what reporting needs: a cluster's board and name (for access and for reports), and its
dated cluster lead and deputy chair appointments (who may submit a self-assessment); and what
meeting compliance needs (``membership_bodies``). Other event types, and types added later,
are ignored. Applied a batch at a time (``BatchedRows``: a few round trips per batch).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kernel.events import RecordedEvent
from kernel.messaging import DbConnection
from reporting.adapters import membership_bodies
from reporting.adapters.batched_rows import BatchedRows
from reporting.application.ports import LEAD_ROLES

Data = Mapping[str, Any]
Tables = Mapping[str, str]

_TABLES = {
    "clusters": (
        "CREATE TABLE {table} (cluster_id text PRIMARY KEY, health_board text NOT NULL,"
        " name text NOT NULL, closed_on date);"
        " CREATE INDEX {name}_by_board ON {table} (health_board, cluster_id)"
    ),
    "cluster_leads": (
        "CREATE TABLE {table} (appointment_id text PRIMARY KEY, cluster_id text NOT NULL,"
        " person_id text NOT NULL, role text NOT NULL, start_date date NOT NULL, end_date date);"
        " CREATE INDEX {name}_by_cluster ON {table} (cluster_id)"
    ),
    **membership_bodies.TABLES,
}


_CLUSTER = ("cluster_id", "health_board", "name", "closed_on")
_LEAD = ("appointment_id", "cluster_id", "person_id", "role", "start_date", "end_date")


def _date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


class _Batch(membership_bodies.BodyRows):
    """The rows one batch of membership events touches: read once, written once."""

    def __init__(self, tables: Tables) -> None:
        super().__init__(tables)
        self.clusters = BatchedRows(tables["clusters"], ("cluster_id",), _CLUSTER)
        self.cluster_leads = BatchedRows(tables["cluster_leads"], ("appointment_id",), _LEAD)

    async def load(self, conn: DbConnection, events: Sequence[RecordedEvent]) -> None:
        await super().load(conn, events)
        clusters = {e.data["cluster_id"] for e in events if e.event_type in _CLUSTER_EVENTS}
        leads = {e.data["appointment_id"] for e in events if e.event_type in _LEAD_EVENTS}
        await self.clusters.load(conn, "cluster_id", clusters)
        await self.cluster_leads.load(conn, "appointment_id", leads)

    async def flush(self, conn: DbConnection) -> None:
        await super().flush(conn)
        await self.clusters.flush(conn)
        await self.cluster_leads.flush(conn)


def _established(b: _Batch, data: Data) -> None:
    row = b.clusters.get(data["cluster_id"]) or {
        "cluster_id": data["cluster_id"],
        "closed_on": None,
    }
    b.clusters.put({**row, "health_board": data["health_board"], "name": data["name"]})


def _renamed(b: _Batch, data: Data) -> None:
    # Reports show a cluster by its latest name; membership keeps the dated history.
    row = b.clusters.get(data["cluster_id"])
    if row is not None:
        b.clusters.put({**row, "name": data["name"]})


def _closed(b: _Batch, data: Data) -> None:
    row = b.clusters.get(data["cluster_id"])
    if row is not None:
        b.clusters.put({**row, "closed_on": _date(data["closed_on"])})


def _appointed(b: _Batch, data: Data) -> None:
    if data["body_kind"] != "cluster" or data["role"] not in LEAD_ROLES:
        return
    if b.cluster_leads.get(data["appointment_id"]) is None:
        b.cluster_leads.put(
            {
                "appointment_id": data["appointment_id"],
                "cluster_id": data["body_id"],
                "person_id": data["person_id"],
                "role": data["role"],
                "start_date": _date(data["start_date"]),
                "end_date": _date(data["end_date"]),
            }
        )


def _ended(b: _Batch, data: Data) -> None:
    # Not a cluster lead appointment: no row, so nothing changes.
    row = b.cluster_leads.get(data["appointment_id"])
    if row is not None:
        b.cluster_leads.put({**row, "end_date": _date(data["end_date"])})


FOLDS: Mapping[str, Callable[[_Batch, Data], None]] = {
    "membership.ClusterEstablished": _established,
    "membership.ClusterRenamed": _renamed,
    "membership.ClusterClosed": _closed,
    "membership.LeadAppointed": _appointed,
    "membership.AppointmentEnded": _ended,
}
_CLUSTER_EVENTS = frozenset(
    {"membership.ClusterEstablished", "membership.ClusterRenamed", "membership.ClusterClosed"}
)
_LEAD_EVENTS = frozenset({"membership.LeadAppointed", "membership.AppointmentEnded"})


class MembershipView:
    """Membership as reporting needs it (a kernel ``Projection`` of another service's events)."""

    name = "reporting.membership_view"
    tables: Mapping[str, str] = _TABLES
    event_types = frozenset(FOLDS) | frozenset(membership_bodies.FOLDS)  # for a rebuild's reads

    async def apply(
        self, conn: DbConnection, events: Sequence[RecordedEvent], tables: Tables
    ) -> None:
        batch = _Batch(tables)
        await batch.load(conn, events)
        for event in events:
            for folds in (FOLDS, membership_bodies.FOLDS):
                fold = folds.get(event.event_type)
                if fold is not None:
                    fold(batch, event.data)
        await batch.flush(conn)
