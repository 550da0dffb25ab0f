"""The reporting service's settings (``CLWSTWR_*`` environment variables)."""

from __future__ import annotations

from pydantic import Field

from kernel.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    """Shared service settings, and the membership, meetings and payments services it follows."""

    service_name: str = Field(
        default="reporting", description="Also the Postgres schema and the stream prefix."
    )
    membership_source: str = Field(
        default="membership",
        description="The service whose events tell reporting the clusters and their leads.",
    )
    meetings_source: str = Field(
        default="meetings",
        description="The service whose events tell reporting the meetings held, for compliance.",
    )
    payments_source: str = Field(
        default="payments",
        description="The service whose ledger events tell reporting the payments by rule.",
    )
