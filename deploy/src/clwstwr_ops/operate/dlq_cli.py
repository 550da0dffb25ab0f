"""``clwstwr-ops dlq``: the events a service's consumers gave up on, and redriving them."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from clwstwr_ops import console
from clwstwr_ops.errors import OpsError
from clwstwr_ops.operate.progress import progress_bars
from clwstwr_ops.operate.services import ServiceAccess, open_service
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
def redrive_letters(
    service: Service,
    dead_letter_id: Annotated[
        int | None, typer.Argument(help="The id from 'dlq list'; or --all.")
    ] = None,
    *,
    every_letter: Annotated[
        bool, typer.Option("--all", help="Every dead letter waiting (oldest first).")
    ] = False,
    consumer: Annotated[str | None, typer.Option(help="With --all: only this handler's.")] = None,
) -> None:
    """Apply dead letters' events through their handlers once more (after a fix is deployed).

    With --all, one after another with a progress bar; a letter that fails again keeps its new
    error (see 'dlq list') and the rest go on; exits 1 if any failed.
    """
    if (dead_letter_id is None) == (not every_letter):
        raise OpsError("give a dead letter's id or --all")

    async def again() -> list[str]:
        async with open_service(service, OperatorSettings()) as access:
            parts = await assemble(access.definition, access.settings, access.pool)
            handlers: dict[str, EventHandler] = {h.name: h for h in parts.projections}
            handlers.update({s.handler.name: s.handler for s in parts.subscriptions})
            if dead_letter_id is not None:
                await _redrive(access, handlers, dead_letter_id)
                return []
            return await _redrive_all(access, handlers, consumer)

    try:
        failures = asyncio.run(again())
    except ClwstwrError as error:
        raise OpsError(str(error)) from error
    if dead_letter_id is not None:
        console.ok(f"dead letter {dead_letter_id} redriven")
    for failure in failures:
        console.problem(failure)
    if failures:
        raise typer.Exit(1)


async def _redrive(
    access: ServiceAccess, handlers: dict[str, EventHandler], dead_letter_id: int
) -> None:
    letter = await get_dead_letter(access.pool, access.name, dead_letter_id)
    handler = handlers.get(letter.consumer)
    if handler is None:
        raise OpsError(f"{access.name} has no handler {letter.consumer!r} any more")
    await redrive(access.pool, access.name, dead_letter_id, handler)


async def _redrive_all(
    access: ServiceAccess, handlers: dict[str, EventHandler], consumer: str | None
) -> list[str]:
    """Every waiting dead letter (of ``consumer``), oldest first; what failed, described."""
    waiting = await list_dead_letters(access.pool, access.name, consumer=consumer, limit=100_000)
    failures = []
    with progress_bars() as bars:
        task = bars.add_task("redriven", total=len(waiting))
        for letter in waiting:
            try:
                await _redrive(access, handlers, letter.id)
            except (ClwstwrError, OpsError) as error:
                failures.append(f"dead letter {letter.id}: {error}")
            except Exception as error:  # noqa: BLE001 - the handler failed again: go on
                failures.append(f"dead letter {letter.id} failed again: {error}")
            bars.advance(task)
    console.ok(f"{len(waiting) - len(failures)} of {len(waiting)} dead letters redriven")
    return failures
