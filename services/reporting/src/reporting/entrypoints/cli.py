"""``python -m reporting``: serve the API; ``load-outcomes``: load titles; ``publish-findings``.

Loading from the command line writes straight to the event store (the same idempotent command
as the ``LoadOutcomeTitles`` RPC), for operators bringing up a fresh platform; a running
service's read model picks the events up as usual. ``publish-findings`` is the periodic sweep
that publishes compliance findings as raised and resolved (``application.findings_publisher``);
run it from a scheduler (daily is plenty: findings change at most with each day's meetings).
"""

from __future__ import annotations

import asyncio
import datetime as dt

import asyncpg
import typer

from kernel.calendar import FinancialYear, london_today
from kernel.postgres.eventstore import PostgresEventStore
from kernel.postgres.migrations import kernel_migrations, migrate
from kernel.projections import physical_tables
from kernel.runtime import run
from reporting.adapters.catalogue_file import shipped_titles
from reporting.adapters.compliance_queries import PostgresComplianceQueries
from reporting.adapters.compliance_view import ComplianceView
from reporting.adapters.membership_view import MembershipView
from reporting.application.access import Caller
from reporting.application.catalogue import CatalogueCommands
from reporting.application.findings_publisher import FindingsPublisher
from reporting.bootstrap import configured
from reporting.settings import ReportingSettings

app = typer.Typer(add_completion=False, no_args_is_help=False)


@app.callback(invoke_without_command=True)
def serve(context: typer.Context) -> None:
    """Serve the reporting API until SIGINT or SIGTERM."""
    if context.invoked_subcommand is None:
        run(*configured())


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


@app.command("publish-findings")
def publish_findings(
    financial_year: list[str] = typer.Option(  # noqa: B008 - typer's way to declare it
        [],
        help="A year to sweep, e.g. 2024/25 (repeatable); default: the current year and the"
        " one before (a year's findings still move after it ends: late minutes, corrections).",
    ),
) -> None:
    """Publish compliance findings raised and resolved since the last sweep, year by year."""
    settings = ReportingSettings()
    for label in financial_year or sweep_years(london_today()):
        published = asyncio.run(_publish(label, settings))
        typer.echo(f"compliance findings {label}: {published} events published")


def sweep_years(today: dt.date) -> list[str]:
    """What a scheduled sweep covers on ``today``: the year before, then the current year."""
    current = FinancialYear.containing(today)
    return [current.previous.label, current.label]


async def _publish(financial_year: str, settings: ReportingSettings) -> int:
    schema = settings.service_name
    pool = await asyncpg.create_pool(
        settings.database_url.get_secret_value(), min_size=1, max_size=2
    )
    try:
        tables = {
            **physical_tables(schema, MembershipView()),
            **physical_tables(schema, ComplianceView()),
        }
        publisher = FindingsPublisher(
            PostgresEventStore(pool, schema), PostgresComplianceQueries(pool, tables), london_today
        )
        return await publisher.publish(financial_year)
    finally:
        await pool.close()
