"""An event store that seals personal fields on the way in and opens them on the way out."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from kernel.events import AppendResult, NewEvent, RecordedEvent
from kernel.eventstore.port import EventStore
from kernel.personal_data.cipher import is_sealed, seal, unseal
from kernel.personal_data.policy import PersonalDataPolicy
from kernel.personal_data.vault import KeyVault


class SealingEventStore(EventStore):
    """Wraps ``inner`` (which then holds sealed fields only) for the service's own use.

    The service's repositories and projections read through this store and see plain values,
    or ``None`` where the person has been erased. The relay and the EventFeed use ``inner``:
    other services get sealed text and never hold a readable copy.
    """

    def __init__(self, inner: EventStore, vault: KeyVault, policy: PersonalDataPolicy) -> None:
        self.inner = inner
        self._vault = vault
        self._policy = policy

    async def append(
        self, stream_id: str, expected_version: int | None, events: Sequence[NewEvent]
    ) -> AppendResult:
        # Forget first: if the append then fails, the data is unreadable already and a retry
        # records the erasure; the other order could record an erasure that did not happen.
        for event in events:
            if (field := self._policy.erasures.get(event.event_type)) is not None:
                await self._vault.forget(str(event.data[field]))
        return await self.inner.append(stream_id, expected_version, await self._sealed(events))

    async def _sealed(self, events: Sequence[NewEvent]) -> list[NewEvent]:
        subjects = {
            str(event.data[personal.subject])
            for event in events
            if (personal := self._policy.sealed.get(event.event_type))
        }
        if not subjects:
            return list(events)
        keys = await self._vault.keys_for(subjects)
        sealed = []
        for event in events:
            personal = self._policy.sealed.get(event.event_type)
            if personal is None:
                sealed.append(event)
                continue
            subject = str(event.data[personal.subject])
            data = dict(event.data)
            for name in personal.fields:
                if data.get(name) is not None:
                    data[name] = seal(keys[subject], subject, data[name])
            sealed.append(dataclasses.replace(event, data=data))
        return sealed

    async def read_stream(
        self,
        stream_id: str,
        *,
        up_to_version: int | None = None,
        as_of: datetime | None = None,
    ) -> list[RecordedEvent]:
        events = await self.inner.read_stream(stream_id, up_to_version=up_to_version, as_of=as_of)
        return await self.opened(events)

    async def read_streams(self, known: Mapping[str, int]) -> dict[str, list[RecordedEvent]]:
        streams = await self.inner.read_streams(known)
        # One look-up of keys for every stream's subjects.
        opened = iter(await self.opened([e for events in streams.values() for e in events]))
        return {stream_id: [next(opened) for _ in events] for stream_id, events in streams.items()}

    async def read_all(self, after_position: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        return await self.opened(await self.inner.read_all(after_position, limit))

    async def opened(self, events: list[RecordedEvent]) -> list[RecordedEvent]:
        """``events`` with their sealed fields opened (``None`` where the key is forgotten)."""
        subjects = {
            str(event.data[personal.subject])
            for event in events
            if (personal := self._policy.sealed.get(event.event_type))
        }
        if not subjects:
            return events
        keys = await self._vault.existing_keys(subjects)
        return [self._open(event, keys) for event in events]

    def _open(self, event: RecordedEvent, keys: dict[str, bytes]) -> RecordedEvent:
        personal = self._policy.sealed.get(event.event_type)
        if personal is None:
            return event
        subject = str(event.data[personal.subject])
        key = keys.get(subject)
        data: dict[str, Any] = dict(event.data)
        for name in personal.fields:
            value = data.get(name)
            if is_sealed(value):
                data[name] = None if key is None else unseal(key, subject, str(value))
        return dataclasses.replace(event, data=data)

    async def last_position(self) -> int:
        return await self.inner.last_position()

    async def stream_version(self, stream_id: str) -> int:
        return await self.inner.stream_version(stream_id)

    def wakeups(self, poll_interval: float) -> AsyncIterator[None]:
        return self.inner.wakeups(poll_interval)

    async def close(self) -> None:
        await self.inner.close()
