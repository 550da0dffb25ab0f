"""BatchedRows on PostgreSQL: what a batch leaves is what its statements one by one would have."""

import asyncpg
import pytest

from reporting.adapters.batched_rows import BatchedRows

pytestmark = pytest.mark.integration


async def test_new_rows_inserted_and_known_ones_upserted_give_the_same_table(
    pg_pool: asyncpg.Pool, pg_schema: str
) -> None:
    table = f"{pg_schema}.rows"
    await pg_pool.execute(
        f"CREATE TABLE {table} (grp text NOT NULL, n integer NOT NULL, v text NOT NULL,"
        " PRIMARY KEY (grp, n))"
    )
    await pg_pool.execute(
        f"INSERT INTO {table} VALUES ('read', 1, 'old'), ('unread', 1, 'old'),"
        " ('cleared', 1, 'old'), ('cleared', 2, 'old')"
    )
    rows = BatchedRows(table, ("grp", "n"), ("grp", "n", "v"))
    async with pg_pool.acquire() as conn, conn.transaction():
        await rows.load(conn, "grp", {"read", "empty"})
        assert rows.get("read", 1) == {"grp": "read", "n": 1, "v": "old"}
        rows.put({"grp": "read", "n": 1, "v": "changed"})  # stored: an upsert
        rows.put({"grp": "read", "n": 2, "v": "new"})  # a group read whole: new
        rows.put({"grp": "empty", "n": 1, "v": "new"})
        rows.put({"grp": "unread", "n": 1, "v": "changed"})  # not read: an upsert
        rows.clear("cleared")
        rows.put({"grp": "cleared", "n": 2, "v": "again"})  # deleted first: new
        await rows.flush(conn)
    stored = await pg_pool.fetch(f"SELECT grp, n, v FROM {table} ORDER BY grp, n")
    assert [tuple(r) for r in stored] == [
        ("cleared", 2, "again"),
        ("empty", 1, "new"),
        ("read", 1, "changed"),
        ("read", 2, "new"),
        ("unread", 1, "changed"),
    ]
