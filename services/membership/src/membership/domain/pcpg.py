"""A Pan Cluster Planning Group: a body of its own, established once (stream ``pcpg-<id>``).

Its event carries its board, so a service that holds PCPG meetings knows whose they are from
events alone. The register derives PCPGs from its clusters' local authorities (one per county;
Swansea Bay runs one regional PCPG), so seeding establishes them with the clusters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from typing_extensions import override

from kernel.aggregate import Aggregate, DomainEvent
from membership.domain.register import board_code_problem, check, cluster_id_problem, name_problem


class PcpgEstablished(DomainEvent):
    event_type: ClassVar[str] = "membership.PcpgEstablished"
    pcpg_id: str
    health_board: str
    name: str
    established_on: dt.date


@dataclass(frozen=True, slots=True)
class PcpgEntry:
    """A PCPG as the register derives it: its id (board and area slug), board and name."""

    pcpg_id: str
    health_board: str
    name: str

    def validate(self) -> None:
        prefix_ok = self.pcpg_id.startswith(f"{self.health_board}-")
        # a PCPG id has a cluster id's shape: the board's ODS code and a slug of its area
        check(
            ("pcpg_id", cluster_id_problem(self.pcpg_id)),
            ("pcpg_id", None if prefix_ok else "must start with its board's ODS code"),
            ("health_board", board_code_problem(self.health_board)),
            ("name", name_problem(self.name)),
        )


class Pcpg(Aggregate[PcpgEstablished]):
    """A PCPG; it changes only by being established, for now."""

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.health_board = ""

    def establish(self, entry: PcpgEntry, established_on: dt.date) -> bool:
        """Establish the PCPG; False (recording nothing) if it exists (seeding is idempotent)."""
        entry.validate()
        if self.exists:
            return False
        self._record(
            PcpgEstablished(
                pcpg_id=entry.pcpg_id,
                health_board=entry.health_board,
                name=entry.name,
                established_on=established_on,
            )
        )
        return True

    @override
    def _apply(self, event: PcpgEstablished) -> None:
        self.health_board = event.health_board
