"""Loading and correcting the outcome titles (operators only)."""

from __future__ import annotations

from collections.abc import Sequence

from kernel.eventstore.port import EventStore
from kernel.repository import AggregateRepository, retry_on_conflict
from reporting.application.access import Caller
from reporting.application.ports import last_position
from reporting.domain.catalogue import CATALOGUE_ID, OutcomeCatalogue, OutcomeTitle
from reporting.domain.events import EVENTS


class CatalogueCommands:
    def __init__(self, store: EventStore) -> None:
        self.catalogues = AggregateRepository(store, OutcomeCatalogue, EVENTS, "outcome-catalogue")

    async def set_titles(
        self, caller: Caller, titles: Sequence[OutcomeTitle], reason: str
    ) -> tuple[int, int]:
        """Load or correct titles; return how many changed and the store position."""
        caller.require_operator()

        async def attempt() -> tuple[int, int]:
            catalogue = await self.catalogues.load(CATALOGUE_ID)
            changed = catalogue.set_titles(titles, reason)
            return changed, last_position(await self.catalogues.save(catalogue))

        return await retry_on_conflict(attempt)
