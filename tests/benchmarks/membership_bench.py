"""The membership benchmark (issue 3): register a realistic Wales through the gRPC API.

The service runs as its own process (``python -m membership``), so client and server share no
event loop; 8 client tasks, each with its own channel, drain a shuffled queue of commands per
phase. Then ``ListMembers`` is timed while 8 clients keep registering and enrolling people.
Last, with the service stopped, the machine's ceiling for such a command (``grpc_ceiling``),
against which commands/s are read. ``MEMBERSHIP_BENCH_REPLICAS`` runs several membership
processes on one schema. Nothing here asserts a speed: it prints one JSON line per phase, then
the targets.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from grpc import aio
from grpc_ceiling import STATEMENTS, measure_ceiling
from redis.asyncio import Redis

from clwstwr.membership.v1 import membership_service_pb2 as pb
from clwstwr.membership.v1.membership_service_pb2_grpc import MembershipServiceStub
from clwstwr_ops.demo.membership_wales import Call, ClusterPlan, plan_wales
from clwstwr_ops.ports import ephemeral_port
from kernel.grpc.auth import hash_token

CLIENTS, QUERY_CLIENTS, LOAD_SECONDS = 8, 2, 15
#: Membership processes sharing the schema (a deployment's replicas); clients are spread over them.
REPLICAS = int(os.environ.get("MEMBERSHIP_BENCH_REPLICAS", "1"))
BOARDS = [f"7A{n}" for n in range(1, 8)]
PRINCIPALS = {
    "operator": ("ops", "operator", None),
    "national": ("spcc", "national", None),
    **{f"board-{b.lower()}": (f"board-{b}", "health_board", b) for b in BOARDS},
}
Latencies = dict[str, list[float]]


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples) or [float("nan")]

    def at(q: float) -> float:
        return round(ordered[int(q * (len(ordered) - 1))] * 1000, 2)

    return {"p50_ms": at(0.5), "p99_ms": at(0.99)}


def cpu_seconds(*pids: int) -> float:
    """User + system CPU the processes have used so far (Linux ``/proc``)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time every core has spent busy so far, the whole machine's (Linux ``/proc/stat``)."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle, iowait = ticks[3], ticks[4]
    return (sum(ticks) - idle - iowait) / os.sysconf("SC_CLK_TCK")


class Client:
    """One client: its own channel, a token per call, an idempotency key per command."""

    def __init__(self, target: str, run: str) -> None:
        self.channel = aio.insecure_channel(target)
        self.stub = MembershipServiceStub(self.channel)
        self.run, self.sent = run, 0

    async def call(
        self, rpc: str, request: Any, token: str, latencies: Latencies | None = None
    ) -> Any:
        self.sent += 1
        metadata = [("authorization", f"Bearer {token}")]
        if not rpc.startswith(("List", "Get")):
            metadata.append(("idempotency-key", f"{self.run}-{id(self)}-{self.sent}"))
        started = time.perf_counter()
        reply = await getattr(self.stub, rpc)(request, metadata=metadata)
        if latencies is not None:
            latencies[rpc].append(time.perf_counter() - started)
        return reply


@asynccontextmanager
async def replica(env: dict[str, str], instance: str) -> AsyncIterator[tuple[str, int]]:
    """One ``python -m membership`` on a free port, answering; yields (target, pid)."""
    port = ephemeral_port()
    env = {**env, "CLWSTWR_INSTANCE_NAME": instance, "CLWSTWR_GRPC_PORT": str(port)}
    log = tempfile.TemporaryFile()  # noqa: SIM115 - read back only if the service dies
    command = [sys.executable, "-m", "membership"]
    process = await asyncio.create_subprocess_exec(*command, env=env, stdout=log, stderr=log)
    target = f"127.0.0.1:{port}"
    try:
        probe_client = Client(target, "probe")
        for _ in range(300):
            if process.returncode is not None:
                log.seek(0)
                raise RuntimeError(f"membership exited:\n{log.read().decode()[-3000:]}")
            try:
                await probe_client.call(
                    "ListHealthBoards", pb.ListHealthBoardsRequest(), "national"
                )
                break
            except aio.AioRpcError:
                await asyncio.sleep(0.1)
        else:
            raise RuntimeError(f"membership did not answer on {target} within 30 s")
        await probe_client.channel.close()
        yield target, process.pid
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)
        log.close()


