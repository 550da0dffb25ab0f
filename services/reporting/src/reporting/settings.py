"""The reporting service's settings (``CLWSTWR_*`` environment variables)."""

from __future__ import annotations

from pydantic import Field

from kernel.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    """Shared service settings, and the membership service whose events it follows."""

    service_name: str = Field(
        default="reporting", description="Also the Postgres schema and the stream prefix."
    )
    membership_source: str = Field(
        default="membership",
        description="The service whose events tell reporting the clusters and their leads.",
    )
