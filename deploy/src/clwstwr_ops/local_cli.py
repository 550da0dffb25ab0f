"""``clwstwr-ops local``: Clwstwr on this machine, behind ``./dev`` (start, test, bench, env, stop).

``./dev start`` is ``clwstwr-ops local start``, ``./dev test`` is ``clwstwr-ops local test``, and
so on; ``./dev`` only bootstraps ``uv`` and the virtualenv first.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer

from clwstwr_ops import checks, console, devtokens, supervisor
from clwstwr_ops.errors import OpsError
from clwstwr_ops.localstack import (
    Endpoints,
    Profile,
    dev_servers,
    stop_dev_servers,
    throwaway_servers,
)
from clwstwr_ops.proc import run
from clwstwr_ops.settings import OpsSettings

local = typer.Typer(
    no_args_is_help=True, help="Run Clwstwr on this machine with private PostgreSQL and Redis."
)

BENCH_SCRIPT = Path("tests/benchmarks/run.py")
PASS_THROUGH = {"allow_extra_args": True, "ignore_unknown_options": True}
"""Let ``./dev test -k name`` reach pytest without a ``--``."""
ExtraArgs = Annotated[list[str] | None, typer.Argument(help="Passed on unchanged.")]


def project_root() -> Path:
    """The checkout: the nearest directory up from here holding ``pyproject.toml`` and ``uv.lock``.

    Also made the working directory, so every tool sees the same paths wherever ``./dev`` was
    called from.
    """
    for directory in (Path.cwd(), *Path.cwd().parents):
        if (directory / "pyproject.toml").is_file() and (directory / "uv.lock").is_file():
            os.chdir(directory)
            return directory
    raise OpsError("not inside the Clwstwr checkout (no pyproject.toml beside uv.lock)")


def child_env(endpoints: Endpoints) -> dict[str, str]:
    """Our environment plus the URLs, with the virtualenv's tools first on PATH."""
    venv_bin = str(Path(sys.executable).parent)
    path = os.pathsep.join([venv_bin, os.environ.get("PATH", "")])
    return {**os.environ, **endpoints.as_env(), "PATH": path}


def _show(endpoints: Endpoints) -> None:
    console.ok(f"PostgreSQL  {endpoints.database_url}")
    console.ok(f"Redis       {endpoints.redis_url}")


@local.command()
def start() -> None:
    """Start PostgreSQL, Redis and every service; stop them all on Ctrl-C."""
    root = project_root()
    names = supervisor.discover(root)
    with dev_servers(root, OpsSettings(), keep_running=False) as endpoints:
        _show(endpoints)
        environment = child_env(endpoints)
        services = supervisor.plan(names)
        for service in services:
            console.ok(f"{service.name:11} grpc://{service.endpoint}")
        if not services:
            console.note("no services yet (services/*/src/<name>/__main__.py): databases only")
        token_dir = OpsSettings().data_dir or root / ".data"
        tokens = devtokens.load_or_create(token_dir)
        endpoints_by_name = {service.name: service.endpoint for service in services}
        environment = {**environment, **devtokens.service_env(tokens, endpoints_by_name)}
        devtokens.save_endpoints(token_dir, endpoints_by_name)
        console.ok(f"dev tokens  {token_dir / devtokens.TOKENS_FILE} (Bearer; one per role)")
        if "membership" in names:
            _seed_register(environment)
        status = supervisor.run_until_interrupted(services, environment)
    console.ok("stopped")
    raise typer.Exit(status)


#: The register is seeded as it stood at the start of FY 2022/23, the first year the shipped
#: rate card covers, so a demo year of meetings can fall in any later year.
SEED_ESTABLISHED_ON = "2022-04-01"


def _seed_register(environment: Mapping[str, str]) -> None:
    """Seed the register before the services start (idempotent: a restart creates nothing)."""
    argv = [sys.executable, "-m", "membership", "seed", "--established-on", SEED_ESTABLISHED_ON]
    seeded = run(argv, env={**environment, "CLWSTWR_SERVICE_NAME": "membership"})
    console.ok(f"register    {seeded.stdout.strip()}")


