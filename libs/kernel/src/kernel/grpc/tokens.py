"""Tokens issued and revoked by operators at run time, shared by every service through Redis.

``CLWSTWR_AUTH_TOKENS`` holds the tokens a deployment starts with; health board systems get
theirs from ``clwstwr-ops tokens issue`` and lose them with ``tokens revoke``, without a
restart. Only SHA-256 digests are stored (the token is shown once, when issued). Each service
reloads the set every few seconds (``keep_issued_tokens``), so a revocation takes effect
everywhere within that interval and authentication itself never waits on Redis.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import secrets
from dataclasses import dataclass

from pydantic import TypeAdapter
from redis.asyncio import Redis
from redis.exceptions import RedisError

from kernel.grpc.auth import Principal, TokenRegistry, hash_token

_log = logging.getLogger(__name__)

#: The Redis hash: token digest -> JSON of the principal, a label and when it was issued.
ISSUED_TOKENS_KEY = "clwstwr.auth.issued-tokens"


@dataclass(frozen=True, slots=True)
class IssuedToken:
    digest: str
    principal: Principal
    label: str
    issued_at: dt.datetime


_PRINCIPAL = TypeAdapter(Principal)


class IssuedTokens:
    """The operators' side (issue, revoke, list) and the services' side (``principals``)."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def issue(self, principal: Principal, label: str = "") -> tuple[str, IssuedToken]:
        """A new token for ``principal``; the token itself is returned here and nowhere else."""
        token = secrets.token_urlsafe(32)
        issued = IssuedToken(hash_token(token), principal, label, dt.datetime.now(dt.UTC))
        record = {
            "principal": _PRINCIPAL.dump_python(principal, mode="json"),
            "label": label,
            "issued_at": issued.issued_at.isoformat(),
        }
        await self._redis.hset(ISSUED_TOKENS_KEY, issued.digest, json.dumps(record))  # type: ignore[misc]  # redis-py types hset as sync|async
        return token, issued

    async def revoke(self, token_or_digest: str) -> bool:
        """Revoke by the token or its digest (as ``list`` shows it); False if none matched."""
        digest = token_or_digest if _is_digest(token_or_digest) else hash_token(token_or_digest)
        removed: int = await self._redis.hdel(ISSUED_TOKENS_KEY, digest)  # type: ignore[misc]  # as above
        return removed == 1

    async def list(self) -> list[IssuedToken]:
        raw: dict[bytes, bytes] = await self._redis.hgetall(ISSUED_TOKENS_KEY)  # type: ignore[misc]  # as above
        tokens = []
        for digest, value in raw.items():
            record = json.loads(value)
            tokens.append(
                IssuedToken(
                    digest.decode(),
                    _PRINCIPAL.validate_python(record["principal"]),
                    record.get("label", ""),
                    dt.datetime.fromisoformat(record["issued_at"]),
                )
            )
        return sorted(tokens, key=lambda t: t.issued_at)

    async def principals(self) -> dict[str, Principal]:
        return {token.digest: token.principal for token in await self.list()}


def _is_digest(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)  # noqa: PLR2004


async def keep_issued_tokens(
    registry: TokenRegistry, tokens: IssuedTokens, interval: float = 2.0
) -> None:
    """Reload the issued tokens into ``registry`` every ``interval`` seconds, forever.

    If Redis is unreachable the last loaded set stays in force (logged), rather than locking
    every health board out while the broker restarts.
    """
    while True:
        await load_issued_tokens(registry, tokens)
        await asyncio.sleep(interval)


async def load_issued_tokens(registry: TokenRegistry, tokens: IssuedTokens) -> None:
    """Load the issued tokens into ``registry`` once (keeping the last set if Redis fails)."""
    try:
        registry.replace_issued(await tokens.principals())
    except (RedisError, OSError):
        _log.warning("could not load issued tokens; keeping the last set")
