"""Settings every service shares, read from ``CLWSTWR_*`` environment variables.

Each service subclasses ``ServiceSettings`` in its own ``settings.py`` and adds what only it needs.
"""

from __future__ import annotations

import socket

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """The settings of one running service process."""

    model_config = SettingsConfigDict(env_prefix="CLWSTWR_", extra="ignore", frozen=True)

    service_name: str = Field(description="Also the Postgres schema and the stream prefix.")
    database_url: SecretStr = SecretStr("postgresql://clwstwr@127.0.0.1:5432/clwstwr")
    redis_url: str = "redis://127.0.0.1:6379/0"
    grpc_host: str = "127.0.0.1"
    grpc_port: int = 50051
    #: Unique per replica: the Redis consumer name and the relay's lock holder.
    instance_name: str = Field(default_factory=socket.gethostname)
    db_pool_min: int = 2
    db_pool_max: int = 10
    #: JSON object mapping sha256(token) hex -> {"subject", "role", "scope"}; see ``kernel.grpc``.
    auth_tokens: str = "{}"
    #: JSON object: source service name -> its gRPC target, for EventFeed catch-up reads.
    feed_targets: str = "{}"
    #: The bearer token this service presents to other services' EventFeeds (role ``service``).
    feed_token: SecretStr = SecretStr("")
    #: Trim this service's stream to about this many entries (``MAXLEN ~``). Safe: a consumer
    #: that falls behind the trimmed window backfills from the EventFeed.
    stream_maxlen: int = 1_000_000
    #: Seconds the relay rests after publishing, so a busy store goes out in larger batches
    #: (fewer reads, broker calls and checkpoint writes); the most it adds to an event's trip.
    #: Measured: 10 ms doubled payments' held -> statement p50 downstream; 5 ms kept most of
    #: the saving (issue 3 notes).
    relay_min_interval: float = 0.005
    #: Seconds between the relay's checkpoint writes while it publishes (and once the store has
    #: gone quiet, by its next poll at the latest): a crash re-publishes that much more at most;
    #: consumers dedupe.
    relay_checkpoint_interval: float = 0.1
    otlp_endpoint: str | None = None
    log_level: str = "INFO"

    @property
    def events_stream(self) -> str:
        """This service's Redis stream of integration events."""
        return f"{self.service_name}.events.v1"
