"""A private PostgreSQL cluster: ``initdb`` once, then ``pg_ctl`` start and stop.

Layout under the instance's ``home`` (owned by the server account)::

    home/data/            PGDATA
    home/postgres.log     the server log (look here first when it will not start)

Settings that may change between runs (the port, durability) live in ``data/clwstwr.conf``,
rewritten at every start and included from ``postgresql.conf``. Putting them in a file rather
than on the command line keeps them inspectable and free of shell quoting.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from clwstwr_ops.accounts import Account
from clwstwr_ops.binaries import PostgresBinaries
from clwstwr_ops.datadir import hand_over, make_dir
from clwstwr_ops.errors import OpsError
from clwstwr_ops.ports import LOCALHOST
from clwstwr_ops.proc import run

USER = "clwstwr"
DATABASE = "clwstwr"
_INCLUDE = "include_if_exists = 'clwstwr.conf'"

# Tests only: a crash may lose the last transactions, which a throwaway instance does not mind,
# and the suite runs several times faster without waiting for the disk.
_FAST_UNSAFE = ("fsync = off", "synchronous_commit = off", "full_page_writes = off")


def render_settings(port: int, *, durable: bool) -> str:
    """The contents of ``clwstwr.conf`` for one run."""
    lines = [
        "# Written by clwstwr-ops at every start: edits here are overwritten.",
        f"listen_addresses = '{LOCALHOST}'",
        f"port = {port}",
        # No Unix socket: its path length limit (107 bytes) breaks in deep checkouts, and all
        # our clients use TCP.
        "unix_socket_directories = ''",
        "max_connections = 200",
    ]
    if not durable:
        lines.extend(_FAST_UNSAFE)
    return "\n".join(lines) + "\n"


def database_url(port: int) -> str:
    return f"postgresql://{USER}@{LOCALHOST}:{port}/{DATABASE}"


@dataclass(frozen=True, slots=True)
class PostgresServer:
    binaries: PostgresBinaries
    home: Path
    account: Account

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def log(self) -> Path:
        return self.home / "postgres.log"

    def is_initialised(self) -> bool:
        return (self.data / "PG_VERSION").exists()

    def initialise(self) -> None:
        """Create the cluster: trust authentication, since it listens on 127.0.0.1 only."""
        make_dir(self.home, owner=self.account)
        run(
            [
                self.binaries.initdb,
                f"--pgdata={self.data}",
                f"--username={USER}",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
            ],
            as_account=self.account,
        )
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(f"\n{_INCLUDE}\n")

    def is_running(self) -> bool:
        if not self.is_initialised():
            return False
        status = run(
            [self.binaries.pg_ctl, "status", f"--pgdata={self.data}"],
            as_account=self.account,
            check=False,
        )
        return status.returncode == 0

    def running_port(self) -> int | None:
        """The port of the running server, from ``postmaster.pid`` (its fourth line)."""
        with contextlib.suppress(OSError, ValueError, IndexError):
            lines = (self.data / "postmaster.pid").read_text(encoding="utf-8").splitlines()
            return int(lines[3])
        return None

    def start(self, port: int, *, durable: bool) -> None:
        """Start the server and wait until it accepts connections (``pg_ctl -w``)."""
        settings = self.data / "clwstwr.conf"
        settings.write_text(render_settings(port, durable=durable), encoding="utf-8")
        hand_over(settings, self.account)
        try:
            run(
                [
                    self.binaries.pg_ctl,
                    "start",
                    "--wait",
                    "--timeout=60",
                    f"--pgdata={self.data}",
                    f"--log={self.log}",
                ],
                as_account=self.account,
            )
        except OpsError as error:
            raise OpsError(f"{error}\n{self._log_tail()}") from None

    def stop(self) -> None:
        """Fast shutdown: roll back open transactions, checkpoint, exit cleanly."""
        run(
            [self.binaries.pg_ctl, "stop", "--wait", "--mode=fast", f"--pgdata={self.data}"],
            as_account=self.account,
        )

    def ensure_database(self, port: int) -> None:
        """Create the ``clwstwr`` database unless it exists (initdb makes only ``postgres``)."""
        psql: list[str | Path] = [
            self.binaries.psql,
            "--no-psqlrc",
            f"--host={LOCALHOST}",
            f"--port={port}",
        ]
        psql += [f"--username={USER}", "--dbname=postgres", "--tuples-only", "--no-align"]
        exists = run([*psql, f"--command=SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"])
        if exists.stdout.strip() != "1":
            run([*psql, f"--command=CREATE DATABASE {DATABASE}"])

    def _log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return f"(no server log at {self.log})"
        tail = "\n".join(text.splitlines()[-lines:])
        return f"last lines of {self.log}:\n{tail}"
