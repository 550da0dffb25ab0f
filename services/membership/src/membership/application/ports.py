"""What the application needs from the outside: the register's read model, and catching up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from kernel.paging import PageRequest
from membership.domain.cluster import ClusterName


@dataclass(frozen=True, slots=True)
class BoardView:
    ods_code: str
    name: str
    name_cy: str | None


@dataclass(frozen=True, slots=True)
class ClusterView:
    """A cluster as it stood on a date: the name then in force, and its whole name history.

    ``closed_on``: its last day, when a merge or split closed it (``successor_ids`` carry on);
    ``predecessor_ids``: the clusters it was merged or split from.
    """

    cluster_id: str
    health_board: str
    name: str
    name_cy: str | None
    local_authority: str
    population: int | None
    pcpg_id: str
    pcpg_name: str
    established_on: dt.date
    name_history: Sequence[ClusterName]
    closed_on: dt.date | None = None
    successor_ids: Sequence[str] = ()
    predecessor_ids: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class CollaborativeView:
    collaborative_id: str
    cluster_id: str
    profession: str
    established_on: dt.date
    closed_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class PcpgView:
    """A PCPG as it stood on a date, with the clusters then open under it (by id)."""

    pcpg_id: str
    health_board: str
    name: str
    cluster_ids: tuple[str, ...]


class RegisterQueries(Protocol):
    """The register's read model. Every list fetches ``page.size + 1`` items, key order."""

    async def list_boards(self, page: PageRequest) -> list[BoardView]: ...

    async def list_pcpgs(
        self, board: str | None, as_of: dt.date, page: PageRequest
    ) -> list[PcpgView]: ...

    async def list_clusters(
        self, board: str | None, as_of: dt.date, page: PageRequest
    ) -> list[ClusterView]: ...

    async def get_cluster(self, cluster_id: str, as_of: dt.date | None) -> ClusterView | None:
        """The cluster on ``as_of``; None if unknown, or not yet established or closed then.

        ``as_of`` None: on any date (named as it is last named).
        """
        ...

    async def list_collaboratives(
        self, cluster_id: str, as_of: dt.date | None, page: PageRequest
    ) -> list[CollaborativeView]:
        """The cluster's collaboratives open on ``as_of`` (None: every one it ever had)."""
        ...


class ReadModelSync(Protocol):
    """Waits until the read model has applied a store position (read-your-writes).

    The runtime's ``Infrastructure.read_models`` is one.
    """

    async def caught_up(self, position: int) -> None: ...
