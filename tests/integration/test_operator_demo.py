"""``clwstwr-ops`` against the whole running platform: demo load, status, reports, dead letters.

All four services run under their real names (schemas and streams ``membership``, ``meetings``,
``payments``, ``reporting``) in a database of their own, as in a deployment, and the operator
CLI runs in a process of its own against them. Two clusters of the demo's Wales are loaded
through the public APIs; everything after looks at what that load left behind.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import grpc
import pytest
from grpc import aio
from redis.asyncio import Redis

from clwstwr.meetings.v1 import meetings_service_pb2 as gpb
from clwstwr.meetings.v1.meetings_service_pb2_grpc import MeetingsServiceStub
from clwstwr.membership.v1 import membership_service_pb2 as mpb
from clwstwr.membership.v1.membership_service_pb2_grpc import MembershipServiceStub
from clwstwr.payments.v1 import payments_service_pb2 as ppb
from clwstwr.payments.v1.payments_service_pb2_grpc import PaymentsServiceStub
from clwstwr.reporting.v1 import reporting_service_pb2 as rpb
from clwstwr.reporting.v1.reporting_service_pb2_grpc import ReportingServiceStub
from kernel import runtime
from kernel.grpc.tokens import IssuedTokens
from kernel.messaging import Consumer, ConsumerOptions
from kernel.operations import last_position, service_figures
from kernel.projections import physical_tables
from kernel.runtime import RunningService, start_service
from kernel.testing import infrastructure
from kernel.testing.grpc import call_metadata
from meetings.adapters.membership_view import MembershipView
from meetings.bootstrap import definition as meetings_definition
from meetings.settings import MeetingsSettings
from membership.bootstrap import definition as membership_definition
from membership.settings import MembershipSettings
from payments.bootstrap import definition as payments_definition
from payments.settings import PaymentsSettings
from reporting.bootstrap import definition as reporting_definition
from reporting.settings import ReportingSettings

pytestmark = pytest.mark.integration

SERVICES = ("membership", "meetings", "payments", "reporting")
CLUSTERS = 2
YEAR = "2024/25"
#: An enrolment dated this day poisons meetings' membership view (a trigger refuses it).
POISONED_DAY = "2025-12-25"


@dataclass
class Platform:
    services: dict[str, RunningService]
    env: dict[str, str]
    pool: asyncpg.Pool
    loaded: subprocess.CompletedProcess[str]

    def target(self, name: str) -> str:
        return f"127.0.0.1:{self.services[name].server.port}"

    def ops(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``clwstwr-ops ARGS`` in a process of its own (its commands run their own loop)."""
        command = [str(Path(sys.executable).parent / "clwstwr-ops"), *args]
        return subprocess.run(command, env=self.env, capture_output=True, text=True, check=False)  # noqa: S603 - our own tool

    async def ops_async(self, *args: str) -> subprocess.CompletedProcess[str]:
        return await asyncio.to_thread(self.ops, *args)


@pytest.fixture(scope="module")
def quick_dead_letters() -> Iterator[None]:
    """Consumers give up on a failing event after 2 quick tries (production: 5, seconds apart)."""
    options = ConsumerOptions(
        max_attempts=2, retry_delay=0.2, min_idle_time=0.5, catch_up_interval=0.5
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runtime, "Consumer", functools.partial(Consumer, options=options))
        yield


async def _forget_streams(redis_url: str) -> None:
    """The real names' streams (and dead-letter streams) are shared by every test: start empty."""
    redis = Redis.from_url(redis_url)
    try:
        for name in SERVICES:
            keys = [key async for key in redis.scan_iter(match=f"{name}.*")]
            if keys:
                await redis.delete(*keys)
    finally:
        await redis.aclose()


