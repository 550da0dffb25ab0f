"""One name for "an asyncpg connection", whether it came straight from connect() or from a pool."""

from __future__ import annotations

from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

#: A connection as kernel code receives it: a pooled proxy in services, a bare one in scripts.
DbConnection: TypeAlias = asyncpg.Connection | PoolConnectionProxy
