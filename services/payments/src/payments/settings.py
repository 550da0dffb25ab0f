"""The payments service's settings (``CLWSTWR_*`` environment variables)."""

from __future__ import annotations

import json

from pydantic import Field

from kernel.settings import ServiceSettings


class PaymentsSettings(ServiceSettings):
    """Shared service settings, the services whose events it follows, and the signatories."""

    service_name: str = Field(
        default="payments", description="Also the Postgres schema and the stream prefix."
    )
    membership_source: str = Field(
        default="membership", description="The service whose events say who is who."
    )
    meetings_source: str = Field(
        default="meetings", description="The service whose events say which meetings were held."
    )
    schedule_signatories: str = Field(
        default="{}",
        description='JSON: board ODS code -> subjects who may approve its schedules, e.g. {"7A1":'
        ' ["finance-director@7A1"]} (Standing Financial Instructions).',
    )

    def signatories(self) -> dict[str, list[str]]:
        parsed: dict[str, list[str]] = json.loads(self.schedule_signatories)
        return parsed
