"""What reading organisations needs from the read model: one by id, or a filtered page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from kernel.paging import PageRequest


@dataclass(frozen=True, slots=True)
class OrganisationView:
    organisation_id: str
    name: str
    kind: str
    ods_code: str | None
    cluster_id: str
    health_board: str
    health_board_salaried: bool


@dataclass(frozen=True, slots=True)
class OrganisationFilter:
    """Which organisations a list shows: None in a field matches anything."""

    health_board: str | None = None
    cluster_id: str | None = None
    kind: str | None = None


class OrganisationQueries(Protocol):
    """Organisations in the read model; lists fetch ``page.size + 1`` items by id."""

    async def get_organisation(self, organisation_id: str) -> OrganisationView | None: ...

    async def list_organisations(
        self, only: OrganisationFilter, page: PageRequest
    ) -> list[OrganisationView]: ...
