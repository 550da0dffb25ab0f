"""AsyncAPI 3.0 documents of the services' event streams, from ``libs/contracts``.

FastStream builds the document from a broker whose publishers declare what they send: one
publisher per service on ``<service>.events.v1`` whose payload is the envelope every message
carries (the stored event: position, stream, ids, times, metadata) with ``data`` being one of
the service's integration events, told apart by ``event_type``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from typing import Any, Literal, Union

from faststream.redis import RedisBroker, StreamSub
from faststream.specification import AsyncAPI
from pydantic import BaseModel, create_model

from contracts.base import IntegrationEvent
from kernel.messaging.message import events_stream

SERVICES = ("membership", "meetings", "payments", "reporting")
#: How the broker appears in the documents (as in docker-compose and the k8s manifests).
BROKER_URL = "redis://redis:6379"


def envelope(event: type[IntegrationEvent]) -> type[BaseModel]:
    """The message carrying ``event``: the event as stored, ``data`` its published fields."""
    return create_model(
        event.__name__,
        __doc__=event.__doc__,
        __module__=f"clwstwr.{event.event_type.split('.', 1)[0]}",
        position=(int, ...),
        stream_id=(str, ...),
        stream_version=(int, ...),
        event_id=(str, ...),
        event_type=(Literal[event.event_type], ...),  # type: ignore[arg-type]  # a run-time literal
        schema_version=(int, ...),
        data=(event, ...),
        metadata=(dict[str, str], ...),
        occurred_at=(dt.datetime, ...),
        recorded_at=(dt.datetime, ...),
    )


def service_events(service: str) -> tuple[type[IntegrationEvent], ...] | None:
    """The service's published events, or None when it has no contracts module yet."""
    try:
        module = importlib.import_module(f"contracts.{service}")
    except ModuleNotFoundError:
        return None
    events: tuple[type[IntegrationEvent], ...] = module.EVENTS
    return events


def document(service: str, events: tuple[type[IntegrationEvent], ...]) -> dict[str, Any]:
    """The AsyncAPI document of ``service``'s stream, as JSON-ready data."""
    broker = RedisBroker(BROKER_URL)
    stream = events_stream(service)
    payload: Any = Union[tuple(envelope(e) for e in events)]  # noqa: UP007 - built at run time
    broker.publisher(
        stream=StreamSub(stream),
        schema=payload,
        title=stream,
        description=(
            f"Every {service} integration event, in the order the {service} store committed"
            " them. The body is the envelope; `event_type` names the event in `data`. Headers"
            " carry CloudEvents attributes (`ce-type`, `ce-id`, `ce-source`, `traceparent`)."
        ),
    )
    spec = AsyncAPI(
        broker,
        title=f"Clwstwr {service} events",
        version="1",
        description=f"The integration events the {service} service publishes (libs/contracts).",
        schema_version="3.0.0",
    )
    jsonable: dict[str, Any] = spec.to_specification().to_jsonable()
    return jsonable


def render(service: str, events: tuple[type[IntegrationEvent], ...]) -> str:
    return json.dumps(document(service, events), indent=2, sort_keys=True) + "\n"
