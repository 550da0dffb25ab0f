"""The register's read model: a projection of the service's own events into query tables.

Names are kept as rows per rename (with the store position, which orders renames sharing an
effective date), so a query picks the name in force on any date without replaying streams.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from kernel.events import RecordedEvent
from kernel.messaging import DbConnection
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
    return None
