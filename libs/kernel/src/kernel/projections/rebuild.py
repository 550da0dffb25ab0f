"""Rebuild a projection from position 0 beside the live one, then swap, without stopping.

1. Create empty shadow tables (``<table>__rebuild``) and shadow checkpoints at 0.
2. Catch up from every source's ``EventSource`` into the shadow, a window of positions per
   transaction (only the projection's ``event_types``, if it names them: ``shadow``), while
   the live projection keeps consuming.
3. In one transaction: lock the live checkpoint rows (the live consumer's transactions queue
   behind them), apply what arrived since step 2 to the shadow, rename live to ``__old`` and
   shadow to live, give the live checkpoints the shadow's positions, drop the old tables.

The live consumer then resumes from the moved checkpoint (it skips what the shadow applied).
Readers of the tables wait only for the swap's renames.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from kernel.errors import RuleViolated
from kernel.feed import EventSource
from kernel.messaging.handler import DbConnection
from kernel.messaging.locks import advisory_key, release_session_lock
from kernel.postgres.identifiers import checked_schema
from kernel.projections.projection import (
    REBUILD_SUFFIX,
    Projection,
    create_tables,
    physical_tables,
)
from kernel.projections.shadow import Shadow


@dataclass(frozen=True, slots=True)
class RebuildResult:
    """What a rebuild did: the sources' events it went through and the swapped-in checkpoints.

    ``events`` counts every position passed, ``applied`` the events the projection was handed
    (fewer when it names its ``event_types``: the rest were skipped unread).
    """

    projection: str
    events: int
    positions: dict[str, int]
    seconds: float
    applied: int = 0


async def rebuild(
    pool: asyncpg.Pool,
    schema: str,
    projection: Projection,
    sources: Sequence[EventSource],
    *,
    batch_size: int = 5000,
) -> RebuildResult:
    """Rebuild ``projection`` from every source's first event and swap it in (module doc).

    Args:
        pool: the service's pool (the rebuild holds one connection for its lock).
        schema: the service's schema.
        projection: the projection to rebuild (its current ``tables`` DDL is used).
        sources: every source the live projection consumes.
        batch_size: positions per read and per shadow transaction.

    Raises:
        RuleViolated: ``REBUILD_IN_PROGRESS`` if another rebuild of it is running.
        HandlerFailed: an event failed to apply; the live projection is untouched.
    """
    schema = checked_schema(schema)
    started = time.monotonic()
    shadow = Shadow(projection, schema)
    async with pool.acquire() as lock:
        key = advisory_key("clwstwr.rebuild", f"{schema}/{projection.name}")
        if not await lock.fetchval("SELECT pg_try_advisory_lock($1, $2)", *key):
            raise RuleViolated("REBUILD_IN_PROGRESS", f"{projection.name} is being rebuilt")
        try:
            await _prepare(lock, schema, projection, shadow, sources)
            events = 0
            for source in sources:
                events += await shadow.catch_up(pool, source, batch_size)
            # Full statistics once, so the swapped-in tables do not serve readers on the
            # small samples of the catch-up.
            await shadow.analyze(pool)
            swapped, remainder = await _swap(pool, schema, projection, shadow, sources, batch_size)
        finally:
            await release_session_lock(lock, key)
    return RebuildResult(
        projection=projection.name,
        events=events + remainder,
        positions=swapped,
        seconds=time.monotonic() - started,
        applied=shadow.applied,
    )


async def _prepare(
    conn: DbConnection,
    schema: str,
    projection: Projection,
    shadow: Shadow,
    sources: Sequence[EventSource],
) -> None:
    """Fresh shadow tables and checkpoints (a crashed rebuild's leftovers are discarded)."""
    async with conn.transaction():
        for table in shadow.tables.values():
            await conn.execute(f"DROP TABLE IF EXISTS {table}")
        await create_tables(conn, schema, projection)
        await create_tables(conn, schema, projection, REBUILD_SUFFIX)
        await conn.execute(
            f"DELETE FROM {schema}.consumer_checkpoints WHERE consumer = $1", shadow.name
        )
        for name in (projection.name, shadow.name):
            await conn.executemany(
                f"INSERT INTO {schema}.consumer_checkpoints (consumer, source, position)"
                " VALUES ($1, $2, 0) ON CONFLICT DO NOTHING",
                [(name, s.name) for s in sources],
            )


async def _swap(
    pool: asyncpg.Pool,
    schema: str,
    projection: Projection,
    shadow: Shadow,
    sources: Sequence[EventSource],
    batch_size: int,
) -> tuple[dict[str, int], int]:
    live_tables = physical_tables(schema, projection)
    checkpoints = f"{schema}.consumer_checkpoints"
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            f"SELECT source, position FROM {checkpoints} WHERE consumer = $1"
            " AND source = ANY($2::text[]) ORDER BY source FOR UPDATE",
            projection.name,
            [s.name for s in sources],
        )
        live = {r["source"]: r["position"] for r in rows}
        shadow_rows = await conn.fetch(
            f"SELECT source, position FROM {checkpoints} WHERE consumer = $1", shadow.name
        )
        positions = {r["source"]: r["position"] for r in shadow_rows}
        applied = 0
        for source in sources:
            done = await shadow.apply_rest(conn, source, positions[source.name], batch_size)
            count = done - positions[source.name]
            if done < live[source.name]:
                raise RuntimeError(f"{source.name} ends at {done}, behind the live projection")
            positions[source.name] = done
            applied += count
        for logical, table in live_tables.items():
            old = checked_schema(logical + "__old")
            await conn.execute(f"ALTER TABLE {table} RENAME TO {old}")
            await conn.execute(
                f"ALTER TABLE {shadow.tables[logical]} RENAME TO {checked_schema(logical)}"
            )
            await conn.execute(f"DROP TABLE {schema}.{old}")
            await _rename_indexes(conn, schema, logical)
        await conn.executemany(
            f"UPDATE {checkpoints} SET position = $3, updated_at = now()"
            " WHERE consumer = $1 AND source = $2",
            [(projection.name, name, position) for name, position in positions.items()],
        )
        await conn.execute(f"DELETE FROM {checkpoints} WHERE consumer = $1", shadow.name)
    return positions, applied


async def _rename_indexes(conn: DbConnection, schema: str, logical: str) -> None:
    """Give the swapped-in table's indexes the live names (``<table>__rebuild_x`` -> ``<table>_x``).

    Otherwise they keep the shadow's names, and the next rebuild, creating its shadow's
    indexes under those names again, fails.
    """
    prefix = logical + REBUILD_SUFFIX
    names = await conn.fetch(
        "SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2",
        schema,
        logical,
    )
    for (name,) in names:
        if name.startswith(prefix):
            live = checked_schema(logical + name[len(prefix) :])
            await conn.execute(f"ALTER INDEX {schema}.{checked_schema(name)} RENAME TO {live}")
