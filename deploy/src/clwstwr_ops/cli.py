"""``clwstwr-ops``: the operator's commands for a running platform, and the ones behind ``./dev``.

Each command group is imported only when it is called (``LazyCommands``): between them they
load gRPC stubs, asyncpg, Redis, the services' definitions and the demo generators, and loading
all of them made every call (``./dev test`` included) wait ~1.5 s before doing anything.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

import typer
from typer import _click  # typer vendors click: its Command and Context types live here
from typer.core import TyperGroup

from clwstwr_ops.reported import reported

#: Command name -> ``module:attribute``: a ``typer.Typer`` (a group) or a function (a command).
COMMANDS = {
    "local": "clwstwr_ops.local_cli:local",
    "migrate": "clwstwr_ops.operate.platform_cli:migrate_command",
    "seed": "clwstwr_ops.operate.platform_cli:seed_command",
    "status": "clwstwr_ops.operate.platform_cli:status_command",
    "reconcile": "clwstwr_ops.operate.reports_cli:reconcile_command",
    "export": "clwstwr_ops.operate.reports_cli:export_command",
    "tokens": "clwstwr_ops.operate.tokens_cli:app",
    "dlq": "clwstwr_ops.operate.dlq_cli:app",
    "projections": "clwstwr_ops.operate.projections_cli:app",
    "demo": "clwstwr_ops.operate.demo_cli:app",
}


class LazyCommands(TyperGroup):
    """The root group: imports a command from ``COMMANDS`` the first time it is asked for.

    Every command runs inside ``reported`` (a message, not a traceback, on an error).
    """

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        return _load(cmd_name, COMMANDS[cmd_name])


@functools.cache  # once per process: a group's callbacks are wrapped in place
def _load(name: str, where: str) -> _click.Command:
    module, attribute = where.split(":")
    target: Any = getattr(importlib.import_module(module), attribute)
    if isinstance(target, typer.Typer):
        for info in target.registered_commands:
            if info.callback is not None:
                info.callback = reported(info.callback)
        group = typer.main.get_group(target)
        group.name = name
        return group
    single = typer.Typer()
    single.command(name)(reported(target))
    return typer.main.get_command(single)


app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Operate a running Clwstwr platform; run it on this machine (`local`, behind ./dev).",
    cls=LazyCommands,
)


@app.callback()
def root() -> None:
    # A root callback makes ``app`` a group even though every command is added lazily.
    pass
