"""The membership service's settings (``CLWSTWR_*`` environment variables)."""

from __future__ import annotations

from pydantic import Field

from kernel.settings import ServiceSettings


class MembershipSettings(ServiceSettings):
    """Shared service settings; the name (also its schema and stream prefix) is fixed here."""

    service_name: str = Field(
        default="membership", description="Also the Postgres schema and the stream prefix."
    )
