from __future__ import annotations

import asyncio
import contextlib
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

import grpc
import pytest
from google.protobuf.struct_pb2 import Struct
from grpc import aio
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from clwstwr.eventfeed.v1 import event_feed_pb2
from kernel.grpc.server import _traced
from kernel.testing.grpc import ServedApi, serving

if TYPE_CHECKING:
    from libs.kernel.tests.grpc.conftest import Ledger, LedgerClient

SERVICE = "test.ledger.v1.LedgerService"
EVENT_FEED = "clwstwr.eventfeed.v1.EventFeedService"


async def test_binds_a_free_port_when_asked_for_port_0(api: ServedApi) -> None:
    assert api.server.port > 0
    assert api.target.endswith(f":{api.server.port}")
    assert set(api.server.service_names) == {SERVICE, EVENT_FEED}


async def test_health_check_answers_serving_without_a_token(api: ServedApi) -> None:
    # The health and reflection stubs are typed for sync channels only.
    health: Any = health_pb2_grpc.HealthStub(api.channel)
    for name in ["", SERVICE, EVENT_FEED]:
        response = await health.Check(health_pb2.HealthCheckRequest(service=name))
        assert response.status == health_pb2.HealthCheckResponse.SERVING


async def test_reflection_lists_every_service_and_describes_ours(api: ServedApi) -> None:
    reflection: Any = reflection_pb2_grpc.ServerReflectionStub(cast("Any", api.channel))
    requests = [
        reflection_pb2.ServerReflectionRequest(list_services=""),
        reflection_pb2.ServerReflectionRequest(file_containing_symbol=EVENT_FEED),
    ]
    responses = [r async for r in reflection.ServerReflectionInfo(iter(requests))]

    listed = {s.name for s in responses[0].list_services_response.service}
    assert {SERVICE, EVENT_FEED, "grpc.health.v1.Health"} <= listed
    assert "grpc.reflection.v1alpha.ServerReflection" in listed
    files = responses[1].file_descriptor_response.file_descriptor_proto
    assert event_feed_pb2.DESCRIPTOR.serialized_pb in files


async def test_a_call_past_its_deadline_is_deadline_exceeded_and_its_handler_cancelled(
    client: LedgerClient, ledger: Ledger
) -> None:
    with pytest.raises(aio.AioRpcError) as raised:
        await client.sleep(5, deadline=0.2)

    assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    await asyncio.wait_for(ledger.sleep_cancelled.wait(), 2)


async def test_graceful_stop_lets_a_call_in_flight_finish_and_refuses_new_ones(
    ledger: Ledger, client_for: type[LedgerClient]
) -> None:
    async with serving(services=[ledger.registration()]) as api:
        client = client_for(api.channel)
        in_flight = asyncio.create_task(client.sleep(0.3))
        await asyncio.wait_for(ledger.sleep_started.wait(), 2)

        await api.server.stop(grace=5)

        assert await in_flight == Struct()
        assert not ledger.sleep_cancelled.is_set()
        with pytest.raises(aio.AioRpcError) as raised:
            await client.sleep(0)
        assert raised.value.code() == grpc.StatusCode.UNAVAILABLE


async def test_stop_reports_not_serving_first(ledger: Ledger) -> None:
    async with serving(services=[ledger.registration()]) as api:
        health = api.server._health
        await api.server.stop(grace=0.1)

        for name in ["", SERVICE]:
            request = health_pb2.HealthCheckRequest(service=name)
            response = await health.Check(request, cast("Any", None))
            assert response is not None
            assert response.status == health_pb2.HealthCheckResponse.NOT_SERVING


def test_every_call_but_grpcs_own_services_gets_a_span() -> None:
    def call(method: str) -> grpc.HandlerCallDetails:
        return cast("grpc.HandlerCallDetails", SimpleNamespace(method=method))

    assert _traced(call("/clwstwr.membership.v1.MembershipService/EnrolMember"))
    assert not _traced(call("/grpc.health.v1.Health/Check"))
    assert not _traced(call("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"))


class _Stuck:
    """A grpc.aio server whose stop hangs, cancelled or not, until let go (grpc/grpc#40834)."""

    def __init__(self) -> None:
        self.let_go = asyncio.Event()

    async def stop(self, grace: float | None) -> None:
        while not self.let_go.is_set():
            with contextlib.suppress(asyncio.CancelledError):
                await self.let_go.wait()


async def test_stop_gives_up_on_a_grpc_server_that_never_stops(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with serving(services=[ledger.registration()]) as api:
        real, stuck = api.server._server, _Stuck()
        monkeypatch.setattr(api.server, "_server", stuck)
        monkeypatch.setattr(api.server, "stop_margin", 0.2)
        async with asyncio.timeout(5):
            await api.server.stop(grace=0.1)
        stuck.let_go.set()  # the abandoned stop may end now
        monkeypatch.setattr(api.server, "_server", real)
