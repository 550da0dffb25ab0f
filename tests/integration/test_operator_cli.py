"""``clwstwr-ops`` against a running membership service, as an operator would use it.

The service runs under its real name (schema ``membership``) in a database of its own, so the
operator commands find it exactly as they would in a deployment.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import grpc
import pytest
from grpc import aio

from clwstwr.membership.v1 import membership_service_pb2 as pb
from clwstwr.membership.v1.membership_service_pb2_grpc import MembershipServiceStub
from kernel.runtime import RunningService, start_service
from kernel.settings import ServiceSettings
from kernel.testing import infrastructure
from membership.bootstrap import definition

pytestmark = pytest.mark.integration


@dataclass
class Platform:
    service: RunningService
    env: dict[str, str]

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.service.server.port}"

    def ops(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``clwstwr-ops ARGS`` in a process of its own (its commands run their own loop)."""
        command = [str(Path(sys.executable).parent / "clwstwr-ops"), *args]
        return subprocess.run(command, env=self.env, capture_output=True, text=True, check=False)  # noqa: S603 - our own tool


@pytest.fixture(scope="module")
async def platform(pg_pool: asyncpg.Pool) -> AsyncIterator[Platform]:
    database = f"ops_{uuid.uuid4().hex[:10]}"
    await pg_pool.execute(f"CREATE DATABASE {database}")
    url = infrastructure.database_url().rsplit("/", 1)[0] + f"/{database}"
    settings = ServiceSettings(
        service_name="membership",
        database_url=url,
        redis_url=infrastructure.redis_url(),
        grpc_port=0,
        instance_name=database,
    )
    service = await start_service(definition(), settings)
    env = {
        **os.environ,
        "CLWSTWR_DATABASE_URL": url,
        "CLWSTWR_REDIS_URL": infrastructure.redis_url(),
        "CLWSTWR_FEED_TARGETS": json.dumps({"membership": f"127.0.0.1:{service.server.port}"}),
    }
    try:
        yield Platform(service, env)
    finally:
        await service.stop(grace=0)
        await pg_pool.execute(f"DROP DATABASE {database} WITH (FORCE)")


async def _boards(platform: Platform, token: str) -> int | grpc.StatusCode:
    async with aio.insecure_channel(platform.target) as channel:
        stub = MembershipServiceStub(channel)
        metadata = (("authorization", f"Bearer {token}"),)
        try:
            reply = await stub.ListHealthBoards(pb.ListHealthBoardsRequest(), metadata=metadata)
        except aio.AioRpcError as error:
            return error.code()
        return len(reply.health_boards)


async def test_seed_then_status_shows_the_service_serving_with_nothing_behind(
    platform: Platform,
) -> None:
    seeded = await asyncio.to_thread(platform.ops, "seed", "--established-on", "2024-04-01")
    assert seeded.returncode == 0, seeded.stderr
    assert "clusters 60 created" in seeded.stdout

    async with asyncio.timeout(15):
        while True:
            status = await asyncio.to_thread(platform.ops, "status", "membership", "--json")
            [membership] = json.loads(status.stdout)["services"]
            if membership["relay_lag"] == 0 and all(c["lag"] == 0 for c in membership["consumers"]):
                break
            await asyncio.sleep(0.3)
    assert status.returncode == 0, status.stdout
    assert membership["health"] == "SERVING"
    assert membership["events"] > 500  # boards, PCPGs, clusters, collaboratives
    assert membership["dead_letters"] == 0
    assert {c["source"] for c in membership["consumers"]} == {"membership"}


async def test_an_issued_token_is_accepted_then_refused_once_revoked(platform: Platform) -> None:
    issued = await asyncio.to_thread(
        platform.ops, "tokens", "issue", "--subject", "bcu-pas", "--role", "health_board",
        "--scope", "7A1", "--label", "pilot",
    )  # fmt: skip
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    async with asyncio.timeout(10):
        while await _boards(platform, token) != 7:
            await asyncio.sleep(0.2)

    listed = await asyncio.to_thread(platform.ops, "tokens", "list")
    [row] = [line.split("\t") for line in listed.stdout.splitlines() if "bcu-pas" in line]
    assert row[1:5] == ["bcu-pas", "health_board", "7A1", "pilot"]

    revoked = await asyncio.to_thread(platform.ops, "tokens", "revoke", row[0])
    assert revoked.returncode == 0, revoked.stderr
    async with asyncio.timeout(10):
        while await _boards(platform, token) != grpc.StatusCode.UNAUTHENTICATED:
            await asyncio.sleep(0.2)
    again = await asyncio.to_thread(platform.ops, "tokens", "revoke", row[0])
    assert again.returncode == 1
    assert "no issued token" in again.stderr


async def test_projections_are_listed_and_one_is_rebuilt_to_the_same_rows(
    platform: Platform,
) -> None:
    listed = await asyncio.to_thread(platform.ops, "projections", "list", "-s", "membership")
    names = [line.split("\t")[0] for line in listed.stdout.splitlines()]
    assert {"membership.register_view", "membership.roster_view"} <= set(names), listed.stderr
    before = await platform.service.pool.fetchval("SELECT count(*) FROM membership.clusters")

    rebuilt = await asyncio.to_thread(
        platform.ops, "projections", "rebuild", "-s", "membership", "membership.register_view"
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "events in" in rebuilt.stderr
    after = await platform.service.pool.fetchval("SELECT count(*) FROM membership.clusters")
    assert after == before
    unknown = await asyncio.to_thread(
        platform.ops, "projections", "rebuild", "-s", "membership", "nope"
    )
    assert unknown.returncode == 1
    assert "no projection 'nope'" in unknown.stderr


async def test_dead_letters_list_empty_and_an_unknown_one_is_a_clear_error(
    platform: Platform,
) -> None:
    listed = await asyncio.to_thread(platform.ops, "dlq", "list", "-s", "membership")
    assert (listed.returncode, listed.stdout) == (0, "")
    missing = await asyncio.to_thread(platform.ops, "dlq", "redrive", "-s", "membership", "999")
    assert missing.returncode == 1
    assert "no dead letter 999" in missing.stderr
    migrated = await asyncio.to_thread(platform.ops, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    lines = migrated.stderr.strip().splitlines()
    assert "clwstwr: membership: up to date" in lines
    # Every other service's schema is made here, each by its own definition and settings.
    assert {line.split(":")[1].strip() for line in lines} == {
        "membership",
        "meetings",
        "payments",
        "reporting",
    }
