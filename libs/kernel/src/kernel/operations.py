"""What operators ask of a service's schema: positions, lags and dead letters, in one place.

Read straight from the kernel's tables (``event_position``, ``relay_checkpoints``,
``consumer_checkpoints``, ``dead_letters``), so ``clwstwr-ops status`` works whether or not the
service is up, and agrees with the lag gauges the running service exports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import asyncpg

from kernel.postgres.identifiers import checked_schema


@dataclass(frozen=True, slots=True)
class CheckpointFigures:
    """One consumer's (handler's or projection's) place in one source."""

    consumer: str
    source: str
    position: int
    #: The source's last position, where known (``None``: the source's schema is elsewhere).
    head: int | None

    @property
    def lag(self) -> int | None:
        return None if self.head is None else max(0, self.head - self.position)


@dataclass(frozen=True, slots=True)
class ServiceFigures:
    last_position: int
    relay_position: int
    checkpoints: tuple[CheckpointFigures, ...]
    dead_letters: int

    @property
    def relay_lag(self) -> int:
        return max(0, self.last_position - self.relay_position)


async def last_position(pool: asyncpg.Pool, schema: str) -> int | None:
    """The service's last committed position, or ``None`` if its schema is not here."""
    s = checked_schema(schema)
    if await pool.fetchval("SELECT to_regclass($1)", f"{s}.event_position") is None:
        return None
    return int(await pool.fetchval(f"SELECT position FROM {s}.event_position"))


async def service_figures(
    pool: asyncpg.Pool, schema: str, heads: Mapping[str, int]
) -> ServiceFigures:
    """The figures of the service whose schema is ``schema``; ``heads``: other sources' ends."""
    s = checked_schema(schema)
    own = await last_position(pool, s)
    if own is None:
        raise LookupError(f"no service schema {schema!r} in this database (not migrated?)")
    relay = await pool.fetchval(f"SELECT coalesce(max(position), 0) FROM {s}.relay_checkpoints")
    rows = await pool.fetch(
        f"SELECT consumer, source, position FROM {s}.consumer_checkpoints"
        " WHERE consumer NOT LIKE '%\\_\\_rebuild' ORDER BY consumer, source"
    )
    dead = await pool.fetchval(f"SELECT count(*) FROM {s}.dead_letters WHERE redriven_at IS NULL")
    all_heads = {**heads, s: own}
    return ServiceFigures(
        last_position=own,
        relay_position=int(relay),
        checkpoints=tuple(
            CheckpointFigures(r["consumer"], r["source"], r["position"], all_heads.get(r["source"]))
            for r in rows
        ),
        dead_letters=int(dead),
    )
