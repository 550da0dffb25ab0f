"""Per-board roll-ups of the maturity matrix: how many clusters self-assessed at each level."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from reporting.application.maturity import ClusterMatrix
from reporting.domain.vocabulary import OUTCOME_CODES, Level


@dataclass(frozen=True, slots=True)
class BoardRollup:
    """One board, year and outcome: clusters at each self-assessed level; the peer-agreed one."""

    health_board: str
    financial_year: str
    outcome: str
    at_level: dict[Level, int]
    peer_agreed_level: int | None


def board_rollups(matrices: Sequence[ClusterMatrix]) -> list[BoardRollup]:
    """Roll ``matrices`` up by board, year and outcome (board, year, then code order)."""
    counts: dict[tuple[str, str, str], Counter[Level]] = {}
    peer: dict[tuple[str, str, str], int] = {}
    for matrix in matrices:
        for year in matrix.years:
            for levels in year.outcomes:
                key = (matrix.health_board, year.financial_year, levels.outcome.code)
                tally = counts.setdefault(key, Counter())
                if levels.self_level is not None:
                    tally[Level(levels.self_level)] += 1
                if levels.peer_level is not None:
                    peer[key] = levels.peer_level
    ordered = sorted(counts, key=lambda k: (k[0], k[1], OUTCOME_CODES.index(k[2])))
    return [
        BoardRollup(*key, {level: counts[key][level] for level in Level}, peer.get(key))
        for key in ordered
    ]
