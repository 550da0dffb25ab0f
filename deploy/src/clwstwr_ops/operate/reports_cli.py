"""``clwstwr-ops reconcile`` (payments' ledger against the events) and ``export`` (reports).

Both use the services' own code: ``reconcile`` runs ``python -m payments reconcile`` with the
operator's settings, and ``export`` asks reporting's ``ExportClusterReport``, as a national
reader, for the files reporting itself renders.
"""

from __future__ import annotations

import asyncio
import enum
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer
from grpc import aio

from clwstwr.membership.v1 import membership_service_pb2 as mpb
from clwstwr.membership.v1.membership_service_pb2_grpc import MembershipServiceStub
from clwstwr.reporting.v1 import reporting_service_pb2 as rpb
from clwstwr.reporting.v1.reporting_service_pb2_grpc import ReportingServiceStub
from clwstwr_ops import console
from clwstwr_ops.errors import OpsError
from clwstwr_ops.operate.api_clients import ApiClients, Stubs
from clwstwr_ops.operate.borrowed_tokens import borrowed_tokens
from clwstwr_ops.operate.progress import progress_bars
from clwstwr_ops.operate.settings import OperatorSettings
from kernel.grpc.auth import Principal


def reconcile_command() -> None:
    """Refold every payments-relevant event and compare with the ledger; exit 1 on a difference.

    Runs payments' own reconciliation (``python -m payments reconcile``): membership's and
    meetings' events come from their EventFeeds (CLWSTWR_FEED_TARGETS, CLWSTWR_FEED_TOKEN).
    """
    operator = OperatorSettings()
    env = {
        **os.environ,
        "CLWSTWR_SERVICE_NAME": "payments",
        "CLWSTWR_DATABASE_URL": operator.database_url.get_secret_value(),
        "CLWSTWR_FEED_TARGETS": operator.feed_targets,
        "CLWSTWR_FEED_TOKEN": operator.feed_token.get_secret_value(),
    }
    command = [sys.executable, "-m", "payments", "reconcile"]
    console.say("reconciling payments' ledger with the events (this reads every event)")
    status = subprocess.run(command, env=env, check=False).returncode  # noqa: S603 - our own module
    if status == 1:
        console.problem("the ledger differs from what the events give (listed above)")
    elif status != 0:
        console.problem("reconciliation could not run (see above)")
    else:
        console.ok("the ledger agrees with the events")
    raise typer.Exit(status)


class Format(enum.StrEnum):
    csv = "csv"
    json = "json"


def export_command(
    financial_year: Annotated[str, typer.Option(help="The year, e.g. 2024/25.")],
    cluster: Annotated[
        str | None, typer.Option(help="One cluster's id, e.g. 7A1-anglesey.")
    ] = None,
    *,
    every_cluster: Annotated[
        bool, typer.Option("--all", help="Every cluster, one file each (needs --output).")
    ] = False,
    file_format: Annotated[Format, typer.Option("--format", help="csv or json.")] = Format.csv,
    output: Annotated[
        Path | None,
        typer.Option(help="A directory to write the files to; without it, stdout (one cluster)."),
    ] = None,
) -> None:
    """A cluster's compliance report, or every cluster's, as reporting's ExportClusterReport has it.

    Needs CLWSTWR_FEED_TARGETS (reporting; membership too for --all) and CLWSTWR_REDIS_URL.
    """
    if (cluster is None) == (not every_cluster):
        raise OpsError("give either --cluster ID or --all")
    if every_cluster and output is None:
        raise OpsError("--all writes one file per cluster: give --output DIRECTORY")
    files = asyncio.run(_export(OperatorSettings(), cluster, financial_year, file_format.value))
    if output is None:
        [(_, content)] = files
        sys.stdout.buffer.write(content)
        return
    output.mkdir(parents=True, exist_ok=True)
    for name, content in files:
        (output / name).write_bytes(content)
    console.ok(f"{len(files)} report(s) written to {output}")


async def _export(
    operator: OperatorSettings, cluster: str | None, year: str, file_format: str
) -> list[tuple[str, bytes]]:
    stubs: Stubs = {"reporting": ReportingServiceStub}
    if cluster is None:
        stubs = {**stubs, "membership": MembershipServiceStub}
    national = {"national": Principal("clwstwr-ops-export", "national")}
    async with borrowed_tokens(operator.redis_url, national, "clwstwr-ops export") as tokens:
        clients = ApiClients(operator.targets(), stubs, tokens, count=4)
        try:
            clusters = [cluster] if cluster else await _every_cluster(clients)
            with progress_bars(disable=len(clusters) == 1) as progress:
                task = progress.add_task("reports", total=len(clusters))

                async def one(cluster_id: str) -> tuple[str, bytes]:
                    request = rpb.ExportClusterReportRequest(
                        cluster_id=cluster_id, financial_year=year, format=file_format
                    )
                    reply = await clients.call(
                        "reporting", "ExportClusterReport", request, "national"
                    )
                    progress.advance(task)
                    return reply.filename, reply.content

                return list(await asyncio.gather(*(one(c) for c in clusters)))
        except aio.AioRpcError as error:
            raise OpsError(f"export failed: {error.code().name}: {error.details()}") from error
        finally:
            await clients.close()


async def _every_cluster(clients: ApiClients) -> list[str]:
    clusters, page_token = [], ""
    while True:
        request = mpb.ListClustersRequest(page_token=page_token)
        page = await clients.call("membership", "ListClusters", request, "national")
        clusters += [c.id for c in page.clusters]
        if not (page_token := page.next_page_token):
            return clusters
