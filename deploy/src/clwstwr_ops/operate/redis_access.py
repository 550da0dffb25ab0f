"""One Redis connection for one operator command."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from clwstwr_ops.errors import OpsError
from clwstwr_ops.operate.settings import OperatorSettings

T = TypeVar("T")


async def with_redis(action: Callable[[Redis], Awaitable[T]]) -> T:
    redis = Redis.from_url(OperatorSettings().redis_url)
    try:
        return await action(redis)
    except (OSError, RedisConnectionError) as error:
        raise OpsError(f"cannot reach Redis (CLWSTWR_REDIS_URL): {error}") from error
    finally:
        await redis.aclose()
