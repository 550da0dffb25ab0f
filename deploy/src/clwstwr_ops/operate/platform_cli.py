"""``clwstwr-ops migrate``, ``seed`` and ``status``: the platform as a whole."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
from typing import Annotated, Any

import typer

from clwstwr_ops import console
from clwstwr_ops.errors import OpsError
from clwstwr_ops.operate.health import health_of
from clwstwr_ops.operate.services import definition_of, installed_services, platform_pool
from clwstwr_ops.operate.settings import OperatorSettings
from kernel.operations import last_position, service_figures
from kernel.postgres.migrations import kernel_migrations, migrate

Services = Annotated[
    list[str] | None, typer.Argument(help="Which services (default: every one installed).")
]


def migrate_command(services: Services = None) -> None:
    """Bring each service's schema up to date (services also do this when they start)."""

    async def run() -> None:
        async with platform_pool(OperatorSettings()) as pool:
            for name in services or installed_services():
                definition = definition_of(name)
                async with pool.acquire() as conn:
                    done = await migrate(conn, name, [*kernel_migrations(), *definition.migrations])
                console.ok(
                    f"{name}: {len(done)} migrations applied" if done else f"{name}: up to date"
                )

    asyncio.run(run())


def seed_command(
    established_on: Annotated[str, typer.Option(help="ISO date the register holds from.")],
) -> None:
    """Seed the register of boards, PCPGs, clusters and collaboratives (idempotent)."""
    try:
        dt.date.fromisoformat(established_on)
    except ValueError as error:
        raise OpsError(f"--established-on: {error}") from error
    env = {**os.environ, "CLWSTWR_SERVICE_NAME": "membership"}
    env["CLWSTWR_DATABASE_URL"] = OperatorSettings().database_url.get_secret_value()
    command = [sys.executable, "-m", "membership", "seed", "--established-on", established_on]
    if subprocess.run(command, env=env, check=False).returncode != 0:  # noqa: S603 - our own module
        raise OpsError("seeding failed (see above)")


def status_command(
    services: Services = None,
    *,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document.")] = False,
) -> None:
    """Each service: health, events, relay lag, consumer lag per source, dead letters.

    Exits 1 when a service is not serving or has dead letters waiting.
    """
    report = asyncio.run(_status(OperatorSettings(), services or installed_services()))
    if as_json:
        typer.echo(json.dumps(report, indent=2))
    else:
        _print(report)
    if any(s["health"] != "SERVING" or s.get("dead_letters") for s in report["services"]):
        raise typer.Exit(1)


async def _status(operator: OperatorSettings, names: list[str]) -> dict[str, Any]:
    targets = operator.targets()
    services: list[dict[str, Any]] = []
    async with platform_pool(operator) as pool:
        everyone = installed_services()
        heads = {n: p for n in everyone if (p := await last_position(pool, n)) is not None}
        for name in names:
            entry: dict[str, Any] = {"service": name, "health": await health_of(targets.get(name))}
            if name in heads:
                figures = await service_figures(pool, name, heads)
                entry |= {
                    "events": figures.last_position,
                    "relay_lag": figures.relay_lag,
                    "dead_letters": figures.dead_letters,
                    "consumers": [
                        {"consumer": c.consumer, "source": c.source, "lag": c.lag}
                        for c in figures.checkpoints
                    ],
                }
            services.append(entry)
    return {"services": services}


def _print(report: dict[str, Any]) -> None:
    for entry in report["services"]:
        figures = (
            f"events {entry['events']}, relay lag {entry['relay_lag']},"
            f" dead letters {entry['dead_letters']}"
            if "events" in entry
            else "no schema (not migrated)"
        )
        typer.echo(f"{entry['service']:<12} {entry['health']:<12} {figures}")
        for consumer in entry.get("consumers", []):
            lag = "?" if consumer["lag"] is None else consumer["lag"]
            typer.echo(f"    {consumer['consumer']} <- {consumer['source']}: lag {lag}")
