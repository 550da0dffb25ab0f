"""What a merge or split is asked to do, and the checks of its shape that need no stored facts.

Field paths match the API's request fields (``cluster_ids``, ``new_cluster.name``,
``into[1].id``), so a client sees exactly which part of its request is wrong.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from kernel.errors import FieldViolation, ValidationFailed
from membership.domain.register import cluster_id_problem, name_problem


@dataclass(frozen=True, slots=True)
class NewCluster:
    """A cluster to establish; ``local_authority`` None: the one its predecessors share."""

    cluster_id: str
    name: str
    name_cy: str | None
    local_authority: str | None
    population: int | None

    def problems(self, prefix: str) -> list[FieldViolation]:
        checks = (
            ("id", cluster_id_problem(self.cluster_id) if self.cluster_id else "is required"),
            ("name", name_problem(self.name)),
            ("name_cy", name_problem(self.name_cy) if self.name_cy is not None else None),
            (
                "local_authority",
                name_problem(self.local_authority) if self.local_authority is not None else None,
            ),
            ("population", "must not be negative" if (self.population or 0) < 0 else None),
        )
        return [FieldViolation(f"{prefix}.{field}", p) for field, p in checks if p]


@dataclass(frozen=True, slots=True)
class ClusterFacts:
    """What a change needs to know about an existing cluster (from its aggregate)."""

    cluster_id: str
    health_board: str
    pcpg_id: str
    pcpg_name: str
    local_authority: str
    established_on: dt.date
    closed_on: dt.date | None
    professions: frozenset[str]


@dataclass(frozen=True, slots=True)
class MergeRequest:
    """Merge ``cluster_ids`` from ``effective_from`` into a survivor (one of them) or a new one."""

    cluster_ids: tuple[str, ...]
    effective_from: dt.date
    surviving_cluster_id: str | None = None
    new_cluster: NewCluster | None = None

    @property
    def into_cluster_id(self) -> str:
        return self.surviving_cluster_id or (
            self.new_cluster.cluster_id if self.new_cluster else ""
        )

    def validate(self) -> None:
        """Raise ``ValidationFailed`` naming every problem of the request's shape."""
        problems = _id_list_problems("cluster_ids", self.cluster_ids, minimum=2)
        if (self.surviving_cluster_id is None) == (self.new_cluster is None):
            problems.append(
                FieldViolation("new_cluster", "give either surviving_cluster_id or new_cluster")
            )
        elif self.surviving_cluster_id is not None:
            if self.surviving_cluster_id not in self.cluster_ids:
                problems.append(
                    FieldViolation("surviving_cluster_id", "must be one of the cluster_ids")
                )
        elif self.new_cluster is not None:
            problems += self.new_cluster.problems("new_cluster")
            if self.new_cluster.cluster_id in self.cluster_ids:
                problems.append(
                    FieldViolation("new_cluster.id", "is one of the merged clusters; survive it")
                )
        _raise(problems)


@dataclass(frozen=True, slots=True)
class SplitRequest:
    """Split ``cluster_id`` from ``effective_from`` into two or more new clusters."""

    cluster_id: str
    into: tuple[NewCluster, ...]
    effective_from: dt.date

    def validate(self) -> None:
        """Raise ``ValidationFailed`` naming every problem of the request's shape."""
        problems = [
            FieldViolation("cluster_id", p)
            for p in [cluster_id_problem(self.cluster_id) if self.cluster_id else "is required"]
            if p
        ]
        if len(self.into) < 2:  # noqa: PLR2004 - a split into one cluster would be a rename
            problems.append(FieldViolation("into", "must name at least two new clusters"))
        names = Counter(c.name for c in self.into)
        ids = Counter(c.cluster_id for c in self.into)
        for n, cluster in enumerate(self.into):
            problems += cluster.problems(f"into[{n}]")
            if ids[cluster.cluster_id] > 1 or cluster.cluster_id == self.cluster_id:
                problems.append(FieldViolation(f"into[{n}].id", "must be unique and new"))
            if names[cluster.name] > 1:
                problems.append(FieldViolation(f"into[{n}].name", "must be unique"))
        _raise(problems)


def _id_list_problems(field: str, ids: Sequence[str], *, minimum: int) -> list[FieldViolation]:
    problems = []
    if len(ids) < minimum:
        problems.append(FieldViolation(field, f"must name at least {minimum} clusters"))
    if len(set(ids)) != len(ids):
        problems.append(FieldViolation(field, "must not name a cluster twice"))
    for n, cluster_id in enumerate(ids):
        problem = cluster_id_problem(cluster_id)
        if problem:
            problems.append(FieldViolation(f"{field}[{n}]", problem))
    return problems


def _raise(problems: list[FieldViolation]) -> None:
    if problems:
        raise ValidationFailed(problems)
