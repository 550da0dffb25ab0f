"""``clwstwr-ops dlq``: the events a service's consumers gave up on, and redriving them."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from clwstwr_ops import console
from clwstwr_ops.errors import OpsError
from clwstwr_ops.operate.services import open_service
from clwstwr_ops.operate.settings import OperatorSettings
from kernel.errors import ClwstwrError
from kernel.messaging import EventHandler, get_dead_letter, list_dead_letters, redrive
from kernel.runtime import assemble

app = typer.Typer(no_args_is_help=True, help="Dead letters: list them, redrive one.")

Service = Annotated[str, typer.Option("--service", "-s", help="The service, e.g. payments.")]


@app.command("list")
def list_letters(
    service: Service,
    consumer: Annotated[str | None, typer.Option(help="Only this handler's.")] = None,
    *,
    include_redriven: Annotated[bool, typer.Option("--all", help="Also redriven ones.")] = False,
) -> None:
    """Dead letters, oldest first: id, consumer, source, position, event type, attempts, error."""

    async def fetch() -> None:
        async with open_service(service, OperatorSettings()) as access:
            letters = await list_dead_letters(
                access.pool,
                access.name,
                consumer=consumer,
                include_redriven=include_redriven,
                limit=1000,
            )
        for letter in letters:
            typer.echo(
                "\t".join(
                    str(field)
                    for field in (
                        letter.id,
                        letter.consumer,
                        letter.source,
                        letter.position,
                        letter.event.event_type,
                        letter.attempts,
                        "redriven" if letter.redriven_at else letter.error,
                    )
                )
            )

    asyncio.run(fetch())


@app.command("redrive")
def redrive_letter(
    service: Service,
    dead_letter_id: Annotated[int, typer.Argument(help="The id from 'dlq list'.")],
) -> None:
    """Apply a dead letter's event through its handler once more (after a fix is deployed)."""

    async def again() -> None:
        async with open_service(service, OperatorSettings()) as access:
            letter = await get_dead_letter(access.pool, access.name, dead_letter_id)
            parts = await assemble(access.definition, access.settings, access.pool)
            handlers: dict[str, EventHandler] = {h.name: h for h in parts.projections}
            handlers.update({s.handler.name: s.handler for s in parts.subscriptions})
            handler = handlers.get(letter.consumer)
            if handler is None:
                raise OpsError(f"{service} has no handler {letter.consumer!r} any more")
            await redrive(access.pool, access.name, dead_letter_id, handler)

    try:
        asyncio.run(again())
    except ClwstwrError as error:
        raise OpsError(str(error)) from error
    console.ok(f"dead letter {dead_letter_id} redriven")
