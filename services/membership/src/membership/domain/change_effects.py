"""What a decided merge or split does to each cluster it names, in that cluster's own stream.

Carrying a change out is repeatable: each cluster records only what it lacks, so completing a
change twice (a retry, or the next command healing a crash) records nothing the second time.
"""

from __future__ import annotations

from membership.domain.change_events import ClustersMerged, ClusterSplit, NewClusterFacts
from membership.domain.cluster import Cluster
from membership.domain.register import ClusterEntry, Profession

RegisterChange = ClustersMerged | ClusterSplit


def affected_cluster_ids(change: RegisterChange) -> tuple[str, ...]:
    """Every cluster the change closes, establishes or extends, in the order to carry it out."""
    if isinstance(change, ClustersMerged):
        return (
            *change.merged_cluster_ids,
            *(() if change.new_cluster is None else (change.into_cluster_id,)),
        )
    return (change.cluster_id, *(c.cluster_id for c in change.into))


def carry_out(change: RegisterChange, cluster: Cluster, cluster_id: str) -> None:
    """Record on ``cluster`` (the aggregate of ``cluster_id``) what ``change`` does to it."""
    if isinstance(change, ClustersMerged):
        if cluster_id == change.into_cluster_id:
            if change.new_cluster is not None:
                _establish(cluster, change, change.new_cluster)
            _add_collaboratives(cluster, change)
        else:
            cluster.close(change.change_id, "merged", change.closed_on, (change.into_cluster_id,))
    elif cluster_id == change.cluster_id:
        successors = tuple(c.cluster_id for c in change.into)
        cluster.close(change.change_id, "split", change.closed_on, successors)
    else:
        [new] = [c for c in change.into if c.cluster_id == cluster_id]
        _establish(cluster, change, new)
        _add_collaboratives(cluster, change)


def _establish(cluster: Cluster, change: RegisterChange, new: NewClusterFacts) -> None:
    entry = ClusterEntry(
        cluster_id=new.cluster_id,
        health_board=change.health_board,
        name=new.name,
        name_cy=new.name_cy,
        local_authority=new.local_authority,
        population=new.population,
        pcpg_id=change.pcpg_id,
        pcpg_name=change.pcpg_name,
    )
    cluster.establish(entry, change.effective_from)


def _add_collaboratives(cluster: Cluster, change: RegisterChange) -> None:
    """One collaborative per profession any predecessor had, from the change's date.

    A surviving cluster keeps its own and gains those only the merged clusters had.
    """
    for code in change.professions:
        cluster.establish_collaborative(Profession(code, code), change.effective_from)
