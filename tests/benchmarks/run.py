"""Kernel benchmarks, side by side with the eventsourcing anchor on the same server, same run,
then the membership, meetings, payments and reporting services' (``membership_bench``,
``meetings_bench``, ``payments_bench``, ``reporting_bench``).

Not a test: nothing here asserts a speed. Run it with ``./dev bench`` (which provisions the
servers); it reads ``CLWSTWR_DATABASE_URL`` and ``CLWSTWR_REDIS_URL``. ``run.py kernel``,
``run.py membership``, ``run.py meetings``, ``run.py payments`` or ``run.py reporting`` runs
one part only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
from meetings_bench import bench_meetings
from membership_bench import bench_membership
from messaging_bench import bench_latency, bench_relay_and_consumer
from payments_bench import bench_payments
from reporting_bench import bench_reporting

from kernel.events import NewEvent
from kernel.postgres.eventstore import PostgresEventStore
from kernel.postgres.migrations import kernel_migrations, migrate
from kernel.postgres.pool import create_pool

ROOT = Path(__file__).resolve().parents[2]
ANCHOR = ROOT.parent / "shared" / "bench" / "anchor_eventsourcing.py"
PAYLOAD = "x" * 250
AGGREGATES, EVENTS_PER_AGGREGATE, CALLERS = 2000, 10, 8


def report(name: str, **numbers: object) -> dict[str, object]:
    line = {"bench": name, **numbers}
    print(json.dumps(line), flush=True)
    return line


def run_anchor(mode: str) -> dict[str, object]:
    """The eventsourcing library's benchmark on the same server, as a subprocess."""
    if not ANCHOR.exists():
        return report(f"anchor {mode}", skipped=f"{ANCHOR} not found")
    url = urlsplit(os.environ["CLWSTWR_DATABASE_URL"])
    env = {
        **os.environ,
        "PGHOST": url.hostname or "127.0.0.1",
        "PGPORT": str(url.port or 5432),
        "PGUSER": url.username or "postgres",
    }
    command = [sys.executable, str(ANCHOR), mode, "1"]  # our own interpreter and file
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)  # noqa: S603
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return report(f"anchor {mode}", **result)


async def fresh_database(name: str) -> str:
    """A new, empty database on the benchmark server; returns its URL."""
    admin = await asyncpg.connect(os.environ["CLWSTWR_DATABASE_URL"])
    await admin.execute(f"DROP DATABASE IF EXISTS {name}")
    await admin.execute(f"CREATE DATABASE {name}")
    await admin.close()
    url = urlsplit(os.environ["CLWSTWR_DATABASE_URL"])
    return url._replace(path=f"/{name}").geturl()


async def drop_database(name: str) -> None:
    admin = await asyncpg.connect(os.environ["CLWSTWR_DATABASE_URL"])
    await admin.execute(f"DROP DATABASE {name}")
    await admin.close()


async def timed(work: Callable[[], Awaitable[None]]) -> float:
    started = time.perf_counter()
    await work()
    return time.perf_counter() - started


