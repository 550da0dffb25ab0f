"""Given / when / then for aggregates: given past events, when a command runs, then these events.

Example::

    scenario(Meeting, "meeting-1").given(MeetingScheduled(...)).when(
        lambda meeting: meeting.hold(...)
    ).then(MeetingHeld(...))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import pytest

from kernel.aggregate import Aggregate, DomainEvent

A = TypeVar("A", bound=Aggregate[Any])


class Scenario(Generic[A]):
    def __init__(self, aggregate_class: type[A], stream_id: str) -> None:
        self._aggregate_class = aggregate_class
        self._stream_id = stream_id
        self._history: list[DomainEvent] = []
        self._command: Callable[[A], object] | None = None

    def given(self, *events: DomainEvent) -> Scenario[A]:
        self._history.extend(events)
        return self

    def when(self, command: Callable[[A], object]) -> Scenario[A]:
        self._command = command
        return self

    def _run(self) -> A:
        aggregate = self._aggregate_class.replay(self._stream_id, list(self._history))
        if self._command is None:
            raise AssertionError("scenario has no when(...)")
        self._command(aggregate)
        return aggregate

    def then(self, *expected: DomainEvent) -> A:
        """Assert the command recorded exactly ``expected``; return the aggregate."""
        aggregate = self._run()
        assert aggregate.pending_events == list(expected)
        return aggregate

    def then_raises(self, error: type[Exception], match: str | None = None) -> Exception:
        """Assert the command raised ``error`` (and so recorded nothing)."""
        with pytest.raises(error, match=match) as raised:
            self._run()
        return raised.value


def scenario(aggregate_class: type[A], stream_id: str = "test-stream") -> Scenario[A]:
    return Scenario(aggregate_class, stream_id)
