"""A read model's table as a batch of events leaves it: read once, changed here, written once.

Applying a page of events one statement each costs a database round trip per statement, which
caps a rebuild at a few thousand events a second. Instead a projection reads the rows its
batch will touch (``load``, one query per table), applies every event to them in memory,
exactly as its statements would have (an update of a row that is not there changes nothing),
and writes the result back (``flush``): one delete of the groups the batch replaced, then one
upsert of every row it changed, sent as a JSON array that ``jsonb_populate_recordset`` turns
into rows of the table's own type (so no column types are spelled out here). A batch of any
size costs a few statements.

Rows the batch knows to be new (their group was read or cleared, and they were not there) go in
as a plain INSERT: an upsert's conflict check and speculative insertion cost Postgres half as
much again per row, and a rebuild's rows are nearly all new.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from operator import itemgetter
from typing import Any

import orjson

from kernel.messaging import DbConnection

Row = dict[str, Any]
Key = tuple[Any, ...]


class BatchedRows:
    """The rows of one table that a batch reads or writes.

    Args:
        table: the physical table.
        key: its primary key's columns.
        columns: every column, the key's included.
    """

    def __init__(self, table: str, key: Sequence[str], columns: Sequence[str]) -> None:
        self._table = table
        self._key = tuple(key)
        self._columns = tuple(columns)
        # itemgetter: C speed for work done for every row a rebuild writes.
        self._key_of: Callable[[Row], Key] = _tuple_getter(self._key)
        self._rows: dict[Key, Row] = {}
        self._changed: dict[Key, Row] = {}
        self._by_group: dict[Any, set[Key]] = {}  # the first key column's value -> keys
        self._cleared: set[Any] = set()
        self._stored: set[Key] = set()  # keys of the rows read from the table
        self._complete: set[Any] = set()  # groups whose every stored row is in _stored
        names = ", ".join(self._columns)
        others = [c for c in self._columns if c not in self._key]
        on_conflict = (
            "DO UPDATE SET " + ", ".join(f"{c} = EXCLUDED.{c}" for c in others)
            if others
            else "DO NOTHING"
        )
        self._select = f"SELECT {names} FROM {table} WHERE {{column}} = ANY($1)"
        self._insert = (
            f"INSERT INTO {table} ({names}) SELECT {names}"
            f" FROM jsonb_populate_recordset(NULL::{table}, $1::jsonb)"
        )
        self._upsert = f"{self._insert} ON CONFLICT ({', '.join(self._key)}) {on_conflict}"
        self._delete = f"DELETE FROM {table} WHERE {self._key[0]} = ANY($1)"

    async def load(self, conn: DbConnection, column: str, values: Collection[Any]) -> None:
        """Read the stored rows whose ``column`` is one of ``values``; call before changing any."""
        if not values:
            return
        if column == self._key[0]:
            self._complete.update(values)
        for record in await conn.fetch(self._select.format(column=column), list(values)):
            row = dict(record)
            key = self._key_of(row)
            self._stored.add(key)
            self._remember(key, row)

    def get(self, *key: Any) -> Row | None:  # noqa: ANN401 - key columns have any type
        """The row as the batch has left it so far (None: not there, or not loaded)."""
        return self._rows.get(key)

    def put(self, row: Row) -> None:
        """Insert or replace a whole row (every column)."""
        # _remember inlined: a rebuild puts every row it writes, and the call was a third of it.
        key = self._key_of(row)
        self._rows[key] = row
        self._changed[key] = row
        group = self._by_group.get(key[0])
        if group is None:
            self._by_group[key[0]] = {key}
        else:
            group.add(key)

    def clear(self, group: Any) -> None:  # noqa: ANN401 - key columns have any type
        """Delete every row whose first key column is ``group`` (rows put after it stay)."""
        self._cleared.add(group)
        self._complete.add(group)  # deleted before anything is written: none stored then
        for key in self._by_group.pop(group, ()):
            self._rows.pop(key, None)
            self._changed.pop(key, None)
            self._stored.discard(key)

    async def flush(self, conn: DbConnection) -> None:
        """Write what the batch did: the cleared groups' deletes, then every changed row."""
        if self._cleared:
            await conn.execute(self._delete, list(self._cleared))
        if self._changed:
            new: list[Row] = []
            known: list[Row] = []
            complete, stored = self._complete, self._stored
            for key, row in self._changed.items():
                (new if key[0] in complete and key not in stored else known).append(row)
            if new:
                await conn.execute(self._insert, orjson.dumps(new).decode())
            if known:
                await conn.execute(self._upsert, orjson.dumps(known).decode())
        for state in (self._rows, self._changed, self._by_group, self._cleared):
            state.clear()
        self._stored.clear()
        self._complete.clear()

    def _remember(self, key: Key, row: Row) -> None:
        self._rows[key] = row
        self._by_group.setdefault(key[0], set()).add(key)


def _tuple_getter(columns: tuple[str, ...]) -> Callable[[Row], tuple[Any, ...]]:
    """A row's values of ``columns``, always as a tuple (``itemgetter`` of one is not)."""
    if len(columns) == 1:
        (column,) = columns
        return lambda row: (row[column],)
    return itemgetter(*columns)
