"""WatchClusterReports: the current report at once, then again when a held meeting changes it."""

import asyncio

import grpc
import pytest
from grpc import aio

from clwstwr.reporting.v1 import reporting_service_pb2 as pb

from .clerk import Clerk
from .conftest import BOARD, OTHER_BOARD, Platform

pytestmark = pytest.mark.integration

WATCHED = "7A1-conwy-west"
DENTAL = f"{WATCHED}.dental"


def dental_held(update: object) -> list[int]:
    assert isinstance(update, pb.WatchClusterReportsResponse)
    [dental] = [b for b in update.report.compliance.bodies if b.body_id == DENTAL]
    return [q.held for q in dental.quarters]


async def test_a_watcher_gets_the_report_then_each_change(platform: Platform) -> None:
    request = pb.WatchClusterReportsRequest(cluster_id=WATCHED, financial_year="2024/25")
    stream = platform.stub.WatchClusterReports(request, metadata=BOARD)
    try:
        first = await asyncio.wait_for(stream.read(), 10)
        assert dental_held(first) == [0, 0, 0, 0]

        clerk = Clerk(platform)
        practice = await clerk.organisation("dental_practice", "V00077", WATCHED)
        chair = await clerk.chair(DENTAL, "collaborative_lead", practice)
        await clerk.hold(DENTAL, "2024-05-20", chair, {chair: "present"})

        async with asyncio.timeout(20):
            update = await stream.read()
            while dental_held(update) == [0, 0, 0, 0]:  # an unrelated change came first
                update = await stream.read()
        assert dental_held(update) == [1, 0, 0, 0]
    finally:
        stream.cancel()


async def test_a_watcher_of_another_board_is_refused(platform: Platform) -> None:
    request = pb.WatchClusterReportsRequest(cluster_id=WATCHED, financial_year="2024/25")
    stream = platform.stub.WatchClusterReports(request, metadata=OTHER_BOARD)
    with pytest.raises(aio.AioRpcError) as refused:
        await stream.read()
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
