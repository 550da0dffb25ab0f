"""The meeting record's vocabulary as data, and the checks that every request's shape must pass."""

from __future__ import annotations

from kernel.errors import FieldViolation, ValidationFailed

MEETING_KINDS = frozenset({"ordinary", "extraordinary", "peer_review"})
MODES = frozenset({"in_person", "virtual"})
PURPOSES = frozenset({"information", "discussion", "decision"})
"""What an agenda item is for (seed 003, agenda setting)."""
ATTENDANCE_STATUSES = frozenset({"present", "apologies", "absent"})
ACTION_STATUSES = frozenset({"open", "in_progress", "done", "dropped"})
OPEN_ACTION_STATUSES = frozenset({"open", "in_progress"})
"""Statuses of an action still to be done: only these can be overdue."""
INTEREST_KINDS = frozenset(
    {"financial", "non_financial_professional", "non_financial_personal", "indirect"}
)
"""The kinds of interest membership's register uses; a declaration at a meeting uses the same."""
MAX_TEXT = 2000


def one_of(allowed: frozenset[str], value: str) -> str | None:
    """The problem with ``value`` if it is not one of ``allowed`` (None when it is)."""
    return None if value in allowed else f"must be one of {', '.join(sorted(allowed))}"


def text_problem(value: str, *, required: bool = True) -> str | None:
    """The problem with a free-text field: blank when required, or too long."""
    if required and not value.strip():
        return "is required"
    if len(value) > MAX_TEXT:
        return f"must be at most {MAX_TEXT} characters"
    return None


def check(*checks: tuple[str, str | None]) -> None:
    """Raise one ``ValidationFailed`` naming every ``(field, problem)`` that has a problem."""
    violations = [FieldViolation(field, problem) for field, problem in checks if problem]
    if violations:
        raise ValidationFailed(violations)
