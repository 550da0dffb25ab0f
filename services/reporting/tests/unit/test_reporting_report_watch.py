"""ReadModelChanges: watchers woken when the read models move, by one shared look."""

import asyncio

from reporting.application.report_watch import ReadModelChanges

LOOK = 0.01


class Version:
    """A read models' version that tests move by hand, counting how often it is read."""

    def __init__(self) -> None:
        self.value = (1, 1)
        self.looks = 0

    async def current(self) -> tuple[int, ...]:
        self.looks += 1
        return self.value


async def test_every_watcher_wakes_when_the_read_models_move() -> None:
    version = Version()
    changes = ReadModelChanges(version, every=LOOK)
    assert await changes.after(None) == (1, 1)  # the version, as soon as it is known

    watchers = [asyncio.create_task(changes.after((1, 1))) for _ in range(5)]
    await asyncio.sleep(LOOK * 5)
    assert not any(w.done() for w in watchers)  # nothing moved: nobody woken
    version.value = (1, 2)
    woken = await asyncio.wait_for(asyncio.gather(*watchers), 1)
    assert woken == [(1, 2)] * 5


async def test_one_look_serves_every_watcher_and_none_is_taken_without_one() -> None:
    version = Version()
    changes = ReadModelChanges(version, every=LOOK)
    watchers = [asyncio.create_task(changes.after((1, 1))) for _ in range(20)]
    await asyncio.sleep(LOOK * 10)
    assert version.looks <= 12  # about one a look, not one a watcher
    for watcher in watchers:
        watcher.cancel()
    await asyncio.gather(*watchers, return_exceptions=True)
    await asyncio.sleep(LOOK * 3)
    idle = version.looks
    await asyncio.sleep(LOOK * 10)
    assert version.looks == idle  # nobody watching: nobody looks
