"""Bearer tokens for a development platform, so ``./dev start`` is usable from its first run.

Made once per data directory (``dev-tokens.json``, mode 0600) and reused, so clients keep working
across restarts: one per role (operator, national, each health board, and the ``service`` token
services present to each other's EventFeeds). Services get only the SHA-256 hashes, as in
production (``kernel.grpc.auth``); real deployments issue their own (issue 7's ``tokens``).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

TOKENS_FILE = "dev-tokens.json"
#: Where ``./dev start`` writes each service's gRPC endpoint, for ``./dev env`` to export.
ENDPOINTS_FILE = "endpoints.json"
HEALTH_BOARDS = ("7A1", "7A2", "7A3", "7A4", "7A5", "7A6", "7A7")


@dataclass(frozen=True, slots=True)
class DevPrincipal:
    name: str
    role: str
    scope: str | None


PRINCIPALS = (
    DevPrincipal("operator", "operator", None),
    DevPrincipal("national", "national", None),
    DevPrincipal("service", "service", "platform"),
    *(DevPrincipal(f"board-{ods}", "health_board", ods) for ods in HEALTH_BOARDS),
)


def load_or_create(directory: Path) -> dict[str, str]:
    """Principal name -> token, from ``directory``, creating any that are missing."""
    path = directory / TOKENS_FILE
    tokens: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    missing = [p.name for p in PRINCIPALS if p.name not in tokens]
    if missing:
        tokens.update({name: secrets.token_urlsafe(24) for name in missing})
        directory.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            json.dump(tokens, file, indent=2)
    return tokens


def hash_token(token: str) -> str:
    """The hash services store; must equal ``kernel.grpc.auth.hash_token`` (a test checks)."""
    return hashlib.sha256(token.encode()).hexdigest()


def service_env(tokens: dict[str, str], endpoints: dict[str, str]) -> dict[str, str]:
    """What every service needs: the hashed tokens, its peers' EventFeeds, its own feed token."""
    principals = {
        hash_token(tokens[p.name]): {"subject": f"dev-{p.name}", "role": p.role, "scope": p.scope}
        for p in PRINCIPALS
    }
    return {
        "CLWSTWR_AUTH_TOKENS": json.dumps(principals),
        "CLWSTWR_FEED_TARGETS": json.dumps(endpoints),
        "CLWSTWR_FEED_TOKEN": tokens["service"],
    }


def save_endpoints(directory: Path, endpoints: dict[str, str]) -> None:
    """Remember the running services' gRPC endpoints (``./dev start``)."""
    (directory / ENDPOINTS_FILE).write_text(json.dumps(endpoints, indent=2))


def operator_env(directory: Path) -> dict[str, str]:
    """What the operator commands need to reach the dev services, once ``./dev start`` ran.

    The services' endpoints (``CLWSTWR_FEED_TARGETS``) and the ``service`` token for reading
    their EventFeeds (``CLWSTWR_FEED_TOKEN``); nothing before the first start.
    """
    endpoints, tokens = directory / ENDPOINTS_FILE, directory / TOKENS_FILE
    if not (endpoints.exists() and tokens.exists()):
        return {}
    return {
        "CLWSTWR_FEED_TARGETS": json.dumps(json.loads(endpoints.read_text())),
        "CLWSTWR_FEED_TOKEN": json.loads(tokens.read_text())["service"],
    }
