"""Provisioning private PostgreSQL + Redis pairs: the persistent dev one and throwaway ones.

Three kinds, differing only in lifetime and durability:

* **dev** (``./dev start``, ``./dev env``): lives in ``<project>/.data``, durable, keeps its ports
  between runs (``ports.json``) so URLs stay stable, and is reused if already running.
* **test** (``./dev test``): fresh in a temp dir on free ports, fsync off, deleted afterwards.
  Always our own, even if the machine runs servers already: CI then exercises provisioning on
  every run, and tests can never touch data that matters.
* **bench** (``./dev bench``): like test, but with PostgreSQL's durable defaults, so numbers
  mean what they would in production.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from clwstwr_ops import console
from clwstwr_ops.accounts import Account, server_account
from clwstwr_ops.binaries import ensure_postgres, ensure_redis, find_postgres, find_redis
from clwstwr_ops.datadir import DataDir, dev_data_dir, make_dir, temp_data_dir
from clwstwr_ops.errors import OpsError
from clwstwr_ops.ports import RememberedPorts, choose_port
from clwstwr_ops.postgres import PostgresServer, database_url
from clwstwr_ops.redis import RedisServer, redis_url
from clwstwr_ops.settings import OpsSettings

DEV_PORTS = RememberedPorts(postgres=55432, redis=56379)
"""First-choice ports of the dev instance: memorable, and clear of the system's 5432/6379."""

PORTS_FILE = "ports.json"


class Profile(StrEnum):
    DEV = "dev"
    TEST = "test"
    BENCH = "bench"

    @property
    def durable(self) -> bool:
        """Whether PostgreSQL keeps its crash-safety settings (all but test)."""
        return self is not Profile.TEST


@dataclass(frozen=True, slots=True)
class Endpoints:
    database_url: str
    redis_url: str

    def as_env(self) -> dict[str, str]:
        return {"CLWSTWR_DATABASE_URL": self.database_url, "CLWSTWR_REDIS_URL": self.redis_url}


@dataclass(slots=True)
class LocalServers:
    """Brings up private servers under ``base``; later stops exactly those it started."""

    base: Path
    account: Account
    ports: dict[str, int] = field(default_factory=dict)
    _stops: list[tuple[str, Callable[[], None]]] = field(default_factory=list)
    _reused: list[str] = field(default_factory=list)

    def postgres(self, preferred_port: int | None, *, durable: bool) -> str:
        server = PostgresServer(ensure_postgres(), self.base / "postgres", self.account)
        port = server.running_port() if server.is_running() else None
        if port is not None:
            console.say(f"PostgreSQL already running from {server.data}: reusing it")
            self._reused.append("PostgreSQL")
        else:
            if not server.is_initialised():
                console.say(f"creating a PostgreSQL cluster in {server.data}")
                server.initialise()
            port = choose_port(preferred_port, self.ports.values())
            server.start(port, durable=durable)
            self._stops.append(("PostgreSQL", server.stop))
        server.ensure_database(port)
        self.ports["postgres"] = port
        return database_url(port)

    def redis(self, preferred_port: int | None, *, persistent: bool) -> str:
        server = RedisServer(ensure_redis(), self.base / "redis")
        port = preferred_port if server.is_running() else None
        if port is not None:
            console.say(f"Redis already running from {server.home}: reusing it")
            self._reused.append("Redis")
        else:
            port = choose_port(preferred_port, self.ports.values())
            server.start(port, persistent=persistent)
            self._stops.append(("Redis", server.stop))
        self.ports["redis"] = port
        return redis_url(port)

    def stop(self) -> None:
        """Stop what we started, newest first; report every failure, not just the first."""
        failures: list[str] = []
        while self._stops:
            name, stop = self._stops.pop()
            console.say(f"stopping {name}")
            try:
                stop()
            except OpsError as error:
                failures.append(str(error))
        if self._reused:
            console.say(f"left running (started earlier): {', '.join(self._reused)}; ./dev stop")
        if failures:
            raise OpsError("\n".join(failures))


def _announce(data: DataDir) -> None:
    if data.fallback_reason is not None:
        console.note(f"data directory: {data.path}")
        console.note(f"  (not the usual place because {data.fallback_reason})")


@contextmanager
def dev_servers(
    project_root: Path, settings: OpsSettings, *, keep_running: bool
) -> Iterator[Endpoints]:
    """The persistent dev instance, or the servers ``CLWSTWR_*_URL`` name.

    On exit, stops what this call started unless ``keep_running`` (``./dev env``); servers that
    were running already (left by ``./dev env``) are reused and left running.
    """
    if settings.database_url is not None and settings.redis_url is not None:
        console.say("using CLWSTWR_DATABASE_URL and CLWSTWR_REDIS_URL; nothing to provision")
        yield Endpoints(settings.database_url, settings.redis_url)
        return
    account = server_account()
    data = dev_data_dir(project_root, settings.data_dir, account)
    _announce(data)
    make_dir(data.path)
    remembered = RememberedPorts.load(data.path / PORTS_FILE)
    servers = LocalServers(data.path, account)
    handed_over = False
    try:
        db = settings.database_url or servers.postgres(
            remembered.postgres or DEV_PORTS.postgres, durable=True
        )
        cache = settings.redis_url or servers.redis(
            remembered.redis or DEV_PORTS.redis, persistent=True
        )
        RememberedPorts(
            postgres=servers.ports.get("postgres", remembered.postgres),
            redis=servers.ports.get("redis", remembered.redis),
        ).save(data.path / PORTS_FILE)
        yield Endpoints(db, cache)
        handed_over = keep_running
    finally:
        if not handed_over:
            servers.stop()


def stop_dev_servers(project_root: Path, settings: OpsSettings) -> bool:
    """Stop the persistent dev instance if it runs (left by ``./dev env``); True if it did."""
    account = server_account()
    base = dev_data_dir(project_root, settings.data_dir, account).path
    stopped = False
    redis_binary, postgres_binaries = find_redis(), find_postgres()
    if redis_binary is not None:
        redis = RedisServer(redis_binary, base / "redis")
        if redis.is_running():
            redis.stop()
            stopped = True
    if postgres_binaries is not None:
        postgres = PostgresServer(postgres_binaries, base / "postgres", account)
        if postgres.is_running():
            postgres.stop()
            stopped = True
    return stopped


@contextmanager
def throwaway_servers(profile: Profile) -> Iterator[Endpoints]:
    """A fresh PostgreSQL + Redis on free ports in a temp dir, removed afterwards."""
    account = server_account()
    data = temp_data_dir(f"clwstwr-{profile.value}-", account)
    _announce(data)
    servers = LocalServers(data.path, account)
    try:
        yield Endpoints(
            servers.postgres(None, durable=profile.durable),
            servers.redis(None, persistent=False),
        )
    finally:
        _discard(servers, data.path)


def _discard(servers: LocalServers, path: Path) -> None:
    """Stop the servers, then delete their files; keep the files if a server would not stop."""
    try:
        servers.stop()
    except OpsError:
        console.problem(f"a server did not stop cleanly; its files are kept in {path}")
        raise
    shutil.rmtree(path, ignore_errors=True)
