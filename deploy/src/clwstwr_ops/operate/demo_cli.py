"""``clwstwr-ops demo load``: a running platform filled with a year of Wales (``demo.load``)."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Self

import asyncpg
import typer
from grpc import aio
from rich.progress import TaskID

from clwstwr.meetings.v1.meetings_service_pb2_grpc import MeetingsServiceStub
from clwstwr.membership.v1.membership_service_pb2_grpc import MembershipServiceStub
from clwstwr_ops import console
from clwstwr_ops.demo.load import FINANCIAL_YEAR, Tally, load_demo, plan_demo
from clwstwr_ops.devtokens import HEALTH_BOARDS
from clwstwr_ops.errors import OpsError
from clwstwr_ops.operate.api_clients import ApiClients
from clwstwr_ops.operate.borrowed_tokens import borrowed_tokens
from clwstwr_ops.operate.progress import progress_bars
from clwstwr_ops.operate.services import platform_pool
from clwstwr_ops.operate.settings import OperatorSettings
from kernel.grpc.auth import Principal
from kernel.operations import last_position, service_figures

app = typer.Typer(no_args_is_help=True, help="A realistic Wales in a running platform.")

#: How long meetings may take to learn a cluster's membership before the load gives up.
CATCH_UP_SECONDS = 120.0


@app.command("load")
def load(
    clusters: Annotated[
        int | None, typer.Option(min=1, help="Only the first N clusters (in register order).")
    ] = None,
    boards: Annotated[
        list[str] | None,
        typer.Option("--boards", help="Only these boards' clusters, e.g. --boards 7A1,7A3."),
    ] = None,
    clients: Annotated[int, typer.Option(min=1, help="Concurrent gRPC clients.")] = 8,
) -> None:
    """Load one financial year (2024/25) of Wales through membership's and meetings' APIs.

    Per cluster: organisations, people, memberships, leads and terms of reference, then each
    body's four meetings (agenda, attendance, a declaration, a decision, actions, held). Reports
    fill cluster by cluster. Safe to re-run: what was loaded is replayed, not repeated.
    Needs CLWSTWR_FEED_TARGETS (membership, meetings), CLWSTWR_DATABASE_URL and
    CLWSTWR_REDIS_URL, like the other commands.
    """
    chosen = sorted({b.strip().upper() for given in boards or [] for b in given.split(",")})
    if unknown := [b for b in chosen if b not in HEALTH_BOARDS]:
        raise OpsError(f"--boards: no board {', '.join(unknown)} (have {', '.join(HEALTH_BOARDS)})")
    started = time.monotonic()
    tally = asyncio.run(_load(OperatorSettings(), clusters, chosen, clients))
    _summarise(tally, time.monotonic() - started)


async def _load(
    operator: OperatorSettings, clusters: int | None, boards: list[str], count: int
) -> Tally:
    principals = {"national": Principal("clwstwr-ops-demo", "national")}
    for board in HEALTH_BOARDS:
        principals[f"board-{board.lower()}"] = Principal(
            f"clwstwr-ops-demo-{board}", "health_board", board
        )
    stubs = {"membership": MembershipServiceStub, "meetings": MeetingsServiceStub}
    async with (
        platform_pool(operator) as pool,
        borrowed_tokens(operator.redis_url, principals, "clwstwr-ops demo load") as tokens,
    ):
        clients = ApiClients(operator.targets(), stubs, tokens, count)
        try:
            plans = await plan_demo(clients, boards, clusters)
            if not plans:
                raise OpsError("no clusters to load: is the register seeded (clwstwr-ops seed)?")
            with _RichProgress() as progress:
                return await load_demo(clients, plans, lambda: _meetings_caught_up(pool), progress)
        except aio.AioRpcError as error:
            raise OpsError(f"demo load: {error.code().name}: {error.details()}") from error
        finally:
            await clients.close()


async def _meetings_caught_up(pool: asyncpg.Pool) -> None:
    """Wait until meetings has applied every membership event committed so far."""
    head = await last_position(pool, "membership")
    if head is None:
        raise OpsError("no membership schema in CLWSTWR_DATABASE_URL's database")
    try:
        async with asyncio.timeout(CATCH_UP_SECONDS):
            while True:
                figures = await service_figures(pool, "meetings", {"membership": head})
                readers = [c for c in figures.checkpoints if c.source == "membership"]
                if readers and all(c.position >= head for c in readers):
                    return
                await asyncio.sleep(0.2)
    except LookupError as error:
        raise OpsError(f"meetings: {error}") from error
    except TimeoutError:
        raise OpsError(
            f"meetings has not applied membership's events in {CATCH_UP_SECONDS:.0f} s:"
            " is it running? (clwstwr-ops status)"
        ) from None


class _RichProgress:
    """Clusters done and commands sent, as two bars on stderr."""

    def __init__(self) -> None:
        self._bars = progress_bars()
        self._clusters = TaskID(-1)
        self._commands = TaskID(-1)

    def __enter__(self) -> Self:
        self._bars.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._bars.stop()

    def planned(self, clusters: int, commands: int) -> None:
        self._clusters = self._bars.add_task("clusters", total=clusters)
        self._commands = self._bars.add_task("commands", total=commands)

    def sent(self, commands: int) -> None:
        self._bars.advance(self._commands, commands)

    def cluster_done(self, cluster_id: str, *, skipped: bool) -> None:
        self._bars.advance(self._clusters)
        if skipped:
            self._bars.console.print(f"{cluster_id}: loaded by an earlier run; skipped")


def _summarise(tally: Tally, seconds: float) -> None:
    sent = sum(tally.commands.values())
    console.ok(
        f"demo loaded: {len(tally.loaded)} clusters, {sent} commands in {seconds:.1f} s"
        f" ({sent / max(seconds, 0.001):.0f}/s)"
    )
    if tally.skipped:
        console.note(f"{len(tally.skipped)} clusters were loaded by an earlier run and skipped")
    for rpc, count in sorted(tally.commands.items()):
        typer.echo(f"{rpc:<30} {count:>7}")
    if tally.inquorate_decisions:
        typer.echo(f"{'inquorate: no decision':<30} {tally.inquorate_decisions:>7}")
    if tally.loaded:
        console.say(
            f"reports: clwstwr-ops export --cluster {tally.loaded[0]}"
            f" --financial-year {FINANCIAL_YEAR}, or --all"
        )
