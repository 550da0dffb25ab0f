"""Publishing and consuming integration events: relay, consumer, dead letters, message format.

A service publishes its own events with a ``Relay`` and applies other services' events with a
``Consumer`` per ``EventHandler``; see ``relay.py`` and ``consumer.py`` for the guarantees.
"""

from kernel.messaging.applier import GapNotFilled, HandlerFailed, RetryLater, SourceApplier
from kernel.messaging.consumer import Consumer, ConsumerOptions
from kernel.messaging.dead_letters import DeadLetter, get_dead_letter, list_dead_letters, redrive
from kernel.messaging.handler import DbConnection, EventHandler
from kernel.messaging.message import dead_letter_stream, events_stream
from kernel.messaging.publisher import FastStreamPublisher, Publisher, RedisBulkPublisher
from kernel.messaging.relay import Relay

__all__ = [
    "Consumer",
    "ConsumerOptions",
    "DbConnection",
    "DeadLetter",
    "EventHandler",
    "FastStreamPublisher",
    "GapNotFilled",
    "HandlerFailed",
    "Publisher",
    "RedisBulkPublisher",
    "Relay",
    "RetryLater",
    "SourceApplier",
    "dead_letter_stream",
    "events_stream",
    "get_dead_letter",
    "list_dead_letters",
    "redrive",
]
