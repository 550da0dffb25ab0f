"""A cluster: its place in the register, its names over time, and its collaboratives."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from typing_extensions import override

from kernel.aggregate import Aggregate
from kernel.errors import NotFound, RuleViolated
from membership.domain.change_events import ClusterClosed
from membership.domain.change_requests import ClusterFacts
from membership.domain.events import (
    ClusterEstablished,
    ClusterEvent,
    ClusterRenamed,
    CollaborativeEstablished,
)
from membership.domain.register import (
    ClusterEntry,
    Profession,
    check_names,
    collaborative_id,
)


@dataclass(frozen=True, slots=True)
class ClusterName:
    """A name (and Welsh name) in force from ``effective_from`` until the next one."""

    name: str
    name_cy: str | None
    effective_from: dt.date


class Cluster(Aggregate[ClusterEvent]):
    """A primary care cluster (stream ``cluster-<id>``).

    Collaboratives live in the cluster's stream: one per profession per cluster footprint, so
    the cluster is the boundary that keeps them unique. Names are kept as a dated history, so
    the register can be read as it stood on any date; a later rename with the same effective
    date corrects an earlier one (the later recorded wins). A merge or split closes it
    (``ClusterClosed``): from the day after ``closed_on`` it and its collaboratives are gone.
    """

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.cluster_id = ""
        self.health_board = ""
        self.established_on = dt.date.min
        self.pcpg_id = ""
        self.pcpg_name = ""
        self.local_authority = ""
        self.names: list[ClusterName] = []
        self.professions: set[str] = set()
        self.closed_on: dt.date | None = None
        self.closed_by: str | None = None

    def establish(self, entry: ClusterEntry, established_on: dt.date) -> bool:
        """Establish the cluster from the register; False (recording nothing) if it exists."""
        entry.validate()
        if self.exists:
            return False
        self._record(
            ClusterEstablished(
                cluster_id=entry.cluster_id,
                health_board=entry.health_board,
                name=entry.name,
                name_cy=entry.name_cy,
                local_authority=entry.local_authority,
                population=entry.population,
                pcpg_id=entry.pcpg_id,
                pcpg_name=entry.pcpg_name,
                established_on=established_on,
            )
        )
        return True

    def establish_collaborative(self, profession: Profession, on: dt.date | None = None) -> bool:
        """Establish the cluster's collaborative of ``profession``; False if it has one.

        It is established from ``on``, by default the cluster's own establishment.
        """
        profession.validate()
        self._require_established()
        if profession.code in self.professions:
            return False
        self._record(
            CollaborativeEstablished(
                collaborative_id=collaborative_id(self.cluster_id, profession.code),
                cluster_id=self.cluster_id,
                health_board=self.health_board,
                profession=profession.code,
                established_on=on or self.established_on,
            )
        )
        return True

    def close(
        self, change_id: str, reason: str, closed_on: dt.date, successors: tuple[str, ...]
    ) -> None:
        """Close it and its collaboratives after ``closed_on``; a repeated change does nothing."""
        self._require_established()
        if self.closed_by == change_id:
            return
        if self.closed_by is not None:
            raise RuleViolated("CLUSTER_CLOSED", f"{self.cluster_id} closed on {self.closed_on}")
        self._record(
            ClusterClosed(
                cluster_id=self.cluster_id,
                health_board=self.health_board,
                pcpg_id=self.pcpg_id,
                closed_on=closed_on,
                reason=reason,
                change_id=change_id,
                successor_cluster_ids=successors,
                collaborative_ids=tuple(
                    collaborative_id(self.cluster_id, p) for p in sorted(self.professions)
                ),
            )
        )

    def facts(self) -> ClusterFacts:
        """What a merge or split needs to know about the cluster."""
        self._require_established()
        return ClusterFacts(
            cluster_id=self.cluster_id,
            health_board=self.health_board,
            pcpg_id=self.pcpg_id,
            pcpg_name=self.pcpg_name,
            local_authority=self.local_authority,
            established_on=self.established_on,
            closed_on=self.closed_on,
            professions=frozenset(self.professions),
        )

    def rename(self, name: str, name_cy: str | None, effective_from: dt.date) -> None:
        """Rename the cluster from ``effective_from``, keeping the earlier names in history.

        Raises:
            ValidationFailed: a blank or over-long name.
            RuleViolated: ``EFFECTIVE_BEFORE_ESTABLISHMENT``, ``CLUSTER_CLOSED`` (on that
                date) or ``RENAME_CHANGES_NOTHING``.
        """
        check_names(name, name_cy)
        self._require_established()
        if self.closed_on is not None and effective_from > self.closed_on:
            raise RuleViolated(
                "CLUSTER_CLOSED",
                f"{self.cluster_id} closed on {self.closed_on}, before {effective_from}",
            )
        if effective_from < self.established_on:
            raise RuleViolated(
                "EFFECTIVE_BEFORE_ESTABLISHMENT",
                f"{self.cluster_id} was established on {self.established_on}; a rename cannot"
                f" take effect on {effective_from}",
            )
        current = self.name_on(effective_from)
        if (current.name, current.name_cy) == (name, name_cy):
            raise RuleViolated(
                "RENAME_CHANGES_NOTHING",
                f"{self.cluster_id} is already named {name!r} on {effective_from}",
            )
        self._record(
            ClusterRenamed(
                cluster_id=self.cluster_id,
                health_board=self.health_board,
                name=name,
                name_cy=name_cy,
                effective_from=effective_from,
            )
        )

    def name_on(self, day: dt.date) -> ClusterName:
        """The name in force on ``day`` (the establishing name before any rename)."""
        in_force = [n for n in self.names if n.effective_from <= day]
        # stable sort: among names from the same date, the later recorded stays last
        return sorted(in_force, key=lambda n: n.effective_from)[-1] if in_force else self.names[0]

    def _require_established(self) -> None:
        if not self.exists:
            raise NotFound(f"no cluster {self.stream_id!r}")

    @override
    def _apply(self, event: ClusterEvent) -> None:
        if isinstance(event, ClusterEstablished):
            self.cluster_id = event.cluster_id
            self.health_board = event.health_board
            self.established_on = event.established_on
            self.pcpg_id, self.pcpg_name = event.pcpg_id, event.pcpg_name
            self.local_authority = event.local_authority
            self.names.append(ClusterName(event.name, event.name_cy, event.established_on))
        elif isinstance(event, ClusterRenamed):
            self.names.append(ClusterName(event.name, event.name_cy, event.effective_from))
        elif isinstance(event, ClusterClosed):
            self.closed_on, self.closed_by = event.closed_on, event.change_id
        else:
            self.professions.add(event.profession)
