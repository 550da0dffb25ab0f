"""The register's read model: a projection of the service's own events into query tables.

Names are kept as rows per rename (with the store position, which orders renames sharing an
effective date), so a query picks the name in force on any date without replaying streams.
Merges and splits add a closure row per closed cluster (with its successors) and a row per
predecessor of a merged or new cluster; they are tables of their own, so a service with an
older read model gains them at start-up without a rebuild (no older event affects them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from kernel.events import RecordedEvent
from kernel.messaging import DbConnection
from membership.domain.change_events import ClusterClosed, ClustersMerged, ClusterSplit
from membership.domain.events import (
    ClusterEstablished,
    ClusterRenamed,
    CollaborativeEstablished,
    HealthBoardRegistered,
)

_TABLES = {
    "boards": "CREATE TABLE {table} (ods_code text PRIMARY KEY, name text NOT NULL, name_cy text)",
    "clusters": (
        "CREATE TABLE {table} (cluster_id text PRIMARY KEY, health_board text NOT NULL,"
        " local_authority text NOT NULL, population bigint, pcpg_id text NOT NULL,"
        " pcpg_name text NOT NULL, established_on date NOT NULL);"
        " CREATE INDEX {name}_by_board ON {table} (health_board, cluster_id)"
    ),
    "cluster_names": (
        "CREATE TABLE {table} (cluster_id text NOT NULL, position bigint NOT NULL,"
        " effective_from date NOT NULL, name text NOT NULL, name_cy text,"
        " PRIMARY KEY (cluster_id, position))"
    ),
    "collaboratives": (
        "CREATE TABLE {table} (collaborative_id text PRIMARY KEY, cluster_id text NOT NULL,"
        " profession text NOT NULL, established_on date NOT NULL);"
        " CREATE INDEX {name}_by_cluster ON {table} (cluster_id, collaborative_id)"
    ),
    "cluster_closures": (
        "CREATE TABLE {table} (cluster_id text PRIMARY KEY, closed_on date NOT NULL,"
        " successor_ids text[] NOT NULL)"
    ),
    "cluster_predecessors": (
        "CREATE TABLE {table} (cluster_id text NOT NULL, predecessor_id text NOT NULL,"
        " PRIMARY KEY (cluster_id, predecessor_id))"
    ),
}


class RegisterView:
    """Boards, clusters with their name history, and collaboratives (a kernel ``Projection``)."""

    name = "membership.register_view"
    tables: Mapping[str, str] = _TABLES

    async def apply(
        self, conn: DbConnection, events: Sequence[RecordedEvent], tables: Mapping[str, str]
    ) -> None:
        for event in events:
            statement = _statement(event, tables)
            if statement is not None:
                await conn.execute(*statement)


def _statement(event: RecordedEvent, tables: Mapping[str, str]) -> tuple[Any, ...] | None:
    """The one write an event causes (None for events this view ignores)."""
    data = event.data
    if event.event_type == HealthBoardRegistered.event_type:
        return (
            f"INSERT INTO {tables['boards']} VALUES ($1, $2, $3)",
            data["ods_code"],
            data["name"],
            data["name_cy"],
        )
    if event.event_type == ClusterEstablished.event_type:
        return (
            f"WITH named AS (INSERT INTO {tables['cluster_names']} VALUES ($1, $8, $7, $9, $10))"
            f" INSERT INTO {tables['clusters']} VALUES ($1, $2, $3, $4, $5, $6, $7)",
            data["cluster_id"],
            data["health_board"],
            data["local_authority"],
            data["population"],
            data["pcpg_id"],
            data["pcpg_name"],
            dt.date.fromisoformat(data["established_on"]),
            event.position,
            data["name"],
            data["name_cy"],
        )
    if event.event_type == ClusterRenamed.event_type:
        return (
            f"INSERT INTO {tables['cluster_names']} VALUES ($1, $2, $3, $4, $5)",
            data["cluster_id"],
            event.position,
            dt.date.fromisoformat(data["effective_from"]),
            data["name"],
            data["name_cy"],
        )
    if event.event_type == CollaborativeEstablished.event_type:
        return (
            f"INSERT INTO {tables['collaboratives']} VALUES ($1, $2, $3, $4)",
            data["collaborative_id"],
            data["cluster_id"],
            data["profession"],
            dt.date.fromisoformat(data["established_on"]),
        )
    return _change_statement(event, tables)


def _change_statement(event: RecordedEvent, tables: Mapping[str, str]) -> tuple[Any, ...] | None:
    """The write a merge, split or closure causes (None for other events)."""
    data = event.data
    if event.event_type == ClusterClosed.event_type:
        return (
            f"INSERT INTO {tables['cluster_closures']} VALUES ($1, $2, $3)",
            data["cluster_id"],
            dt.date.fromisoformat(data["closed_on"]),
            data["successor_cluster_ids"],
        )
    lineage = f"INSERT INTO {tables['cluster_predecessors']} SELECT $1, unnest($2::text[])"
    if event.event_type == ClustersMerged.event_type:
        into = data["into_cluster_id"]
        return (lineage, into, [c for c in data["merged_cluster_ids"] if c != into])
    if event.event_type == ClusterSplit.event_type:
        # one row per new cluster, each with the split cluster as its predecessor
        return (
            f"INSERT INTO {tables['cluster_predecessors']} SELECT unnest($2::text[]), $1",
            data["cluster_id"],
            [c["cluster_id"] for c in data["into"]],
        )
    return None
