"""The payments benchmark (issue 5): a year of Wales accrued, and how soon an accrual shows.

Two measurements, each printed as one JSON line; nothing here asserts a speed.

* **Replay.** The year's membership roster and every meetings event (``payments_wales``, the
  meetings benchmark's Wales in the published shapes) are appended to two source stores, whose
  relays put them on their streams as production would; the sources are kernel services with
  no behaviour of their own, run in this process, so they also serve the EventFeed. Then
  payments starts (``python -m payments``) and is timed from its launch (start-up included:
  its consumers begin before its API answers) until its consumers' checkpoints reach the end
  of both sources: the ledger commits with the checkpoint, so by then it holds every
  accrual. Printed: events/s, meetings held/s, ledger lines, and whether the ledger matches a
  recomputation from the events.
* **Latency.** Membership, meetings and payments run as processes and 8 clerks record the
  meetings benchmark's year through meetings' gRPC API. For a sample of meetings whose lead
  is paid, a probe polls ``GetStatement`` for the payee from the moment ``RecordMeetingHeld``
  returns until the meeting's line is there. Printed: p50/p99 of that wait.

``PAYMENTS_BENCH_SCALE`` (0-1; default ``MEETINGS_BENCH_SCALE``, else 1) runs a share of the
clusters, for a quick look.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager

import asyncpg
from grpc import aio
from meetings_bench import process, until
from membership_bench import PRINCIPALS, cpu_seconds, percentiles
from payments_wales import FINANCIAL_YEAR, payee_of_lead, roster_events, year_of_meetings
from redis.asyncio import Redis

from clwstwr.meetings.v1.meetings_service_pb2_grpc import MeetingsServiceStub
from clwstwr.membership.v1 import membership_service_pb2 as mpb
from clwstwr.membership.v1.membership_service_pb2_grpc import MembershipServiceStub
from clwstwr.payments.v1 import payments_service_pb2 as ppb
from clwstwr.payments.v1.payments_service_pb2_grpc import PaymentsServiceStub
from clwstwr_ops.demo.meetings_wales import BodyPlan, Command, meeting_scripts, plan_wales
from clwstwr_ops.ports import ephemeral_port
from kernel.eventstore.port import EventStore
from kernel.feed import LocalEventSource
from kernel.grpc.auth import hash_token
from kernel.messaging.message import decode_entry
from kernel.postgres.eventstore import PostgresEventStore
from kernel.runtime import RunningService, ServiceDefinition, ServiceParts, start_service
from kernel.settings import ServiceSettings
from payments.application.reconciliation import Sources, differences, totals_from_events

CLIENTS = 8
#: One meeting in PROBE_EVERY of those that pay their lead is probed, asking for its lead's
#: statement every PROBE_POLL_S until the meeting's line shows (the wait measured includes up to
#: one interval more than the true one). Probing is load on payments of its own, and it grows
#: with the lag (a waiting probe asks up to ~100 times a second): the summary prints the
#: probe's calls/s.
PROBE_EVERY = 2
PROBE_POLL_S = 0.005
FEED_READER = "payments-feed"
TOKENS = json.dumps(
    {
        hash_token(t): {"subject": s, "role": r, "scope": b}
        for t, (s, r, b) in {**PRINCIPALS, FEED_READER: ("payments", "service", "payments")}.items()
    }
)
Latencies = list[float]


def bench_scale() -> float:
    return float(
        os.environ.get("PAYMENTS_BENCH_SCALE", os.environ.get("MEETINGS_BENCH_SCALE", "1"))
    )


async def bench_payments(database_url: str, redis_url: str) -> list[dict[str, object]]:
    scale = bench_scale()
    replay = await bench_replay(database_url, redis_url, scale)
    latency = await bench_accrual_latency(database_url, redis_url, scale)
    eps, p99 = replay["events_per_s"], latency["p99_ms"]
    full = scale == 1
    for label, value, goal, met in (
        ("payments: replay accrual, events/s", eps, ">= 5000", float(str(eps)) >= 5000),
        ("payments: held -> GetStatement, p99 ms", p99, "<= 250", float(str(p99)) <= 250),
    ):
        verdict = ("ok" if met else "BELOW") if full else "(partial run)"
        print(f"\n{label:<50} {value:>8}  {goal:<8} {verdict}")
    return [replay, latency]


# --- replay -------------------------------------------------------------------------------


def _bare_source(name: str, database_url: str, redis_url: str) -> ServiceSettings:
    return ServiceSettings(
        service_name=name,
        instance_name=name,
        database_url=database_url,
        redis_url=redis_url,
        grpc_port=ephemeral_port(),
        auth_tokens=TOKENS,
    )


async def _no_parts(_: object) -> ServiceParts:
    return ServiceParts()


@asynccontextmanager
async def source_service(
    name: str, database_url: str, redis_url: str
) -> AsyncIterator[RunningService]:
    """A kernel service with nothing of its own: its store, relay and EventFeed only."""
    running = await start_service(
        ServiceDefinition(name=name, build=_no_parts), _bare_source(name, database_url, redis_url)
    )
    try:
        yield running
    finally:
        await running.stop(grace=0)


async def bench_replay(database_url: str, redis_url: str, scale: float) -> dict[str, object]:
    suffix = uuid.uuid4().hex[:8]
    members, minutes, payments = (
        f"{s}_pbench_{suffix}" for s in ("membership", "meetings", "payments")
    )
    bodies = plan_wales(scale)
    rng = random.Random(5)
    year = [m for body in bodies for m in year_of_meetings(body, rng)]
    rng.shuffle(year)  # meetings are recorded in no particular order of body
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    redis = Redis.from_url(redis_url)
    async with AsyncExitStack() as stack:
        roster = await stack.enter_async_context(source_service(members, database_url, redis_url))
        meetings = await stack.enter_async_context(source_service(minutes, database_url, redis_url))
        for body in bodies:
            await roster.store.append(f"bench-roster-{body.body_id}", None, roster_events(body))
        for meeting in year:
            await meetings.store.append(meeting.stream_id, None, meeting.events)
        last = {s.settings.service_name: await s.store.last_position() for s in (roster, meetings)}
        await until(lambda: _all_published(redis, last), 300)
        port = ephemeral_port()
        spawned = time.perf_counter()
        pid = await stack.enter_async_context(
            process(
                "payments",
                port,
                service_name=payments,
                instance_name=payments,
                membership_source=members,
                meetings_source=minutes,
                feed_token=FEED_READER,
                feed_targets=json.dumps(
                    {
                        s.settings.service_name: f"127.0.0.1:{s.server.port}"
                        for s in (roster, meetings)
                    }
                ),
                auth_tokens=TOKENS,
                database_url=database_url,
                redis_url=redis_url,
            )
        )
        channel = aio.insecure_channel(f"127.0.0.1:{port}")
        stack.push_async_callback(channel.close)
        stub = PaymentsServiceStub(channel)
        national = [("authorization", "Bearer national")]
        await until(lambda: stub.ListRateCards(ppb.ListRateCardsRequest(), metadata=national), 60)
        ready = time.perf_counter()
        await _poll(lambda: _caught_up(pool, payments, last), seconds=900, every=0.02)
        # Timed from the launch: the consumers start before the API answers, so timing from
        # the first answer would leave out events already applied (all of a small run).
        seconds = time.perf_counter() - spawned
        cpu = cpu_seconds(pid)
        ledger = await pool.fetchrow(
            f"SELECT count(*) AS lines, count(reverses) AS reversals,"
            f" count(DISTINCT payee) AS payees, coalesce(sum(amount_pence), 0)::bigint AS pence"
            f" FROM {payments}.ledger"
        )
        assert ledger is not None  # an aggregate always answers one row
        expected = await totals_from_events(
            Sources(
                LocalEventSource(members, roster.store),
                LocalEventSource(minutes, meetings.store),
                LocalEventSource(payments, PostgresEventStore(pool, payments)),
            )
        )
        held = await _ledger_totals(pool, payments)
        mismatched = len(differences(expected, held))
    await redis.delete(*(f"{name}.events.v1" for name in (members, minutes, payments)))
    await redis.aclose()
    for schema in (members, minutes, payments):
        await pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    await pool.close()
    events = sum(last.values())
    summary: dict[str, object] = {
        "bench": "payments replay a year of Wales",
        "scale": scale,
        "membership_events": last[members],
        "meetings_events": last[minutes],
        "meetings_held": len(year),
        "startup_s": round(ready - spawned, 2),
        "seconds": round(seconds, 2),
        "events_per_s": round(events / seconds),
        # An upper bound: some events were applied before the API first answered.
        "events_per_s_after_first_answer": round(events / (seconds - (ready - spawned))),
        "meetings_held_per_s": round(len(year) / seconds),
        "server_cpu_ms_per_event": round(cpu * 1000 / events, 3),
        "ledger_lines": ledger["lines"],
        "reversals": ledger["reversals"],
        "payees": ledger["payees"],
        "ledger_pence": ledger["pence"],
        "totals_differing_from_a_recomputation": mismatched,
    }
    print(json.dumps(summary), flush=True)
    return summary


async def _all_published(redis: Redis, last: dict[str, int]) -> bool:
    lengths = [int(await redis.xlen(f"{name}.events.v1")) for name in last]
    return all(length >= position for length, position in zip(lengths, last.values(), strict=True))


async def _caught_up(pool: asyncpg.Pool, schema: str, last: dict[str, int]) -> bool:
    try:
        rows = await pool.fetch(f"SELECT source, position FROM {schema}.consumer_checkpoints")
    except asyncpg.UndefinedTableError:
        return False
    reached = {r["source"]: r["position"] for r in rows}
    return all(reached.get(source, 0) >= position for source, position in last.items())


async def _ledger_totals(pool: asyncpg.Pool, schema: str) -> dict[tuple[str, str, str, str], int]:
    rows = await pool.fetch(
        f"SELECT health_board, financial_year, payee, rule_id, sum(amount_pence)::bigint"
        f" FROM {schema}.ledger GROUP BY 1, 2, 3, 4"
    )
    return {(r[0], r[1], r[2], r[3]): r[4] for r in rows if r[4]}


async def _poll(check: Callable[[], Awaitable[bool]], *, seconds: float, every: float) -> None:
    async with asyncio.timeout(seconds):
        while not await check():
            await asyncio.sleep(every)


# --- latency ------------------------------------------------------------------------------


async def bench_accrual_latency(
    database_url: str, redis_url: str, scale: float
) -> dict[str, object]:
    suffix = uuid.uuid4().hex[:8]
    members, minutes, payments = (
        f"{s}_plat_{suffix}" for s in ("membership", "meetings", "payments")
    )
    ports = {name: ephemeral_port() for name in (members, minutes, payments)}
    common = {
        "database_url": database_url,
        "redis_url": redis_url,
        "auth_tokens": TOKENS,
        "feed_token": FEED_READER,
    }
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(
            process(
                "membership", ports[members], service_name=members, instance_name=members, **common
            )
        )
        await stack.enter_async_context(
            process(
                "meetings",
                ports[minutes],
                service_name=minutes,
                instance_name=minutes,
                membership_source=members,
                feed_targets=json.dumps({members: f"127.0.0.1:{ports[members]}"}),
                **common,
            )
        )
        await stack.enter_async_context(
            process(
                "payments",
                ports[payments],
                service_name=payments,
                instance_name=payments,
                membership_source=members,
                meetings_source=minutes,
                feed_targets=json.dumps(
                    {name: f"127.0.0.1:{ports[name]}" for name in (members, minutes)}
                ),
                **common,
            )
        )
        channel = aio.insecure_channel(f"127.0.0.1:{ports[members]}")
        stack.push_async_callback(channel.close)
        seed = mpb.SeedRegisterRequest(established_on="2024-04-01")
        operator = [("authorization", "Bearer operator")]
        await until(lambda: MembershipServiceStub(channel).SeedRegister(seed, metadata=operator))
        bodies = plan_wales(scale)
        store: EventStore = PostgresEventStore(pool, members)
        for body in bodies:
            await store.append(f"bench-roster-{body.body_id}", None, roster_events(body))
        people = sum(len(b.people) for b in bodies)
        await until(lambda: _rows(pool, f"{minutes}.memberships", people), 300)
        await until(lambda: _rows(pool, f"{payments}.organisations", people), 300)
        rng = random.Random(4)
        scripts = [(b, s) for b in bodies for s in meeting_scripts(b, rng)]
        rng.shuffle(scripts)
        probe = Probe(f"127.0.0.1:{ports[payments]}")
        seconds = await drive_and_probe(f"127.0.0.1:{ports[minutes]}", probe, scripts)
        delivered = await _delivery_delays(pool, minutes, payments, probe.seen)
        relayed = await _relay_delays(pool, redis_url, minutes, probe.seen)
    await _drop_streams(redis_url, members, minutes, payments)
    for schema in (members, minutes, payments):
        await pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    await pool.close()
    summary: dict[str, object] = {
        "bench": "payments RecordMeetingHeld -> line in GetStatement, under the meetings load",
        "scale": scale,
        "meetings": len(scripts),
        "meetings_per_s": round(len(scripts) / seconds, 1),
        "probed": len(probe.waits),
        "never_seen": probe.never_seen,
        "probe_statement_calls_per_s": round(probe.calls / seconds, 1),
        **percentiles(probe.waits),
        "max_ms": round(max(probe.waits, default=float("nan")) * 1000, 2),
        "held_appended_to_on_stream": percentiles(relayed),
        "held_appended_to_accrual_started": percentiles(delivered),
    }
    print(json.dumps(summary), flush=True)
    return summary


async def _delivery_delays(
    pool: asyncpg.Pool, meetings: str, payments: str, meeting_ids: list[str]
) -> Latencies:
    """Per meeting, from its ``MeetingHeld`` append to payments' accruing transaction (seconds).

    Both are transaction start times on the one database server (``recorded_at`` defaults to
    ``now()``): the part of the wait spent getting the event to payments (commit, relay,
    Redis, delivery), the rest being the accrual, its commit and the probe's reads.
    """
    rows = await pool.fetch(
        f"SELECT extract(epoch FROM l.accrued - e.recorded_at) FROM {meetings}.events e"
        f" JOIN (SELECT source_id, min(recorded_at) AS accrued FROM {payments}.ledger"
        " GROUP BY source_id) l ON l.source_id = e.data->>'meeting_id'"
        " WHERE e.event_type = 'meetings.MeetingHeld' AND l.source_id = ANY($1::text[])",
        meeting_ids,
    )
    return [float(r[0]) for r in rows]


async def _relay_delays(
    pool: asyncpg.Pool, redis_url: str, meetings: str, meeting_ids: list[str]
) -> Latencies:
    """Per meeting, from its ``MeetingHeld`` append to its stream entry (the entry id's time)."""
    appended = {
        r[0]: r[1].timestamp()
        for r in await pool.fetch(
            f"SELECT data->>'meeting_id', recorded_at FROM {meetings}.events"
            " WHERE event_type = 'meetings.MeetingHeld' AND data->>'meeting_id' = ANY($1::text[])",
            meeting_ids,
        )
    }
    redis = Redis.from_url(redis_url)
    delays, after = [], "-"
    while entries := await redis.xrange(f"{meetings}.events.v1", min=after, count=5000):
        for entry_id, fields in entries:
            if b'"meetings.MeetingHeld"' not in b"".join(fields.values()):
                continue
            event = decode_entry(fields)
            if event.data["meeting_id"] in appended:
                on_stream = int(entry_id.decode().split("-")[0]) / 1000
                delays.append(on_stream - appended[event.data["meeting_id"]])
        after = "(" + entries[-1][0].decode()
    await redis.aclose()
    return delays


async def _rows(pool: asyncpg.Pool, table: str, at_least: int) -> bool:
    try:
        return int(await pool.fetchval(f"SELECT count(*) FROM {table}")) >= at_least
    except asyncpg.UndefinedTableError:
        return False


async def _drop_streams(redis_url: str, *services: str) -> None:
    redis = Redis.from_url(redis_url)
    await redis.delete(*(f"{name}.events.v1" for name in services))
    await redis.aclose()


class Probe:
    """Samples meetings' accruals: from ``RecordMeetingHeld`` returning to the line showing."""

    def __init__(self, payments_target: str) -> None:
        self._channel = aio.insecure_channel(payments_target)
        self._statements = PaymentsServiceStub(self._channel)
        self._tasks: list[asyncio.Task[None]] = []
        self._eligible = 0
        self.waits: Latencies = []
        self.seen: list[str] = []  # the probed meetings whose line showed
        self.never_seen = 0
        self.calls = 0  # GetStatement calls made: the probe's own load on payments

    def held(self, body: BodyPlan, meeting_id: str, held_at: float) -> None:
        """``body``'s meeting was recorded held at ``held_at``: probe it, if in the sample."""
        payee = payee_of_lead(body)
        if payee is None:
            return
        self._eligible += 1
        if self._eligible % PROBE_EVERY == 0:
            watch = self._watch(body.token, payee, meeting_id, held_at)
            self._tasks.append(asyncio.create_task(watch))

    async def finish(self) -> None:
        await asyncio.gather(*self._tasks)
        await self._channel.close()

    async def _watch(self, token: str, payee: str, meeting_id: str, held_at: float) -> None:
        request = ppb.GetStatementRequest(payee=payee, financial_year=FINANCIAL_YEAR)
        metadata = [("authorization", f"Bearer {token}")]
        try:
            async with asyncio.timeout(60):
                while not await self._shows(request, metadata, meeting_id):
                    await asyncio.sleep(PROBE_POLL_S)
        except TimeoutError:
            self.never_seen += 1
        else:
            self.waits.append(time.perf_counter() - held_at)
            self.seen.append(meeting_id)

    async def _shows(
        self, request: ppb.GetStatementRequest, metadata: list[tuple[str, str]], meeting_id: str
    ) -> bool:
        self.calls += 1
        try:
            reply = await self._statements.GetStatement(request, metadata=metadata)
        except aio.AioRpcError:
            return False  # the payee is not known to payments yet
        return any(e.source_id == meeting_id for e in reply.entries)


async def drive_and_probe(
    meetings_target: str, probe: Probe, scripts: list[tuple[BodyPlan, list[Command]]]
) -> float:
    """Record every meeting with ``CLIENTS`` clerks, telling ``probe``; return the seconds."""
    queue: asyncio.Queue[tuple[BodyPlan, list[Command]]] = asyncio.Queue()
    for script in scripts:
        queue.put_nowait(script)
    run = uuid.uuid4().hex[:6]

    async def clerk(n: int) -> None:
        async with aio.insecure_channel(meetings_target) as channel:
            stub, sent = MeetingsServiceStub(channel), 0
            while not queue.empty():
                body, script = queue.get_nowait()
                meeting_id, held_at = "", 0.0
                for rpc, request in script:
                    if rpc != "ScheduleMeeting":
                        request.meeting_id = meeting_id
                    sent += 1
                    metadata = [
                        ("authorization", f"Bearer {body.token}"),
                        ("idempotency-key", f"{run}-{n}-{sent}"),
                    ]
                    reply = await getattr(stub, rpc)(request, metadata=metadata)
                    held_at = time.perf_counter() if rpc == "RecordMeetingHeld" else held_at
                    meeting_id = meeting_id or reply.meeting_id
                probe.held(body, meeting_id, held_at)

    started = time.perf_counter()
    await asyncio.gather(*(clerk(n) for n in range(CLIENTS)))
    seconds = time.perf_counter() - started
    await probe.finish()
    return seconds
