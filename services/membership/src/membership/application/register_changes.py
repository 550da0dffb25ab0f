"""Merging and splitting clusters: decide in the board's change stream, then carry it out.

The store appends one stream per call, so a change cannot close two clusters and establish a
third in one append. It is decided first, atomically, in the board's ``RegisterChanges`` stream
(which also serialises the board's changes), then carried out cluster by cluster. Carrying out
is repeatable, and every merge or split of the board first completes the board's earlier
changes: a crash between the two steps is healed by a retry or by the board's next change.
"""

from __future__ import annotations

from functools import partial

from kernel.errors import NotFound
from kernel.eventstore.port import EventStore
from kernel.repository import AggregateRepository, retry_on_conflict
from membership.application.access import Caller
from membership.domain.change_effects import RegisterChange, affected_cluster_ids, carry_out
from membership.domain.change_events import ClustersMerged
from membership.domain.change_requests import ClusterFacts, MergeRequest, SplitRequest
from membership.domain.cluster import Cluster
from membership.domain.events import EVENTS
from membership.domain.pcpg import Pcpg
from membership.domain.register_changes import RegisterChanges


class RegisterChangeCommands:
    """``MergeClusters`` and ``SplitCluster`` over any ``EventStore``.

    Operators only: a merge or split changes the shape of the register every service follows,
    like seeding it; it is made once the board and the Welsh Government have agreed it. A
    health board changes its clusters' names and rosters, the national programme reads.
    """

    def __init__(self, store: EventStore) -> None:
        self.clusters = AggregateRepository(store, Cluster, EVENTS, "cluster")
        self.changes = AggregateRepository(store, RegisterChanges, EVENTS, "register-changes")
        self.pcpgs = AggregateRepository(store, Pcpg, EVENTS, "pcpg")

    async def merge_clusters(self, caller: Caller, request: MergeRequest) -> tuple[str, int]:
        """Merge clusters; return the resulting cluster's id and the last store position."""
        caller.require_operator()
        request.validate()

        async def decide() -> tuple[ClustersMerged, int]:
            sources = [
                await self._facts(f"cluster_ids[{n}]", c) for n, c in enumerate(request.cluster_ids)
            ]
            taken = await self._taken([request.into_cluster_id] if request.new_cluster else [])
            changes = await self.changes.load(sources[0].health_board)
            decided = changes.merge(request, sources, taken)
            return decided, await self._save(changes)

        change, position = await retry_on_conflict(decide)
        return change.into_cluster_id, max(position, await self._complete(change.health_board))

    async def split_cluster(self, caller: Caller, request: SplitRequest) -> tuple[list[str], int]:
        """Split a cluster; return the new clusters' ids and the last store position."""
        caller.require_operator()
        request.validate()

        async def decide() -> tuple[RegisterChange, int]:
            source = await self._facts("cluster_id", request.cluster_id)
            taken = await self._taken([c.cluster_id for c in request.into])
            changes = await self.changes.load(source.health_board)
            decided = changes.split(request, source, taken)
            return decided, await self._save(changes)

        change, position = await retry_on_conflict(decide)
        new_ids = [c.cluster_id for c in request.into]
        return new_ids, max(position, await self._complete(change.health_board))

    async def _save(self, changes: RegisterChanges) -> int:
        saved = await self.changes.save(changes)
        return saved.positions[-1] if saved else 0

    async def _facts(self, field: str, cluster_id: str) -> ClusterFacts:
        cluster = await self.clusters.load(cluster_id)
        if not cluster.exists:
            raise NotFound(f"{field}: no cluster {cluster_id!r}")
        return cluster.facts()

    async def _taken(self, new_ids: list[str]) -> set[str]:
        """The ids among ``new_ids`` that already name a cluster or a PCPG (body ids are unique)."""
        return {
            c
            for c in new_ids
            if (await self.clusters.load(c)).exists or (await self.pcpgs.load(c)).exists
        }

    async def _complete(self, board: str) -> int:
        """Carry out every change of ``board`` not yet carried out; the last position stored."""
        changes = await self.changes.load(board)
        last = 0
        for change in changes.changes.values():
            for cluster_id in affected_cluster_ids(change):
                position = await retry_on_conflict(partial(self._carry_out, change, cluster_id))
                last = max(last, position)
        return last

    async def _carry_out(self, change: RegisterChange, cluster_id: str) -> int:
        cluster = await self.clusters.load(cluster_id)
        carry_out(change, cluster, cluster_id)
        saved = await self.clusters.save(cluster)
        return saved.positions[-1] if saved else 0
