"""When the read models move: what wakes ``WatchClusterReports`` streams.

A cluster's report is built from read models fed by every other service's events, so rather
than hook each projection, watchers wait on the read models' version (their checkpoints). While
anyone waits, one task looks at it every ``every`` seconds and wakes them all when it moves:
one small query a look, however many watchers; none when nobody watches.
"""

from __future__ import annotations

import asyncio
from typing import cast

from reporting.application.ports import ReadModelsVersion

Version = tuple[int, ...]

#: Seconds between looks at the version while anyone watches (how late a pushed report can be).
LOOK_EVERY = 0.25


class ReadModelChanges:
    def __init__(self, version: ReadModelsVersion, every: float = LOOK_EVERY) -> None:
        self._version = version
        self._every = every
        self._latest: Version | None = None
        self._moved = asyncio.Condition()
        self._waiting = 0
        self._looker: asyncio.Task[None] | None = None

    async def after(self, seen: Version | None) -> Version:
        """Wait until the version differs from ``seen`` (``None``: until it is known); return it.

        Waits as long as that takes: bound it with ``asyncio.timeout``.
        """
        self._waiting += 1
        if self._looker is None or self._looker.done():
            self._looker = asyncio.create_task(self._look(), name="read model changes")
        try:
            async with self._moved:
                await self._moved.wait_for(lambda: self._latest not in (None, seen))
                return cast("Version", self._latest)  # not None: the condition waited for says so
        finally:
            self._waiting -= 1

    async def _look(self) -> None:
        while self._waiting:
            latest = await self._version.current()
            if latest != self._latest:
                async with self._moved:
                    self._latest = latest
                    self._moved.notify_all()
            await asyncio.sleep(self._every)
