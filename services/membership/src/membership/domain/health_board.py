"""A health board: registered once from the register, by its ODS code."""

from __future__ import annotations

from typing_extensions import override

from kernel.aggregate import Aggregate
from membership.domain.events import HealthBoardEvent, HealthBoardRegistered
from membership.domain.register import BoardEntry


class HealthBoard(Aggregate[HealthBoardEvent]):
    """One of the seven Welsh health boards (stream ``health-board-<ODS code>``)."""

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.ods_code = ""
        self.name = ""

    def register(self, entry: BoardEntry) -> bool:
        """Register the board from ``entry``; return False (recording nothing) if it exists.

        Seeding is idempotent, so an existing board is not an error: re-seeding reports it as
        already present instead.
        """
        entry.validate()
        if self.exists:
            return False
        self._record(
            HealthBoardRegistered(ods_code=entry.ods_code, name=entry.name, name_cy=entry.name_cy)
        )
        return True

    @override
    def _apply(self, event: HealthBoardEvent) -> None:
        self.ods_code = event.ods_code
        self.name = event.name