@asynccontextmanager
async def membership_service(
    database_url: str, redis_url: str, replicas: int = 1
) -> AsyncIterator[tuple[list[str], list[int]]]:
    """``replicas`` membership processes sharing one fresh schema; yields (targets, pids).

    Started one after another, so the first alone migrates the schema.
    """
    tokens = {
        hash_token(token): {"subject": s, "role": r, "scope": b}
        for token, (s, r, b) in PRINCIPALS.items()
    }
    name = f"membership_bench_{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "CLWSTWR_SERVICE_NAME": name,
        "CLWSTWR_DATABASE_URL": database_url,
        "CLWSTWR_REDIS_URL": redis_url,
        "CLWSTWR_AUTH_TOKENS": json.dumps(tokens),
    }
    try:
        async with AsyncExitStack() as running:
            started = [
                await running.enter_async_context(replica(env, f"{name}-{n}"))
                for n in range(replicas)
            ]
            yield [target for target, _ in started], [pid for _, pid in started]
    finally:
        redis = Redis.from_url(redis_url)
        await redis.delete(f"{name}.events.v1")  # the database is the caller's to drop
        await redis.aclose()


async def drive(clients: list[Client], calls: list[Call], pids: list[int], phase: str) -> Latencies:
    """Every call through a shared queue drained by all clients; reports one JSON line."""
    queue: asyncio.Queue[Call] = asyncio.Queue()
    for item in calls:
        queue.put_nowait(item)
    latencies: Latencies = defaultdict(list)

    async def client(c: Client) -> None:
        while not queue.empty():
            rpc, request, token, answered = queue.get_nowait()
            answered(await c.call(rpc, request, token, latencies))

    server_cpu, client_cpu, started = cpu_seconds(*pids), time.process_time(), time.perf_counter()
    await asyncio.gather(*(client(c) for c in clients))
    seconds = time.perf_counter() - started
    samples = [s for rpc in latencies.values() for s in rpc]
    line = {
        "bench": f"membership {phase}",
        "commands": len(samples),
        "seconds": round(seconds, 2),
        "commands_per_s": round(len(samples) / seconds),
        **percentiles(samples),
        "server_cpu_s": round(cpu_seconds(*pids) - server_cpu, 2),
        "client_cpu_s": round(time.process_time() - client_cpu, 2),
    }
    print(json.dumps(line), flush=True)
    return latencies


async def under_load(
    clients: list[Client], targets: list[str], plans: list[ClusterPlan], pids: list[int]
) -> dict[str, object]:
    """``ListMembers`` (random bodies, as of today) while 8 clients register and enrol people."""
    rng, deadline = random.Random(7), time.perf_counter() + LOAD_SECONDS
    commands: Latencies = defaultdict(list)
    queries: Latencies = defaultdict(list)
    bodies = [body for plan in plans for body in plan.bodies()]
    today = dt.datetime.now(dt.UTC).date().isoformat()

    async def commander(c: Client) -> None:
        while time.perf_counter() < deadline:
            plan = rng.choice(plans)
            person = await c.call(*plan.newcomer(rng), commands)
            await c.call(*plan.enrolment(rng, person.person_id), commands)

    async def asker(c: Client) -> None:
        while time.perf_counter() < deadline:
            body = rng.choice(bodies)
            request = pb.ListMembersRequest(body_id=body, as_of=today)
            await c.call("ListMembers", request, "national", queries)

    askers = [Client(targets[n % len(targets)], "query") for n in range(QUERY_CLIENTS)]
    server_cpu, started = cpu_seconds(*pids), time.perf_counter()
    await asyncio.gather(*(commander(c) for c in clients), *(asker(c) for c in askers))
    seconds = time.perf_counter() - started
    for c in askers:
        await c.channel.close()
    sent = [s for rpc in commands.values() for s in rpc]
    line: dict[str, object] = {
        "bench": "membership ListMembers under command load",
        "queries": len(queries["ListMembers"]),
        "queries_per_s": round(len(queries["ListMembers"]) / seconds),
        **percentiles(queries["ListMembers"]),
        "commands": len(sent),
        "commands_per_s": round(len(sent) / seconds),
        "command_p99_ms": percentiles(sent)["p99_ms"],
        "server_cpu_s": round(cpu_seconds(*pids) - server_cpu, 2),
    }
    print(json.dumps(line), flush=True)
    return line


