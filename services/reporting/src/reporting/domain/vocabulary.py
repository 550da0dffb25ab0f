"""The words of maturity reporting: outcome codes, maturity levels and financial years.

The outcome *codes* are structure (RULES.md: PCMW-01…13 and ACD-01…07) and live here; their
*titles* are reference data an operator loads and corrects (``domain.catalogue``), so a title
fixed in the source documents never needs a code change.
"""

from __future__ import annotations

import enum
import re

from kernel.errors import FieldViolation, ValidationFailed


class Framework(enum.StrEnum):
    """Where an outcome comes from: the Primary Care Model for Wales, or ACD."""

    PCMW = "PCMW"
    ACD = "ACD"


OUTCOMES_PER_FRAMEWORK = {Framework.PCMW: 13, Framework.ACD: 7}
OUTCOME_CODES: tuple[str, ...] = tuple(
    f"{framework}-{n:02d}"
    for framework, count in OUTCOMES_PER_FRAMEWORK.items()
    for n in range(1, count + 1)
)
"""Every outcome code, PCMW-01…PCMW-13 then ACD-01…ACD-07."""


def framework_of(code: str) -> Framework:
    return Framework(code.split("-", 1)[0])


def outcome_problem(code: str) -> str | None:
    if code in OUTCOME_CODES:
        return None
    return f"{code!r} is not an outcome code (PCMW-01…PCMW-13, ACD-01…ACD-07)"


class Level(enum.IntEnum):
    """A maturity level of the cluster maturity matrix (003)."""

    FOUNDATION = 1
    DEVELOPING = 2
    MATURE = 3


def level_problem(level: int) -> str | None:
    if level in tuple(Level):
        return None
    return f"{level} is not a maturity level (1 foundation, 2 developing, 3 mature)"


def text_problem(text: str, limit: int = 4000) -> str | None:
    """Why ``text`` cannot stand as a required free-text answer, if it cannot."""
    if not text.strip():
        return "is required"
    if len(text) > limit:
        return f"is longer than {limit} characters"
    return None


def check(*checks: tuple[str, str | None]) -> None:
    """Raise one ``ValidationFailed`` naming every ``(field, problem)`` that has a problem."""
    violations = [FieldViolation(field, problem) for field, problem in checks if problem]
    if violations:
        raise ValidationFailed(violations)


_BOARD = re.compile(r"^7A[1-7]$")


def board_problem(board: str) -> str | None:
    if _BOARD.match(board):
        return None
    return f"{board!r} is not a health board's ODS code (7A1 to 7A7)"
