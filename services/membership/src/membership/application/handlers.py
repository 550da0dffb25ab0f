"""The register's commands: seed it from the reference data, rename a cluster.

Merges and splits are ``RegisterChangeCommands`` (``changes``), in a module of their own.

Each command loads, asks the aggregate to decide, and saves; concurrent writers to the same
stream are retried with ``retry_on_conflict``, so each retry re-checks the rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from kernel.errors import NotFound
from kernel.eventstore.port import EventStore
from kernel.repository import AggregateRepository, retry_on_conflict
from membership.application.access import Caller
from membership.application.register_changes import RegisterChangeCommands
from membership.domain.cluster import Cluster
from membership.domain.events import EVENTS
from membership.domain.health_board import HealthBoard
from membership.domain.pcpg import Pcpg, PcpgEntry
from membership.domain.register import BoardEntry, ClusterEntry, Profession, check_names


@dataclass(frozen=True, slots=True)
class Register:
    """Everything seeding establishes: boards, clusters and the professions with collaboratives."""

    boards: Sequence[BoardEntry]
    clusters: Sequence[ClusterEntry]
    professions: Sequence[Profession]

    @property
    def pcpgs(self) -> list[PcpgEntry]:
        """The PCPGs the clusters plan under, each once, in the order first named."""
        found = {
            c.pcpg_id: PcpgEntry(c.pcpg_id, c.health_board, c.pcpg_name) for c in self.clusters
        }
        return list(found.values())


@dataclass(slots=True)
class SeedResult:
    """What seeding did: how many of each it created and how many were there already."""

    boards_created: int = 0
    boards_present: int = 0
    pcpgs_created: int = 0
    pcpgs_present: int = 0
    clusters_created: int = 0
    clusters_present: int = 0
    collaboratives_created: int = 0
    collaboratives_present: int = 0
    last_position: int = 0


class RegisterCommands:
    """The command side of the register, over any ``EventStore``."""

    def __init__(self, store: EventStore) -> None:
        self.boards = AggregateRepository(store, HealthBoard, EVENTS, "health-board")
        self.pcpgs = AggregateRepository(store, Pcpg, EVENTS, "pcpg")
        self.clusters = AggregateRepository(store, Cluster, EVENTS, "cluster")
        self.changes = RegisterChangeCommands(store)

    async def seed_register(
        self, caller: Caller, register: Register, established_on: dt.date
    ) -> SeedResult:
        """Register every board, PCPG, cluster and collaborative not yet there (idempotent)."""
        caller.require_operator()
        result = SeedResult()
        for board in register.boards:
            await retry_on_conflict(partial(self._seed_board, board, result))
        for pcpg in register.pcpgs:
            await retry_on_conflict(partial(self._seed_pcpg, pcpg, established_on, result))
        for cluster in register.clusters:
            await retry_on_conflict(
                partial(self._seed_cluster, cluster, register.professions, established_on, result)
            )
        return result

    async def _seed_board(self, entry: BoardEntry, result: SeedResult) -> None:
        board = await self.boards.load(entry.ods_code)
        if board.register(entry):
            saved = await self.boards.save(board)
            result.boards_created += 1
            if saved:
                result.last_position = max(result.last_position, *saved.positions)
        else:
            result.boards_present += 1

    async def _seed_pcpg(
        self, entry: PcpgEntry, established_on: dt.date, result: SeedResult
    ) -> None:
        pcpg = await self.pcpgs.load(entry.pcpg_id)
        if pcpg.establish(entry, established_on):
            saved = await self.pcpgs.save(pcpg)
            result.pcpgs_created += 1
            if saved:
                result.last_position = max(result.last_position, *saved.positions)
        else:
            result.pcpgs_present += 1

    async def _seed_cluster(
        self,
        entry: ClusterEntry,
        professions: Sequence[Profession],
        established_on: dt.date,
        result: SeedResult,
    ) -> None:
        cluster = await self.clusters.load(entry.cluster_id)
        created = cluster.establish(entry, established_on)
        new = [p for p in professions if cluster.establish_collaborative(p)]
        saved = await self.clusters.save(cluster)
        # counted only once saved: a retried attempt must not count twice
        result.clusters_created += created
        result.clusters_present += not created
        result.collaboratives_created += len(new)
        result.collaboratives_present += len(professions) - len(new)
        if saved:
            result.last_position = max(result.last_position, *saved.positions)

    async def rename_cluster(
        self,
        caller: Caller,
        cluster_id: str,
        name: str,
        name_cy: str | None,
        effective_from: dt.date,
    ) -> int:
        """Rename a cluster from a date; return the store position of the rename.

        Checks run cheapest and least revealing first: the input's shape, then whether the
        cluster exists, then whether the caller may change it, then the domain's rules.
        """
        check_names(name, name_cy)

        async def attempt() -> int:
            cluster = await self.clusters.load(cluster_id)
            if not cluster.exists:
                raise NotFound(f"no cluster {cluster_id!r}")
            caller.require_change(cluster.health_board)
            cluster.rename(name, name_cy, effective_from)
            saved = await self.clusters.save(cluster)
            return saved.positions[-1] if saved else 0

        return await retry_on_conflict(attempt)
