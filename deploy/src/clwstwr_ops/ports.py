"""Choosing TCP ports, and remembering them for the persistent instance.

Private instances never take the well-known 5432 and 6379: a machine may already run its own
servers there, and tests must never touch those.
"""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass
from pathlib import Path

LOCALHOST = "127.0.0.1"
WELL_KNOWN = frozenset({5432, 6379})


def is_free(port: int, host: str = LOCALHOST) -> bool:
    """Whether nothing listens on ``host:port`` right now.

    SO_REUSEADDR, as PostgreSQL and Redis set it, so that connections of a server just stopped
    (TIME_WAIT) do not make its port look busy: a second start should get the same port.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def ephemeral_port(host: str = LOCALHOST) -> int:
    """A port the kernel considers free now; it is released at once, so a small race remains."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
    return port


def choose_port(
    preferred: int | None,
    taken: Collection[int] = (),
    *,
    free: Callable[[int], bool] = is_free,
    pick: Callable[[], int] = ephemeral_port,
) -> int:
    """``preferred`` when it is usable, otherwise a free ephemeral port.

    ``taken`` holds ports already promised to another of our processes in this run.
    """
    avoid = WELL_KNOWN | set(taken)
    if preferred is not None and preferred not in avoid and free(preferred):
        return preferred
    while True:
        port = pick()
        if port not in avoid:
            return port


def sequential_ports(count: int, first: int, *, free: Callable[[int], bool] = is_free) -> list[int]:
    """``count`` free ports counting up from ``first`` (gRPC ports: predictable for humans)."""
    ports: list[int] = []
    candidate = first
    while len(ports) < count:
        if candidate not in WELL_KNOWN and free(candidate):
            ports.append(candidate)
        candidate += 1
    return ports


@dataclass(frozen=True, slots=True)
class RememberedPorts:
    """The ports of the persistent instance, kept so that its URLs stay the same across starts."""

    postgres: int | None = None
    redis: int | None = None

    @classmethod
    def load(cls, path: Path) -> RememberedPorts:
        """Read ``path``; a missing or unreadable file just means nothing is remembered."""
        with contextlib.suppress(OSError, ValueError, TypeError):
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(postgres=data.get("postgres"), redis=data.get("redis"))
        return cls()

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")
