"""``WatchClusterReports``: a cluster's report pushed to the client whenever it changes.

The report is built from several read models fed by other services' events, so rather than
hook every projection, the stream looks at the report every ``WATCH_INTERVAL`` seconds and sends
it when it differs from the last one sent (compared as serialised bytes). Sixty clusters'
reports are small, and a watcher costs one report read per interval.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from grpc import aio
from typing_extensions import override

from clwstwr.reporting.v1 import reporting_service_pb2 as pb
from clwstwr.reporting.v1 import reporting_service_pb2_grpc as pb_grpc
from reporting.adapters.grpc_compliance import ComplianceRpcs

#: Seconds between looks at a watched report.
WATCH_INTERVAL = 2.0

Context = aio.ServicerContext[object, object]


class WatchRpcs(ComplianceRpcs, pb_grpc.ReportingServiceServicer):
    watch_interval: float = WATCH_INTERVAL

    @override
    async def WatchClusterReports(
        self, request: pb.WatchClusterReportsRequest, context: Context
    ) -> AsyncIterator[pb.WatchClusterReportsResponse]:
        ask = pb.GetClusterReportRequest(
            cluster_id=request.cluster_id, financial_year=request.financial_year
        )
        last_sent = b""
        while True:  # until the client cancels: grpc.aio then cancels this task
            report = await self.GetClusterReport(ask, context)
            serialised = report.SerializeToString(deterministic=True)
            if serialised != last_sent:
                yield pb.WatchClusterReportsResponse(report=report)
                last_sent = serialised
            await asyncio.sleep(self.watch_interval)
