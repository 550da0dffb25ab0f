"""``python -m reporting``: serve the API; ``python -m reporting load-outcomes``: load titles.

Loading from the command line writes straight to the event store (the same idempotent command
as the ``LoadOutcomeTitles`` RPC), for operators bringing up a fresh platform; a running
service's read model picks the events up as usual.
"""

from __future__ import annotations

import asyncio

import asyncpg
import typer

from kernel.postgres.eventstore import PostgresEventStore
from kernel.postgres.migrations import kernel_migrations, migrate
from kernel.runtime import run
from reporting.adapters.catalogue_file import shipped_titles
from reporting.application.access import Caller
from reporting.application.catalogue import CatalogueCommands
from reporting.bootstrap import definition
from reporting.settings import ReportingSettings

app = typer.Typer(add_completion=False, no_args_is_help=False)


@app.callback(invoke_without_command=True)
def serve(context: typer.Context) -> None:
    """Serve the reporting API until SIGINT or SIGTERM."""
    if context.invoked_subcommand is None:
        settings = ReportingSettings()
        run(definition(settings.membership_source), settings)


@app.command("load-outcomes")
def load_outcomes(
    reason: str = typer.Option("loaded the shipped catalogue", help="Why (kept in history)"),
) -> None:
    """Load the shipped outcome catalogue (idempotent) and print how many titles changed."""
    changed = asyncio.run(_load(reason, ReportingSettings()))
    typer.echo(f"outcome titles: {changed} changed")


async def _load(reason: str, settings: ReportingSettings) -> int:
    schema = settings.service_name
    pool = await asyncpg.create_pool(
        settings.database_url.get_secret_value(), min_size=1, max_size=2
    )
    try:
        async with pool.acquire() as conn:
            await migrate(conn, schema, kernel_migrations())
        commands = CatalogueCommands(PostgresEventStore(pool, schema))
        operator = Caller("reporting-cli", "operator")
        changed, _ = await commands.set_titles(operator, shipped_titles(), reason)
        return changed
    finally:
        await pool.close()
