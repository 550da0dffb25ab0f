"""Reporting's own copy of membership: clusters, and who leads each, from membership's events.

Fed over the broker by a ``Subscription`` to membership (with its EventFeed for catch-up).
Only what reporting needs: a cluster's board and name (for access and for reports), and its
dated cluster lead and deputy chair appointments (who may submit a self-assessment); and what
meeting compliance needs (``membership_bodies``). Other event types, and types added later,
are ignored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from kernel.events import RecordedEvent
from kernel.messaging import DbConnection
from kernel.projections import execute_statements
from reporting.adapters import membership_bodies
from reporting.application.ports import LEAD_ROLES

Data = Mapping[str, Any]
Tables = Mapping[str, str]
Write = tuple[Any, ...]

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


def _date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def _established(data: Data, t: Tables) -> Iterator[Write]:
    yield (
        f"INSERT INTO {t['clusters']} (cluster_id, health_board, name) VALUES ($1, $2, $3)"
        " ON CONFLICT (cluster_id) DO UPDATE SET health_board = $2, name = $3",
        data["cluster_id"],
        data["health_board"],
        data["name"],
    )


def _renamed(data: Data, t: Tables) -> Iterator[Write]:
    # Reports show a cluster by its latest name; membership keeps the dated history.
    yield (
        f"UPDATE {t['clusters']} SET name = $2 WHERE cluster_id = $1",
        data["cluster_id"],
        data["name"],
    )


def _closed(data: Data, t: Tables) -> Iterator[Write]:
    yield (
        f"UPDATE {t['clusters']} SET closed_on = $2 WHERE cluster_id = $1",
        data["cluster_id"],
        _date(data["closed_on"]),
    )


def _appointed(data: Data, t: Tables) -> Iterator[Write]:
    if data["body_kind"] != "cluster" or data["role"] not in LEAD_ROLES:
        return
    yield (
        f"INSERT INTO {t['cluster_leads']} (appointment_id, cluster_id, person_id, role,"
        " start_date, end_date) VALUES ($1, $2, $3, $4, $5, $6)"
        " ON CONFLICT (appointment_id) DO NOTHING",
        data["appointment_id"],
        data["body_id"],
        data["person_id"],
        data["role"],
        _date(data["start_date"]),
        _date(data["end_date"]),
    )


def _ended(data: Data, t: Tables) -> Iterator[Write]:
    # Not a cluster lead appointment: no row, so nothing is updated.
    yield (
        f"UPDATE {t['cluster_leads']} SET end_date = $2 WHERE appointment_id = $1",
        data["appointment_id"],
        _date(data["end_date"]),
    )


WRITES: Mapping[str, Callable[[Data, Tables], Iterator[Write]]] = {
    "membership.ClusterEstablished": _established,
    "membership.ClusterRenamed": _renamed,
    "membership.ClusterClosed": _closed,
    "membership.LeadAppointed": _appointed,
    "membership.AppointmentEnded": _ended,
}


class MembershipView:
    """Membership as reporting needs it (a kernel ``Projection`` of another service's events)."""

    name = "reporting.membership_view"
    tables: Mapping[str, str] = _TABLES

    async def apply(
        self, conn: DbConnection, events: Sequence[RecordedEvent], tables: Tables
    ) -> None:
        await execute_statements(conn, events, tables, WRITES, membership_bodies.WRITES)
