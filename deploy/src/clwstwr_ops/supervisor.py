"""Running the platform's services until Ctrl-C.

A service is any ``services/<dir>/src/<name>/__main__.py``: the tooling needs no list to keep up
to date. Each runs as ``python -m <name>`` in its own process group, so the terminal's Ctrl-C
reaches only this supervisor, which forwards it to every service, waits for them to finish, and
only then lets the caller stop PostgreSQL and Redis underneath them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from clwstwr_ops import console
from clwstwr_ops.ports import LOCALHOST, sequential_ports

FIRST_GRPC_PORT = 50051
_GRACE_SECONDS = 15.0
_POLL_SECONDS = 0.5


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    grpc_port: int

    @property
    def endpoint(self) -> str:
        return f"{LOCALHOST}:{self.grpc_port}"


def discover(project_root: Path) -> list[str]:
    """Names of the runnable service packages, sorted (so gRPC ports are stable)."""
    mains = project_root.glob("services/*/src/*/__main__.py")
    return sorted({main.parent.name for main in mains})


def plan(names: list[str], first_port: int = FIRST_GRPC_PORT) -> list[Service]:
    """Give each service its own free gRPC port, counting up from ``first_port``."""
    ports = sequential_ports(len(names), first_port)
    return [Service(name, port) for name, port in zip(names, ports, strict=True)]


class StopRequest:
    """Set by SIGINT or SIGTERM; remembers which, so that exactly that signal is forwarded."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.signum: int = signal.SIGTERM

    def __call__(self, signum: int, _frame: FrameType | None) -> None:
        self.signum = signum
        self._event.set()

    def wait(self, timeout: float) -> bool:
        return self._event.wait(timeout)

    @contextlib.contextmanager
    def installed(self) -> Iterator[StopRequest]:
        """Handle SIGINT and SIGTERM with this request while the block runs."""
        sigs = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self) for sig in sigs}
        try:
            yield self
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def run_until_interrupted(services: list[Service], env: Mapping[str, str]) -> int:
    """Run ``services`` until Ctrl-C/SIGTERM or until one exits; 0 after a requested stop."""
    with StopRequest().installed() as request:
        children = {service.name: _spawn(service, env) for service in services}
        console.ok("running; press Ctrl-C to stop")
        failed = _wait(children, request)
        _stop_all(children, request.signum)
    return 1 if failed else 0


def _spawn(service: Service, env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    child_env = {**env, "CLWSTWR_GRPC_PORT": str(service.grpc_port)}
    return subprocess.Popen(  # noqa: S603 - the module name comes from our own source tree
        [sys.executable, "-m", service.name], env=child_env, start_new_session=True
    )


def _wait(children: Mapping[str, subprocess.Popen[bytes]], request: StopRequest) -> bool:
    """Block until a stop is requested (False) or a service exits by itself (True)."""
    while not request.wait(_POLL_SECONDS):
        for name, child in children.items():
            code = child.poll()
            if code is not None:
                console.problem(f"service {name} exited with status {code}; stopping the rest")
                return True
    return False


def _stop_all(children: Mapping[str, subprocess.Popen[bytes]], signum: int) -> None:
    running = {name: child for name, child in children.items() if child.poll() is None}
    if running:
        console.say(f"stopping {', '.join(running)}")
    for child in running.values():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signum)
    for name, child in running.items():
        try:
            child.wait(timeout=_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            console.problem(f"service {name} ignored the stop request; killing it")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
            child.wait()
