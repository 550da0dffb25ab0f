"""``python -m membership``: serve the API; ``python -m membership seed``: seed the register.

Seeding from the command line writes straight to the event store (the same idempotent command
as the ``SeedRegister`` RPC), for operators bringing up a fresh platform; a running service's
read model picks the events up as usual.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import asyncpg
import typer

from kernel.postgres.eventstore import PostgresEventStore
from kernel.postgres.migrations import kernel_migrations, migrate
from kernel.runtime import run
from membership.adapters.register_file import load_register
from membership.application.access import Caller
from membership.application.handlers import RegisterCommands, SeedResult
from membership.bootstrap import configured
from membership.settings import MembershipSettings

app = typer.Typer(add_completion=False, no_args_is_help=False)


@app.callback(invoke_without_command=True)
def serve(context: typer.Context) -> None:
    """Serve the membership API until SIGINT or SIGTERM."""
    if context.invoked_subcommand is None:
        run(*configured())


@app.command()
def seed(established_on: str = typer.Option(..., help="ISO date the register holds from")) -> None:
    """Seed the reference register (idempotent) and print what was created."""
    result = asyncio.run(_seed(dt.date.fromisoformat(established_on), MembershipSettings()))
    typer.echo(
        f"boards {result.boards_created} created, {result.boards_present} present;"
        f" pcpgs {result.pcpgs_created} created, {result.pcpgs_present} present;"
        f" clusters {result.clusters_created} created, {result.clusters_present} present;"
        f" collaboratives {result.collaboratives_created} created,"
        f" {result.collaboratives_present} present"
    )


async def _seed(established_on: dt.date, settings: MembershipSettings) -> SeedResult:
    schema = settings.service_name
    pool = await asyncpg.create_pool(
        settings.database_url.get_secret_value(), min_size=1, max_size=2
    )
    try:
        async with pool.acquire() as conn:
            await migrate(conn, schema, kernel_migrations())
        commands = RegisterCommands(PostgresEventStore(pool, schema))
        operator = Caller("membership-cli", "operator")
        return await commands.seed_register(operator, load_register(), established_on)
    finally:
        await pool.close()