async def bench_append(pool: asyncpg.Pool) -> dict[str, object]:
    """One event per call, 8 concurrent callers, each owning its streams (as anchor threads8)."""
    store = PostgresEventStore(pool, "bench")

    async def caller(k: int) -> None:
        for a in range(AGGREGATES // CALLERS):
            stream = f"account-{k}-{a}"
            for version in range(EVENTS_PER_AGGREGATE):
                event = NewEvent("bench.Changed", {"note": PAYLOAD, "n": version})
                await store.append(stream, version, [event])

    seconds = await timed(lambda: _gather(caller(k) for k in range(CALLERS)))
    events = AGGREGATES * EVENTS_PER_AGGREGATE
    return report("append 1 event/call, 8 callers", events=events, eps=round(events / seconds))


async def bench_raw_commits(pool: asyncpg.Pool) -> dict[str, object]:
    """The ceiling: unordered single-row autocommit inserts from 8 connections, no checks."""
    await pool.execute("CREATE TABLE raw_commits (id bigserial PRIMARY KEY, data jsonb NOT NULL)")
    per_caller = AGGREGATES * EVENTS_PER_AGGREGATE // CALLERS
    row = json.dumps({"note": PAYLOAD})

    async def caller() -> None:
        async with pool.acquire() as conn:
            for _ in range(per_caller):
                await conn.execute("INSERT INTO raw_commits (data) VALUES ($1)", row)

    seconds = await timed(lambda: _gather(caller() for _ in range(CALLERS)))
    events = per_caller * CALLERS
    return report("raw asyncpg commits, 8 connections", rows=events, eps=round(events / seconds))


async def bench_read_all(pool: asyncpg.Pool) -> dict[str, object]:
    """Read the whole log back in pages of 1000, decoded to ``RecordedEvent``s (JSON parsed)."""
    store = PostgresEventStore(pool, "bench")
    count = 0

    async def read() -> None:
        nonlocal count
        position = 0
        while page := await store.read_all(position, 1000):
            position = page[-1].position
            count += len(page)

    await read()  # warm the cache, as the anchor's read follows its own writes
    count = 0
    seconds = await timed(read)
    return report("read_all decoded", events=count, eps=round(count / seconds))


async def _gather(work: Iterable[Awaitable[None]]) -> None:
    await asyncio.gather(*work)


# The service benchmarks: each gets a database of its own, dropped afterwards.
SERVICES: dict[str, Callable[[str, str], Awaitable[object]]] = {
    "membership": bench_membership,
    "meetings": bench_meetings,
    "payments": bench_payments,
    "reporting": bench_reporting,
}


async def main(part: str) -> None:
    if part in ("all", "kernel"):
        await kernel()
    for name, bench in SERVICES.items():
        if part in ("all", name):
            database = f"clwstwr_bench_{uuid.uuid4().hex[:8]}"
            await bench(await fresh_database(database), os.environ["CLWSTWR_REDIS_URL"])
            await drop_database(database)


async def kernel() -> None:
    # FastStream logs every delivered batch at INFO; printing them would be measured too.
    logging.getLogger("faststream").setLevel(logging.WARNING)
    url = await fresh_database(f"clwstwr_bench_{uuid.uuid4().hex[:8]}")
    # Configured as services configure theirs (no reset round trip on release).
    pool = await create_pool(url, min_size=CALLERS + 2, max_size=CALLERS + 4)
    async with pool.acquire() as conn:
        await migrate(conn, "bench", kernel_migrations())
    results = {
        "anchor_threads8": run_anchor("threads8"),
        "anchor_per_agg": run_anchor("per_agg"),
        "append": await bench_append(pool),
        "raw": await bench_raw_commits(pool),
        "read_all": await bench_read_all(pool),
    }
    redis_url = os.environ["CLWSTWR_REDIS_URL"]
    messaging = await bench_relay_and_consumer(pool, redis_url, events=100_000)
    results["messaging"] = report("relay and consumer, 100,000 events", **messaging)
    latency = await bench_latency(pool, url, redis_url, rate=1000, seconds=10)
    results["latency"] = report("append -> consumer effect committed, 1,000 events/s", **latency)
    await pool.close()
    summarise(results)


def summarise(results: dict[str, dict[str, object]]) -> None:
    def number(result: str, key: str) -> float:
        value = results[result].get(key)
        return float(value) if isinstance(value, int | float) else float("nan")

    rows = [
        (
            "append vs anchor threads8",
            number("append", "eps") / number("anchor_threads8", "write_eps"),
            5.0,
        ),
        ("append vs raw commits", number("append", "eps") / number("raw", "eps"), 0.6),
        (
            "read_all vs anchor decoded read",
            number("read_all", "eps") / number("anchor_per_agg", "read_domain_eps"),
            1.2,
        ),
    ]
    print("\nratio                                 measured  target")
    for name, ratio, target in rows:
        print(f"{name:<36} {ratio:>8.2f}x  >= {target}x  {'ok' if ratio >= target else 'BELOW'}")
    relay, consumer = number("messaging", "relay_eps"), number("messaging", "consumer_eps")
    p99 = number("latency", "p99_ms")
    absolute = [
        ("relay to Redis, events/s", relay, ">= 30000", relay >= 30000),
        ("consumer apply + checkpoint, events/s", consumer, ">= 20000", consumer >= 20000),
        ("append -> effect committed, p99 ms", p99, "<= 50", p99 <= 50),
    ]
    print()
    for label, value, goal, met in absolute:
        print(f"{label:<38} {value:>9.1f}  {goal:<8} {'ok' if met else 'BELOW'}")


if __name__ == "__main__":
    PARTS = ("all", "kernel", *SERVICES)
    if len(sys.argv) > 2 or (len(sys.argv) == 2 and sys.argv[1] not in PARTS):
        sys.exit(f"usage: run.py [{' | '.join(PARTS)}]")
    asyncio.run(main(sys.argv[1] if len(sys.argv) == 2 else "all"))
