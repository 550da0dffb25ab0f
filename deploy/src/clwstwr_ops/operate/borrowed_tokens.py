"""Bearer tokens an operator command issues for itself and revokes when it ends.

Commands that act through the public APIs (``demo load``, ``export``) act as the platform's
real callers do: a health board system writes its own board's data, the national programme
reads all of Wales. Rather than asking the operator for a token per board, the command issues
them (``kernel.grpc.tokens``, as ``tokens issue`` does), and revokes them when it ends, however
it ends. The subjects stay the same from run to run, so idempotency keys (scoped by subject)
make a re-run replay what an earlier run did instead of acting twice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.exceptions import RedisError

from clwstwr_ops import console
from clwstwr_ops.errors import OpsError
from kernel.grpc.auth import Principal
from kernel.grpc.tokens import IssuedTokens

#: How long the services may take to load a newly issued token (they reload every 2 s).
ACCEPTED_WITHIN_SECONDS = 10.0


@asynccontextmanager
async def borrowed_tokens(
    redis_url: str, principals: Mapping[str, Principal], label: str
) -> AsyncIterator[dict[str, str]]:
    """Name -> a token issued to that principal, valid until the block ends."""
    redis = Redis.from_url(redis_url)
    issued = IssuedTokens(redis)
    tokens: dict[str, str] = {}
    try:
        try:
            for name, principal in principals.items():
                tokens[name], _ = await issued.issue(principal, label)
        except (OSError, RedisError) as error:
            raise OpsError(f"cannot reach Redis (CLWSTWR_REDIS_URL): {error}") from error
        yield tokens
    finally:
        try:
            for token in tokens.values():
                await issued.revoke(token)
        except (OSError, RedisError):
            console.problem(f"could not revoke the tokens labelled {label!r}: 'tokens list'")
        await redis.aclose()
