"""A private Redis server, daemonised with a pidfile.

Daemonised rather than a child process so that ``./dev env`` can leave the persistent instance
running for a shell session, and so that Ctrl-C in the terminal reaches only our supervisor,
which then stops the services before the servers they depend on.

Layout under ``home``: ``redis.pid``, ``redis.log`` and, for the persistent instance,
``appendonlydir/`` (the append-only file, so a second ``./dev start`` finds its data).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
from dataclasses import dataclass
from pathlib import Path

from tenacity import RetryError, retry, retry_if_result, stop_after_delay, wait_fixed

from clwstwr_ops.datadir import make_dir
from clwstwr_ops.errors import OpsError
from clwstwr_ops.ports import LOCALHOST
from clwstwr_ops.proc import run

_READY_TIMEOUT = 20.0
_STOP_TIMEOUT = 30.0


def redis_url(port: int) -> str:
    return f"redis://{LOCALHOST}:{port}/0"


def ping(port: int, host: str = LOCALHOST) -> bool:
    """Whether a Redis server answers PING on ``host:port`` (inline protocol, no client needed)."""
    try:
        with socket.create_connection((host, port), timeout=1.0) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _false(value: bool) -> bool:  # noqa: FBT001 - tenacity passes the result positionally
    return not value


@retry(stop=stop_after_delay(_READY_TIMEOUT), wait=wait_fixed(0.05), retry=retry_if_result(_false))
def _wait_for_pong(port: int) -> bool:
    return ping(port)


@retry(stop=stop_after_delay(_STOP_TIMEOUT), wait=wait_fixed(0.05), retry=retry_if_result(_false))
def _wait_for_exit(pid: int) -> bool:
    return not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_redis(pid: int) -> bool:
    """Guard against a stale pidfile whose pid now belongs to an unrelated process."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"redis-server" in cmdline


@dataclass(frozen=True, slots=True)
class RedisServer:
    binary: Path
    home: Path

    @property
    def pidfile(self) -> Path:
        return self.home / "redis.pid"

    @property
    def log(self) -> Path:
        return self.home / "redis.log"

    def pid(self) -> int | None:
        """The pid of our running server, or None."""
        with contextlib.suppress(OSError, ValueError):
            pid = int(self.pidfile.read_text(encoding="utf-8").strip())
            if _alive(pid) and _is_redis(pid):
                return pid
        return None

    def is_running(self) -> bool:
        return self.pid() is not None

    def start(self, port: int, *, persistent: bool) -> None:
        """Start on ``127.0.0.1:port`` and wait until it answers PING.

        ``persistent`` turns on the append-only file (the dev instance); otherwise nothing is
        ever written to disk (tests and benchmarks start empty anyway).
        """
        make_dir(self.home)
        argv: list[str | Path] = [self.binary, "--bind", LOCALHOST, "--port", str(port)]
        argv += ["--dir", self.home, "--daemonize", "yes", "--pidfile", self.pidfile]
        argv += ["--logfile", self.log, "--save", "", "--protected-mode", "yes"]
        argv += ["--appendonly", "yes" if persistent else "no"]
        run(argv)
        try:
            _wait_for_pong(port)
        except RetryError:
            raise OpsError(
                f"redis-server did not answer on {LOCALHOST}:{port} within {_READY_TIMEOUT:.0f}s;"
                f" see {self.log}"
            ) from None

    def stop(self) -> None:
        """SIGTERM (Redis writes its append-only file and exits), then wait for it to go."""
        pid = self.pid()
        if pid is None:
            return
        os.kill(pid, signal.SIGTERM)
        try:
            _wait_for_exit(pid)
        except RetryError:
            raise OpsError(f"redis-server (pid {pid}) did not stop; see {self.log}") from None
