"""The meetings service's settings (``CLWSTWR_*`` environment variables)."""

from __future__ import annotations

from pydantic import Field

from kernel.settings import ServiceSettings


class MeetingsSettings(ServiceSettings):
    """Shared service settings, and the name of the membership service whose events it follows."""

    service_name: str = Field(
        default="meetings", description="Also the Postgres schema and the stream prefix."
    )
    membership_source: str = Field(
        default="membership",
        description="The service whose events tell meetings who is who (its stream and feed).",
    )
