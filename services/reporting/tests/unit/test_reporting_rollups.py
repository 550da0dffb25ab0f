"""Per-board roll-ups of the maturity matrix, from read-model values."""

from reporting.application.maturity import ClusterMatrix, MaturityYear, OutcomeLevels, OutcomeView
from reporting.application.rollups import BoardRollup, board_rollups
from reporting.domain.vocabulary import Level

PCMW_03 = OutcomeView("PCMW-03", "PCMW", "t", placeholder=True)
ACD_02 = OutcomeView("ACD-02", "ACD", "t", placeholder=True)


def _matrix(
    cluster: str, board: str, levels: dict[OutcomeView, tuple[int | None, int | None]]
) -> ClusterMatrix:
    outcomes = [OutcomeLevels(o, own, None, peer) for o, (own, peer) in levels.items()]
    year = MaturityYear("2024/25", 1, None, None, outcomes)
    return ClusterMatrix(cluster, board, cluster, [year])


def test_clusters_are_counted_by_self_assessed_level_per_board_and_outcome() -> None:
    matrices = [
        _matrix("a", "7A1", {ACD_02: (1, None), PCMW_03: (2, 3)}),
        _matrix("b", "7A1", {ACD_02: (1, None), PCMW_03: (None, None)}),
        _matrix("c", "7A2", {PCMW_03: (3, None)}),
        ClusterMatrix("d", "7A2", "d", []),
    ]
    counts = dict.fromkeys(Level, 0)
    assert board_rollups(matrices) == [
        BoardRollup("7A1", "2024/25", "PCMW-03", {**counts, Level.DEVELOPING: 1}, 3),
        BoardRollup("7A1", "2024/25", "ACD-02", {**counts, Level.FOUNDATION: 2}, None),
        BoardRollup("7A2", "2024/25", "PCMW-03", {**counts, Level.MATURE: 1}, None),
    ]
