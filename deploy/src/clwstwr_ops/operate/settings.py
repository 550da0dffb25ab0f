"""What the operator commands read from the environment (``CLWSTWR_*``)."""

from __future__ import annotations

import json

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("membership", "meetings", "payments", "reporting")
"""The platform's services, in start order; those not installed are skipped."""


class OperatorSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLWSTWR_", extra="ignore", env_ignore_empty=True)

    #: The platform's PostgreSQL: every service's schema (named after it) lives there.
    database_url: SecretStr = SecretStr("postgresql://clwstwr@127.0.0.1:5432/clwstwr")
    #: The broker: streams, and the issued tokens every service reloads.
    redis_url: str = "redis://127.0.0.1:6379/0"
    #: JSON object: service name -> its gRPC target (the same map the services use).
    feed_targets: str = "{}"
    #: A ``service``-role token, for reading other services' EventFeeds during a rebuild.
    feed_token: SecretStr = SecretStr("")

    def targets(self) -> dict[str, str]:
        targets: dict[str, str] = json.loads(self.feed_targets)
        return targets
