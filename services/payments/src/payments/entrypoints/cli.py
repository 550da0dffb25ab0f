"""``python -m payments``: serve the API; ``python -m payments reconcile``: check the ledger.

Reconciling reads every event again (membership's and meetings' from their EventFeeds, as
``CLWSTWR_FEED_TARGETS`` names them, and payments' own), recomputes every payee's
financial-year totals under the rate cards, and reports any total the ledger holds
differently. There must be none: it exits 1 if there is.
"""

from __future__ import annotations

import asyncio

import typer

from kernel.postgres.pool import create_pool
from kernel.runtime import run
from payments.adapters.reconciliation import reconcile
from payments.application.reconciliation import Difference
from payments.bootstrap import configured
from payments.settings import PaymentsSettings

app = typer.Typer(add_completion=False, no_args_is_help=False)


@app.callback(invoke_without_command=True)
def serve(context: typer.Context) -> None:
    """Serve the payments API until SIGINT or SIGTERM."""
    if context.invoked_subcommand is None:
        run(*configured())


@app.command("reconcile")
def reconcile_command() -> None:
    """Recompute every FY total from the events and report differences from the ledger."""
    compared, differences = asyncio.run(_reconcile(PaymentsSettings()))
    for d in differences:
        typer.echo(
            f"{d.health_board} {d.financial_year} {d.payee} {d.rule_id}:"
            f" rules give {d.rules_give_pence}p, ledger holds {d.ledger_holds_pence}p"
        )
    typer.echo(f"{compared} totals compared, {len(differences)} different")
    if differences:
        raise typer.Exit(1)


async def _reconcile(settings: PaymentsSettings) -> tuple[int, list[Difference]]:
    pool = await create_pool(settings.database_url.get_secret_value(), min_size=1, max_size=2)
    try:
        return await reconcile(pool, settings)
    finally:
        await pool.close()
