"""``clwstwr-ops projections``: list a service's read models; rebuild one from its events."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Sequence
from typing import Annotated

import typer

from clwstwr_ops import console
from clwstwr_ops.errors import OpsError
from clwstwr_ops.operate.progress import progress_bars
from clwstwr_ops.operate.services import ServiceAccess, open_service
from clwstwr_ops.operate.settings import OperatorSettings
from kernel.errors import ClwstwrError
from kernel.events import RecordedEvent
from kernel.feed import EventSource, LocalEventSource, read_window
from kernel.grpc.eventfeed import EventFeedClient
from kernel.operations import last_position
from kernel.projections import ProjectionHandler, rebuild
from kernel.runtime import assemble, service_stores

app = typer.Typer(no_args_is_help=True, help="Read models: list them, rebuild one.")

Service = Annotated[str, typer.Option("--service", "-s", help="The service, e.g. reporting.")]


async def _projections(access: ServiceAccess) -> dict[str, tuple[ProjectionHandler, list[str]]]:
    """Each projection by name, with the services whose events it reads."""
    parts = await assemble(access.definition, access.settings, access.pool)
    found: dict[str, tuple[ProjectionHandler, list[str]]] = {}
    for handler in parts.projections:
        if isinstance(handler, ProjectionHandler):
            found[handler.name] = (handler, [access.name])
    for subscription in parts.subscriptions:
        if isinstance(subscription.handler, ProjectionHandler):
            found[subscription.handler.name] = (subscription.handler, list(subscription.sources))
    return found


@app.command("list")
def list_projections(service: Service) -> None:
    """The service's projections and the services whose events each one reads."""

    async def fetch() -> dict[str, tuple[ProjectionHandler, list[str]]]:
        async with open_service(service, OperatorSettings()) as access:
            return await _projections(access)

    for name, (_, sources) in asyncio.run(fetch()).items():
        typer.echo(f"{name}\t{', '.join(sources)}")


@app.command("rebuild")
def rebuild_projection(
    service: Service,
    name: Annotated[str, typer.Argument(help="The projection, from 'projections list'.")],
) -> None:
    """Rebuild a projection from its sources' first events beside the live one, then swap."""

    async def again() -> str:
        operator = OperatorSettings()
        async with open_service(service, operator) as access:
            found = await _projections(access)
            if name not in found:
                raise OpsError(f"{service} has no projection {name!r} (have: {', '.join(found)})")
            handler, source_names = found[name]
            sources = _sources(access, source_names, operator)
            heads = [await last_position(access.pool, source) or 0 for source in source_names]
            try:
                with progress_bars() as bars:
                    task = bars.add_task("events", total=sum(heads))
                    counted = [
                        _Counted(source, lambda n: bars.advance(task, n)) for source in sources
                    ]
                    result = await rebuild(access.pool, access.name, handler.projection, counted)
            finally:
                for source in sources:
                    if isinstance(source, EventFeedClient):
                        await source.close()
            return f"{result.projection}: {result.events} events in {result.seconds:.1f} s"

    console.say(f"rebuilding {service}/{name}; the live read model serves until the swap")
    try:
        console.ok(asyncio.run(again()))
    except ClwstwrError as error:
        raise OpsError(str(error)) from error


def _sources(
    access: ServiceAccess, names: Sequence[str], operator: OperatorSettings
) -> list[EventSource]:
    targets = operator.targets()
    sources: list[EventSource] = []
    for name in names:
        if name == access.name:
            _, own = service_stores(access.definition, access.settings, access.pool)
            sources.append(LocalEventSource(name, own))
        elif name in targets:
            token = operator.feed_token.get_secret_value()
            sources.append(EventFeedClient(targets[name], name, token))
        else:
            raise OpsError(f"no EventFeed target for {name!r}: set CLWSTWR_FEED_TARGETS")
    return sources


class _Counted:
    """An ``EventSource`` that reports how many events were read from it, for the progress bar.

    (Events appended during the rebuild make the bar's total a little low; it ends full anyway.)
    """

    def __init__(self, source: EventSource, read: Callable[[int], None]) -> None:
        self._source = source
        self._read = read

    @property
    def name(self) -> str:
        return self._source.name

    async def read(self, after_position: int, limit: int) -> list[RecordedEvent]:
        events = await self._source.read(after_position, limit)
        self._read(len(events))
        return events

    async def read_window(
        self, after_position: int, limit: int, event_types: Collection[str]
    ) -> tuple[list[RecordedEvent], int]:
        """The source's ``read_window`` (so a rebuild still skips types), counting positions."""
        events, through = await read_window(self._source, after_position, limit, event_types)
        self._read(through - after_position)
        return events, through
