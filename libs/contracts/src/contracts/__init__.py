"""Clwstwr's published language: the integration events services exchange, versioned.

Each service's events live in ``contracts.<service>`` (added with the service). They are the
only shapes another service or a downstream consumer may rely on; a breaking change is a new
``version`` (and, for the stream, a new ``.v<N>`` stream), never an edit in place.
"""

from contracts.base import IntegrationEvent, cloudevents_type

__all__ = ["IntegrationEvent", "cloudevents_type"]
