"""A health board's merges and splits of clusters (stream ``register-changes-<board>``).

One aggregate per board decides every merge and split of the board's clusters, so two racing
changes cannot both close the same cluster or both create the same id: the second save meets a
version conflict and, retried, re-checks against the first. The decision carries everything
needed to carry it out in the clusters' streams afterwards (``pending``), so a process that
dies between the two leaves a change that the next command of the board completes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from typing_extensions import override

from kernel.aggregate import Aggregate
from kernel.errors import AlreadyExists, FieldViolation, RuleViolated, ValidationFailed
from membership.domain.change_events import (
    ClustersMerged,
    ClusterSplit,
    NewClusterFacts,
    RegisterChangeEvent,
)
from membership.domain.change_requests import ClusterFacts, MergeRequest, NewCluster, SplitRequest


class RegisterChanges(Aggregate[RegisterChangeEvent]):
    """The merges and splits of one board's clusters, in the order they were decided."""

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.changes: dict[str, RegisterChangeEvent] = {}
        self.closed: set[str] = set()
        self.created: set[str] = set()

    def merge(
        self, request: MergeRequest, sources: Sequence[ClusterFacts], taken: set[str]
    ) -> ClustersMerged:
        """Decide a merge of ``sources`` (in request order); a repeat decides nothing again.

        ``taken``: the ids among the request's new ones that name a stored cluster or PCPG
        already (the PCPG the sources plan under is checked here too: body ids must not clash).

        Raises:
            ValidationFailed: clusters of different boards or PCPGs, an ambiguous local
                authority, or a new id outside the board.
            RuleViolated: ``CLUSTER_CLOSED``, ``EFFECTIVE_BEFORE_ESTABLISHMENT``.
            AlreadyExists: the new cluster's id is in use.
        """
        request.validate()
        first = _same_planning_group("cluster_ids", sources)
        new = None
        if request.new_cluster is not None:
            new = _new_facts(request.new_cluster, "new_cluster", first, sources)
        event = ClustersMerged(
            change_id=f"merge:{request.into_cluster_id}:{request.effective_from}",
            health_board=first.health_board,
            pcpg_id=first.pcpg_id,
            pcpg_name=first.pcpg_name,
            merged_cluster_ids=tuple(s.cluster_id for s in sources),
            into_cluster_id=request.into_cluster_id,
            new_cluster=new,
            professions=tuple(sorted(set().union(*(s.professions for s in sources)))),
            effective_from=request.effective_from,
            closed_on=request.effective_from - dt.timedelta(days=1),
        )
        if self._repeated(event):
            return event
        self._require_open(sources, request.effective_from)
        self._require_new([("new_cluster.id", new)] if new else [], taken | {first.pcpg_id})
        self._record(event)
        return event

    def split(self, request: SplitRequest, source: ClusterFacts, taken: set[str]) -> ClusterSplit:
        """Decide a split of ``source``; a repeat decides nothing again.

        Raises:
            ValidationFailed: a new id outside the board.
            RuleViolated: ``CLUSTER_CLOSED``, ``EFFECTIVE_BEFORE_ESTABLISHMENT``.
            AlreadyExists: a new cluster's id is in use.
        """
        request.validate()
        into = tuple(
            _new_facts(c, f"into[{n}]", source, [source]) for n, c in enumerate(request.into)
        )
        event = ClusterSplit(
            change_id=f"split:{source.cluster_id}:{request.effective_from}",
            health_board=source.health_board,
            pcpg_id=source.pcpg_id,
            pcpg_name=source.pcpg_name,
            cluster_id=source.cluster_id,
            into=into,
            professions=tuple(sorted(source.professions)),
            effective_from=request.effective_from,
            closed_on=request.effective_from - dt.timedelta(days=1),
        )
        if self._repeated(event):
            return event
        self._require_open([source], request.effective_from)
        new = [(f"into[{n}].id", c) for n, c in enumerate(into)]
        self._require_new(new, taken | {source.pcpg_id})
        self._record(event)
        return event

    def _repeated(self, event: RegisterChangeEvent) -> bool:
        """Whether ``event`` was decided already (a retried command: do nothing)."""
        existing = self.changes.get(event.change_id)
        if existing is None:
            return False
        if existing == event:
            return True
        raise AlreadyExists(f"{event.change_id} was decided already, differently")

    def _require_open(self, sources: Sequence[ClusterFacts], effective_from: dt.date) -> None:
        for source in sources:
            if source.closed_on is not None or source.cluster_id in self.closed:
                raise RuleViolated("CLUSTER_CLOSED", f"{source.cluster_id} is closed already")
            if effective_from <= source.established_on:
                raise RuleViolated(
                    "EFFECTIVE_BEFORE_ESTABLISHMENT",
                    f"{source.cluster_id} was established on {source.established_on}; a change"
                    f" must take effect after that, not on {effective_from}",
                )

    def _require_new(self, new: list[tuple[str, NewClusterFacts]], taken: set[str]) -> None:
        for field, cluster in new:
            if cluster.cluster_id in taken or cluster.cluster_id in self.created:
                raise AlreadyExists(f"{field}: {cluster.cluster_id!r} names a body already")

    @override
    def _apply(self, event: RegisterChangeEvent) -> None:
        self.changes[event.change_id] = event
        if isinstance(event, ClustersMerged):
            self.closed.update(c for c in event.merged_cluster_ids if c != event.into_cluster_id)
            if event.new_cluster is not None:
                self.created.add(event.into_cluster_id)
        else:
            self.closed.add(event.cluster_id)
            self.created.update(c.cluster_id for c in event.into)


def _same_planning_group(field: str, sources: Sequence[ClusterFacts]) -> ClusterFacts:
    """The first source, once all are of its board and PCPG (a merge never crosses either)."""
    first = sources[0]
    if any((s.health_board, s.pcpg_id) != (first.health_board, first.pcpg_id) for s in sources):
        raise ValidationFailed.single(field, "must all be clusters of one board and one PCPG")
    return first


def _new_facts(
    new: NewCluster, field: str, board: ClusterFacts, sources: Sequence[ClusterFacts]
) -> NewClusterFacts:
    """The new cluster's facts, its local authority inherited when not given."""
    problems = []
    if not new.cluster_id.startswith(f"{board.health_board}-"):
        problems.append(FieldViolation(f"{field}.id", "must start with its board's ODS code"))
    authorities = {s.local_authority for s in sources}
    local_authority = new.local_authority
    if local_authority is None and len(authorities) == 1:
        local_authority = authorities.pop()
    if local_authority is None:
        problems.append(
            FieldViolation(f"{field}.local_authority", "is required: the clusters' differ")
        )
    if problems:
        raise ValidationFailed(problems)
    return NewClusterFacts(
        cluster_id=new.cluster_id,
        name=new.name,
        name_cy=new.name_cy,
        local_authority=local_authority or "",
        population=new.population,
    )
