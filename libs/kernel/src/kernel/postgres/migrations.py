"""A small, ordered, idempotent SQL migration runner, one schema per service.

Migrations are plain SQL files named ``NNNN_description.sql``; ``{schema}`` in them is replaced by
the service's (checked) schema name. Applied names are recorded in ``<schema>.schema_migrations``.
A transaction-level advisory lock makes concurrent runners (several replicas starting at once)
take turns instead of racing.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from kernel.postgres.connection import DbConnection
from kernel.postgres.identifiers import checked_schema


@dataclass(frozen=True, slots=True)
class Migration:
    name: str
    sql: str


def migrations_in(directory: Path | resources.abc.Traversable, prefix: str) -> list[Migration]:
    """Every ``*.sql`` file in ``directory``, in name order, named ``<prefix>/<file>``."""
    files = sorted(
        (f for f in directory.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name
    )
    return [Migration(f"{prefix}/{f.name}", f.read_text(encoding="utf-8")) for f in files]


def kernel_migrations() -> list[Migration]:
    """The kernel's own tables: event store, relay checkpoint, consumer inbox, idempotency."""
    return migrations_in(resources.files("kernel.postgres") / "sql", "kernel")


async def migrate(conn: DbConnection, schema: str, migrations: list[Migration]) -> list[str]:
    """Apply the migrations not yet applied to ``schema``; return the names applied now."""
    schema = checked_schema(schema)
    applied_now: list[str] = []
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", zlib.crc32(schema.encode()))
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        await conn.execute(
            f"CREATE TABLE IF NOT EXISTS {schema}.schema_migrations ("
            " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {r["name"] for r in await conn.fetch(f"SELECT name FROM {schema}.schema_migrations")}
        for migration in migrations:
            if migration.name in done:
                continue
            await conn.execute(migration.sql.replace("{schema}", schema))
            await conn.execute(
                f"INSERT INTO {schema}.schema_migrations (name) VALUES ($1)", migration.name
            )
            applied_now.append(migration.name)
    return applied_now