@pytest.fixture(scope="module")
async def platform(pg_pool: asyncpg.Pool, quick_dead_letters: None) -> AsyncIterator[Platform]:
    database = f"demo_{uuid.uuid4().hex[:10]}"
    await pg_pool.execute(f"CREATE DATABASE {database}")
    url = infrastructure.database_url().rsplit("/", 1)[0] + f"/{database}"
    redis_url = infrastructure.redis_url()
    await _forget_streams(redis_url)
    common: dict[str, Any] = {"database_url": url, "feed_token": "service"}
    services: dict[str, RunningService] = {}
    targets: dict[str, str] = {}

    async def start(name: str, settings: Any, definition: Any) -> None:
        services[name] = await start_service(definition, settings)
        targets[name] = f"127.0.0.1:{services[name].server.port}"

    def settings(cls: type[Any], name: str) -> Any:
        return infrastructure.service_settings(
            cls,
            name,
            instance_name=f"{database}-{name}",
            feed_targets=json.dumps(targets),
            **common,
        )

    pool = await asyncpg.create_pool(url, min_size=1, max_size=4)
    try:
        await start(
            "membership", settings(MembershipSettings, "membership"), membership_definition()
        )
        await start("meetings", settings(MeetingsSettings, "meetings"), meetings_definition())
        payments = settings(PaymentsSettings, "payments")
        await start("payments", payments, payments_definition(payments))
        await start("reporting", settings(ReportingSettings, "reporting"), reporting_definition())
        env = {
            **os.environ,
            "CLWSTWR_DATABASE_URL": url,
            "CLWSTWR_REDIS_URL": redis_url,
            "CLWSTWR_FEED_TARGETS": json.dumps(targets),
            "CLWSTWR_FEED_TOKEN": "service",
        }
        platform = Platform(services, env, pool, subprocess.CompletedProcess([], 0))
        seeded = await platform.ops_async("seed", "--established-on", "2022-04-01")
        assert seeded.returncode == 0, seeded.stderr
        platform.loaded = await platform.ops_async(
            "demo", "load", "--clusters", str(CLUSTERS), "--clients", "6"
        )
        yield platform
    finally:
        for service in reversed(list(services.values())):
            await service.stop(grace=0)
        await pool.close()
        await pg_pool.execute(f"DROP DATABASE {database} WITH (FORCE)")
        await _forget_streams(redis_url)


def _counts(summary: str) -> dict[str, int]:
    """The ``RPC  count`` lines of the demo's summary."""
    rows = (line.rsplit(maxsplit=1) for line in summary.splitlines() if line.strip())
    return {name.strip(): int(count) for name, count in rows if count.isdigit()}


async def _report(platform: Platform, cluster_id: str) -> rpb.GetClusterReportResponse:
    async with aio.insecure_channel(platform.target("reporting")) as channel:
        stub = ReportingServiceStub(channel)
        request = rpb.GetClusterReportRequest(cluster_id=cluster_id, financial_year=YEAR)
        reply: rpb.GetClusterReportResponse = await stub.GetClusterReport(
            request, metadata=call_metadata("national")
        )
        return reply


async def _loaded_clusters(platform: Platform) -> list[str]:
    async with aio.insecure_channel(platform.target("membership")) as channel:
        stub = MembershipServiceStub(channel)
        page = await stub.ListClusters(
            mpb.ListClustersRequest(), metadata=call_metadata("national")
        )
    return [cluster.id for cluster in page.clusters[:CLUSTERS]]


async def _settled(platform: Platform) -> dict[str, int]:
    """Each service's last position, once every relay and consumer has caught up to them.

    Read straight from the tables, as ``status`` does, rather than by polling the CLI: each
    ``clwstwr-ops`` process costs a second or two of start-up.
    """
    async with asyncio.timeout(30):
        while True:
            heads = {name: await last_position(platform.pool, name) or 0 for name in SERVICES}
            figures = [await service_figures(platform.pool, name, heads) for name in SERVICES]
            if all(f.relay_lag == 0 and all(c.lag == 0 for c in f.checkpoints) for f in figures):
                return heads
            await asyncio.sleep(0.2)