async def bench_membership(database_url: str, redis_url: str) -> dict[str, object]:
    """Seed, register Wales phase by phase, then query under load; print and return a summary."""
    async with membership_service(database_url, redis_url, REPLICAS) as (targets, pids):
        run = uuid.uuid4().hex[:8]
        # Each client talks to one replica, as a health board system behind no balancer would.
        clients = [Client(targets[n % len(targets)], run) for n in range(CLIENTS)]
        seed = pb.SeedRegisterRequest(established_on="2024-04-01")
        await clients[0].call("SeedRegister", seed, "operator")
        plans = await plan_wales(clients[0].call)
        everything: Latencies = defaultdict(list)
        phases: list[tuple[str, Callable[[ClusterPlan], list[Call]]]] = [
            ("organisations", ClusterPlan.organisation_calls),
            ("people", ClusterPlan.person_calls),
            ("memberships", ClusterPlan.membership_calls),
            ("appointments", ClusterPlan.appointment_calls),
        ]
        started, server_cpu = time.perf_counter(), cpu_seconds(*pids)
        client_cpu, machine_cpu = time.process_time(), machine_busy_seconds()
        for phase, calls_of in phases:
            calls = [call for plan in plans for call in calls_of(plan)]
            random.Random(phase).shuffle(calls)
            for rpc, samples in (await drive(clients, calls, pids, phase)).items():
                everything[rpc].extend(samples)
        seconds = time.perf_counter() - started
        server_cpu = cpu_seconds(*pids) - server_cpu
        client_cpu = time.process_time() - client_cpu
        machine_cpu = machine_busy_seconds() - machine_cpu
        queried = await under_load(clients, targets, plans, pids)
        for c in clients:
            await c.channel.close()
    ceiling = await measure_ceiling(database_url, CLIENTS)
    print(json.dumps({"bench": "membership ceiling: bare grpc.aio calls", **ceiling}), flush=True)
    samples = [s for rpc in everything.values() for s in rpc]
    summary: dict[str, object] = {
        "bench": "membership register Wales",
        "replicas": REPLICAS,
        "clusters": len(plans),
        "organisations": len(everything["RegisterOrganisation"]),
        "people": len(everything["RegisterPerson"]),
        "memberships": len(everything["EnrolMember"]),
        "appointments": len(everything["AppointLead"]),
        "commands": len(samples),
        "commands_per_s": round(len(samples) / seconds),
        **percentiles(samples),
        "server_cpu_ms_per_command": round(1000 * server_cpu / len(samples), 2),
        # The clients run in this process; the rest is PostgreSQL, Redis and the machine.
        "client_cpu_ms_per_command": round(1000 * client_cpu / len(samples), 2),
        "machine_cpu_ms_per_command": round(1000 * machine_cpu / len(samples), 2),
        "machine_busy": round(machine_cpu / (seconds * (os.cpu_count() or 1)), 2),
        "by_command": {rpc: percentiles(s) for rpc, s in everything.items()},
    }
    print(json.dumps(summary), flush=True)
    rate, p99 = float(str(summary["commands_per_s"])), float(str(queried["p99_ms"]))
    bare = ceiling["statement_calls_per_s"]
    print()
    print(
        f"this machine's ceiling: a bare grpc.aio call {ceiling['empty_calls_per_s']}/s,"
        f" one running {STATEMENTS} statements {bare}/s; commands reach {rate / bare:.0%} of it"
    )
    for label, value, goal, met in [
        ("membership commands/s, 8 clients", rate, ">= 1000", rate >= 1000),
        ("ListMembers p99 ms under load", p99, "<= 20", p99 <= 20),
    ]:
        print(f"{label:<38} {value:>9.1f}  {goal:<8} {'ok' if met else 'BELOW'}")
    return {"register": summary, "query": queried, "ceiling": ceiling}