@local.command("test", context_settings=PASS_THROUGH)
def run_checks(pytest_args: ExtraArgs = None) -> None:
    """Provision fresh private PostgreSQL and Redis, run every check, tear them down."""
    root = project_root()
    started = time.monotonic()
    settings = OpsSettings()
    with tempfile.TemporaryDirectory(prefix="clwstwr-checks-") as workdir:
        plan = checks.plan(root, Path(workdir), pytest_args or [])
        if settings.test_use_existing:
            passed = _test_against_existing(settings, plan, root)
        else:
            with throwaway_servers(Profile.TEST) as endpoints:
                _show(endpoints)
                environment = child_env(endpoints)
                passed = checks.run_all(plan, environment, root)
    elapsed = time.monotonic() - started
    if not passed:
        console.problem(f"checks FAILED ({elapsed:.0f}s)")
        raise typer.Exit(1)
    console.ok(f"all checks passed ({elapsed:.0f}s)")


def _test_against_existing(settings: OpsSettings, plan: list[checks.Check], root: Path) -> bool:
    if settings.database_url is None or settings.redis_url is None:
        raise OpsError(
            "CLWSTWR_TEST_USE_EXISTING=1 needs CLWSTWR_DATABASE_URL and CLWSTWR_REDIS_URL"
        )
    console.note("CLWSTWR_TEST_USE_EXISTING=1: testing against the servers in the environment")
    endpoints = Endpoints(settings.database_url, settings.redis_url)
    _show(endpoints)
    environment = child_env(endpoints)
    return checks.run_all(plan, environment, root)


@local.command(context_settings=PASS_THROUGH)
def bench(args: ExtraArgs = None) -> None:
    """Run the benchmarks against fresh, durable PostgreSQL and Redis."""
    root = project_root()
    if not (root / BENCH_SCRIPT).is_file():
        console.note(f"{BENCH_SCRIPT} does not exist yet: no benchmarks to run")
        return
    uv = shutil.which("uv")
    if uv is None:
        raise OpsError("uv is not on PATH: run this through ./dev bench")
    with throwaway_servers(Profile.BENCH) as endpoints:
        _show(endpoints)
        environment = child_env(endpoints)
        argv = [uv, "run", "--frozen", "--all-packages", "--group", "bench", "python"]
        argv += [str(BENCH_SCRIPT), *(args or [])]
        console.say(shlex.join(["uv", *argv[1:]]))
        status = run(argv, env=environment, check=False, quiet=False).returncode
    raise typer.Exit(status)


@local.command()
def env() -> None:
    """Start the dev PostgreSQL and Redis (if needed), leave them running, print export lines.

    Once ``./dev start`` has run, also the services' endpoints and EventFeed token, so the
    operator commands (``clwstwr-ops status``, ``demo load`` …) reach them; and the project's
    virtualenv first on ``PATH``, so ``clwstwr-ops`` runs as it is. Use as
    ``eval "$(./dev env)"``; stop them again with ``./dev stop``.
    """
    root = project_root()
    settings = OpsSettings()
    with dev_servers(root, settings, keep_running=True) as endpoints:
        services = devtokens.operator_env(settings.data_dir or root / ".data")
        for name, value in {**endpoints.as_env(), **services}.items():
            typer.echo(f"export {name}={shlex.quote(value)}")
        # The project's tools (clwstwr-ops, the services) first on PATH: no uv needed to run them.
        typer.echo(f'export PATH={shlex.quote(str(root / ".venv" / "bin"))}:"$PATH"')
    console.say("left running; stop with ./dev stop")


@local.command()
def stop() -> None:
    """Stop the dev PostgreSQL and Redis left running by ``./dev env``."""
    if stop_dev_servers(project_root(), OpsSettings()):
        console.ok("stopped")
    else:
        console.say("nothing was running")
