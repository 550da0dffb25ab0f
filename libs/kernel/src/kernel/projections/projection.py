"""Projections: read models kept in the consuming service's schema, one consumer each.

A projection declares its tables (a logical name and a DDL template each) and applies events
to whichever physical tables it is handed: the live ones when it runs as a consumer handler
(``ProjectionHandler``), the shadow ones (``<table>__rebuild``) during a rebuild. Its
checkpoints live in ``consumer_checkpoints`` under the projection's name, moved in the same
transaction as its writes, exactly as for any other consumer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from kernel.events import RecordedEvent
from kernel.messaging.handler import DbConnection
from kernel.postgres.identifiers import checked_schema

#: Appended to a table's name for the copy a rebuild fills.
REBUILD_SUFFIX = "__rebuild"


class Projection(Protocol):
    """A read model built from events.

    ``tables`` maps each logical table name (a lower-case identifier) to its DDL template, in
    creation order. In the template ``{table}`` is the schema-qualified physical name and
    ``{name}`` the bare one (for naming indexes: ``CREATE INDEX {name}_by_board ON {table}``);
    leave other constraint and index names to Postgres, which keeps them unique.

    ``apply`` writes ``events`` (consecutive, from one source) to ``tables`` (logical name to
    physical name) on ``conn``, inside the caller's transaction. It must write only there.

    A projection may also have ``event_types``, the only types its ``apply`` changes anything
    for (``handled_types``); a rebuild then reads those alone, and ``events`` may skip the
    positions of the others.
    """

    @property
    def name(self) -> str: ...

    @property
    def tables(self) -> Mapping[str, str]: ...

    async def apply(
        self, conn: DbConnection, events: Sequence[RecordedEvent], tables: Mapping[str, str]
    ) -> None: ...


#: One SQL statement and its arguments, as ``conn.execute(*statement)`` takes them.
Statement = tuple[Any, ...]
#: What one event type does to a read model: its data and the physical tables to statements.
StatementsFor = Callable[[Mapping[str, Any], Mapping[str, str]], Iterable[Statement]]


async def execute_statements(
    conn: DbConnection,
    events: Sequence[RecordedEvent],
    tables: Mapping[str, str],
    *writes: Mapping[str, StatementsFor],
) -> None:
    """The usual body of ``Projection.apply``: run each event's statements, in order.

    ``writes`` map event types to what they do; an event type none of them names changes
    nothing (so types a producer adds later are ignored).
    """
    for event in events:
        for by_type in writes:
            statements_for = by_type.get(event.event_type)
            if statements_for is not None:
                for statement in statements_for(event.data, tables):
                    await conn.execute(*statement)


def one_statement(
    write: Callable[[Mapping[str, Any], Mapping[str, str]], Statement],
) -> StatementsFor:
    """A ``StatementsFor`` from a write that is always exactly one statement."""
    return lambda data, tables: (write(data, tables),)


def handled_types(projection: Projection) -> frozenset[str] | None:
    """The projection's ``event_types``, if it names them (``None``: it reads every type)."""
    types = getattr(projection, "event_types", None)
    return None if types is None else frozenset(types)


def physical_tables(schema: str, projection: Projection, suffix: str = "") -> dict[str, str]:
    """Logical table name to schema-qualified physical name (with ``suffix``)."""
    schema = checked_schema(schema)
    return {
        logical: f"{schema}.{checked_schema(logical + suffix)}" for logical in projection.tables
    }


async def create_tables(
    conn: DbConnection, schema: str, projection: Projection, suffix: str = ""
) -> None:
    """Create the projection's tables that do not exist yet.

    Existing ones are left as they are: a changed DDL takes effect through a rebuild.
    """
    physical = physical_tables(schema, projection, suffix)
    for logical, template in projection.tables.items():
        table = physical[logical]
        if await conn.fetchval("SELECT to_regclass($1)", table) is None:
            # replace, not format: DDL is full of braces (jsonb defaults, arrays).
            ddl = template.replace("{table}", table).replace("{name}", table.split(".", 1)[1])
            await conn.execute(ddl)


class ProjectionHandler:
    """Runs a projection as a consumer handler over its live tables."""

    def __init__(self, projection: Projection, schema: str) -> None:
        self._projection = projection
        self._tables = physical_tables(schema, projection)

    @property
    def name(self) -> str:
        return self._projection.name

    @property
    def tables(self) -> Mapping[str, str]:
        return self._tables

    @property
    def projection(self) -> Projection:
        return self._projection

    async def handle(self, conn: DbConnection, events: Sequence[RecordedEvent]) -> None:
        await self._projection.apply(conn, events, self._tables)
