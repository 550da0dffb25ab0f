"""Checks that a service's stored events stay what its published contracts say.

The relay publishes stored events verbatim, so every service's contract test asks the same
two things of each sample event: it decodes back to itself, and its stored JSON validates
against the contract of its type, unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel

from kernel.aggregate import DomainEvent, EventRegistry
from kernel.events import RecordedEvent


class Contract(Protocol):
    """A published event schema (``contracts.base.IntegrationEvent``), structurally."""

    event_type: ClassVar[str]
    version: ClassVar[int]

    @classmethod
    def model_validate(cls, obj: Any) -> BaseModel: ...  # noqa: ANN401 - pydantic's signature


def recorded(event: DomainEvent) -> RecordedEvent:
    """``event`` as a store would hand it back (its data exactly as stored)."""
    new = EventRegistry.encode(event)
    return RecordedEvent(
        "s",
        1,
        1,
        new.event_id,
        new.event_type,
        1,
        dict(new.data),
        {},
        new.occurred_at,
        new.occurred_at,
    )


def assert_stored_json_matches_contract(
    event: DomainEvent, contracts: Sequence[type[Contract]]
) -> None:
    """The stored JSON of ``event`` validates against its contract, unchanged and same version."""
    [contract] = [c for c in contracts if c.event_type == event.event_type]
    stored = EventRegistry.encode(event)
    assert contract.version == stored.schema_version
    assert contract.model_validate(dict(stored.data)).model_dump(mode="json") == stored.data