async def test_the_demo_loads_two_clusters_of_meetings_through_the_apis(platform: Platform) -> None:
    loaded = platform.loaded
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    counts = _counts(loaded.stdout)
    assert counts["ScheduleMeeting"] == counts["RecordMeetingHeld"] >= CLUSTERS * 8 * 4
    assert counts["RegisterOrganisation"] > CLUSTERS * 30
    assert counts["RecordTermsOfReferenceReview"] == CLUSTERS * 8
    assert f"demo loaded: {CLUSTERS} clusters" in loaded.stderr


async def test_status_shows_every_service_serving_with_no_lag_after_the_load(
    platform: Platform,
) -> None:
    await _settled(platform)
    shown = await platform.ops_async("status", "--json")
    assert shown.returncode == 0, shown.stdout
    status = json.loads(shown.stdout)
    assert all(c["lag"] == 0 for s in status["services"] for c in s["consumers"])
    assert all(s["relay_lag"] == 0 for s in status["services"])
    assert {s["service"]: s["health"] for s in status["services"]} == dict.fromkeys(
        SERVICES, "SERVING"
    )
    assert all(s["dead_letters"] == 0 for s in status["services"])


async def test_each_loaded_clusters_report_shows_its_meetings_and_attendance(
    platform: Platform,
) -> None:
    await _settled(platform)
    for cluster_id in await _loaded_clusters(platform):
        compliance = (await _report(platform, cluster_id)).compliance
        held = {body.label: body.held for body in compliance.bodies if body.kind != "pcpg"}
        assert len(held) == 8, held
        assert all(count == 4 for count in held.values()), held
        assert sum(a.attendances for a in compliance.attendance_by_profession) > 100
        assert compliance.open_actions


async def test_a_rerun_replays_rather_than_repeats(platform: Platform) -> None:
    before = await _settled(platform)
    again = await platform.ops_async("demo", "load", "--clusters", "1")
    assert again.returncode == 0, again.stderr[-3000:]
    assert _counts(again.stdout)["RecordMeetingHeld"] == 32  # answered again, not held again
    assert await _settled(platform) == before


async def test_export_and_reconcile_use_the_services_own_answers(
    platform: Platform, tmp_path: Path
) -> None:
    [first, second] = await _loaded_clusters(platform)
    csv = await platform.ops_async("export", "--cluster", first, "--financial-year", YEAR)
    assert csv.returncode == 0, csv.stderr
    assert csv.stdout.count("\n") > 10
    every = await platform.ops_async(
        "export", "--all", "--financial-year", YEAR, "--format", "json", "--output", str(tmp_path)
    )
    assert every.returncode == 0, every.stderr
    files = sorted(tmp_path.glob("*.json"))
    assert len(files) == 60
    exported = {json.loads(f.read_text())["compliance"]["clusterId"] for f in files}
    assert {first, second} <= exported

    reconciled = await platform.ops_async("reconcile")
    assert reconciled.returncode == 0, reconciled.stdout + reconciled.stderr
    assert ", 0 different" in reconciled.stdout


