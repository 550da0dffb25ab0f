"""A board's three outcomes for a year, and the checks on ratings of them.

Self-assessments and peer reviews rate exactly the board's assigned outcomes (003: "the same
three outcomes as assigned to their respective health board area"), so both use these checks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from kernel.calendar import FinancialYear
from kernel.errors import RuleViolated
from reporting.domain.vocabulary import (
    Framework,
    check,
    framework_of,
    level_problem,
    outcome_problem,
)

PCMW_PER_BOARD = 2


@dataclass(frozen=True, slots=True)
class Cluster:
    """A cluster as reporting knows it from membership's events (``closed_on``: last day)."""

    cluster_id: str
    health_board: str
    closed_on: dt.date | None = None

    def require_open(self, on: dt.date) -> None:
        """Raise ``RuleViolated`` if a merge or split closed the cluster before ``on``."""
        if self.closed_on is not None and self.closed_on < on:
            raise RuleViolated(
                "CLUSTER_CLOSED",
                f"{self.cluster_id} closed on {self.closed_on.isoformat()}: its successors"
                " carry on",
            )


@dataclass(frozen=True, slots=True)
class Assignment:
    """Two PCMW outcomes and one ACD outcome; self-assessments are due by ``due``."""

    pcmw: tuple[str, ...]
    acd: str
    due: dt.date

    @property
    def outcomes(self) -> tuple[str, ...]:
        return (*self.pcmw, self.acd)


def check_assignment(year: FinancialYear, assignment: Assignment) -> None:
    """Raise ``ValidationFailed`` unless it is two distinct PCMW outcomes, one ACD, a due date."""
    pcmw_problems = [
        (f"pcmw_outcomes[{n}]", _framework_problem(code, Framework.PCMW))
        for n, code in enumerate(assignment.pcmw)
    ]
    count = len(assignment.pcmw)
    if count != PCMW_PER_BOARD:
        pcmw_problems.append(("pcmw_outcomes", f"needs exactly 2 PCMW outcomes, not {count}"))
    elif assignment.pcmw[0] == assignment.pcmw[1]:
        pcmw_problems.append(("pcmw_outcomes", "needs two different PCMW outcomes"))
    due_problem = None
    if not year.first_day <= assignment.due <= year.last_day + dt.timedelta(days=183):
        due_problem = f"must fall in {year.label} or the six months after it"
    check(
        *pcmw_problems,
        ("acd_outcome", _framework_problem(assignment.acd, Framework.ACD)),
        ("self_assessment_due", due_problem),
    )


def _framework_problem(code: str, framework: Framework) -> str | None:
    problem = outcome_problem(code)
    if problem is None and framework_of(code) is not framework:
        problem = f"{code} is not a {framework} outcome"
    return problem


def rating_problems(
    field: str, rated: Sequence[tuple[str, int]], assigned: Assignment, board: str
) -> list[tuple[str, str | None]]:
    """What is wrong with ``rated`` (outcome, level pairs) against the board's assignment.

    Every assigned outcome needs exactly one rating; nothing else may be rated.
    """
    problems: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for n, (outcome, level) in enumerate(rated):
        if outcome not in assigned.outcomes:
            listed = ", ".join(assigned.outcomes)
            problem: str | None = f"{outcome!r} is not one of {board}'s outcomes ({listed})"
        else:
            problem = f"{outcome} is rated twice" if outcome in seen else None
        seen.add(outcome)
        problems.append((f"{field}[{n}].outcome", problem))
        problems.append((f"{field}[{n}].level", level_problem(level)))
    missing = [o for o in assigned.outcomes if o not in seen]
    problems.append((field, f"needs a rating for {', '.join(missing)}" if missing else None))
    return problems


def check_ratings(
    field: str, rated: Sequence[tuple[str, int]], assigned: Assignment, board: str
) -> None:
    check(*rating_problems(field, rated, assigned, board))
