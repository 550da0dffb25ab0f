"""The base of every integration event schema."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class IntegrationEvent(BaseModel):
    """An event another service may consume: its payload as published on ``<service>.events.v1``.

    ``event_type`` is the stable name carried as the CloudEvents ``type`` (``ce-type``) and the
    event store's ``event_type``; ``version`` is its schema version. Consumers validate what they
    receive with ``model_validate``; unknown fields are refused, so a producer cannot drift
    silently away from the published shape.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    version: ClassVar[int] = 1


def cloudevents_type(event: type[IntegrationEvent]) -> str:
    """The CloudEvents ``type`` attribute of an event schema, e.g. ``meetings.MeetingHeld.v1``."""
    return f"{event.event_type}.v{event.version}"