async def test_a_poisoned_event_is_dead_lettered_listed_and_redriven(platform: Platform) -> None:
    memberships = physical_tables("meetings", MembershipView())["memberships"]
    await platform.pool.execute(
        "CREATE FUNCTION meetings.poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" IF NEW.start_date = '{POISONED_DAY}' THEN RAISE EXCEPTION 'poisoned'; END IF;"
        " RETURN NEW; END $$;"
        f" CREATE TRIGGER poison BEFORE INSERT ON {memberships}"
        " FOR EACH ROW EXECUTE FUNCTION meetings.poison()"
    )
    [cluster, _] = await _loaded_clusters(platform)
    board = call_metadata(f"board-{cluster[:3].lower()}")
    async with aio.insecure_channel(platform.target("membership")) as channel:
        stub = MembershipServiceStub(channel)
        person = await stub.RegisterPerson(mpb.RegisterPersonRequest(name="Pat"), metadata=board)
        request = mpb.EnrolMemberRequest(
            body_id=cluster,
            person_id=person.person_id,
            kind="core",
            role_title="GP",
            start_date=POISONED_DAY,
        )
        await stub.EnrolMember(request, metadata=board)

    async with asyncio.timeout(30):
        while not await platform.pool.fetchval("SELECT count(*) FROM meetings.dead_letters"):
            await asyncio.sleep(0.2)
    listed = await platform.ops_async("dlq", "list", "-s", "meetings")
    [letter] = [line.split("\t") for line in listed.stdout.splitlines()]
    assert letter[1:5] == [
        "meetings.membership_view",
        "membership",
        letter[3],
        "membership.MemberEnrolled",
    ], letter
    assert "poisoned" in letter[6]
    stuck = await platform.ops_async("status", "meetings")
    assert stuck.returncode == 1  # dead letters waiting

    await platform.pool.execute(f"DROP TRIGGER poison ON {memberships}")  # the fix is deployed
    redriven = await platform.ops_async("dlq", "redrive", "-s", "meetings", "--all")
    assert redriven.returncode == 0, redriven.stderr
    assert "1 of 1 dead letters redriven" in redriven.stderr
    enrolled = await platform.pool.fetchval(
        f"SELECT count(*) FROM {memberships} WHERE person_id = $1", person.person_id
    )
    assert enrolled == 1
    relisted = await platform.ops_async("dlq", "list", "-s", "meetings", "--all")
    assert relisted.stdout.split("\t")[6].strip() == "redriven"


async def _read_everywhere(platform: Platform, token: str) -> dict[str, grpc.StatusCode]:
    """One read from each service with ``token``: the status each answers."""
    metadata = (("authorization", f"Bearer {token}"),)
    reads: dict[str, Any] = {
        "membership": (MembershipServiceStub, "ListHealthBoards", mpb.ListHealthBoardsRequest()),
        "meetings": (
            MeetingsServiceStub,
            "ListMeetings",
            gpb.ListMeetingsRequest(body_id="7A1-anglesey", financial_year=YEAR),
        ),
        "payments": (PaymentsServiceStub, "ListRateCards", ppb.ListRateCardsRequest()),
        "reporting": (
            ReportingServiceStub,
            "GetNationalOverview",
            rpb.GetNationalOverviewRequest(financial_year=YEAR),
        ),
    }
    answers = {}
    for name, (stub, rpc, request) in reads.items():
        async with aio.insecure_channel(platform.target(name)) as channel:
            try:
                await getattr(stub(channel), rpc)(request, metadata=metadata)
                answers[name] = grpc.StatusCode.OK
            except aio.AioRpcError as error:
                answers[name] = error.code()
    return answers


async def test_an_issued_token_works_everywhere_until_revoked(platform: Platform) -> None:
    issued = await platform.ops_async(
        "tokens", "issue", "--subject", "spcc-bi", "--role", "national"
    )
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    everywhere = dict.fromkeys(SERVICES, grpc.StatusCode.OK)
    async with asyncio.timeout(10):
        while await _read_everywhere(platform, token) != everywhere:
            await asyncio.sleep(0.3)

    assert (await platform.ops_async("tokens", "revoke", token)).returncode == 0
    refused = dict.fromkeys(SERVICES, grpc.StatusCode.UNAUTHENTICATED)
    async with asyncio.timeout(10):
        while await _read_everywhere(platform, token) != refused:
            await asyncio.sleep(0.3)
    # The demo's own tokens were revoked when it finished.
    redis = Redis.from_url(platform.env["CLWSTWR_REDIS_URL"])
    try:
        subjects = {t.principal.subject for t in await IssuedTokens(redis).list()}
    finally:
        await redis.aclose()
    assert not {s for s in subjects if s.startswith("clwstwr-ops-demo")}
