"""The words of maturity reporting: outcome codes, maturity levels and financial years.

The outcome *codes* are structure (RULES.md: PCMW-01…13 and ACD-01…07) and live here; their
*titles* are reference data an operator loads and corrects (``domain.catalogue``), so a title
fixed in the source documents never needs a code change.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

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


_FY = re.compile(r"^(\d{4})/(\d{2})$")


_APRIL = 4


@dataclass(frozen=True, slots=True, order=True)
class FinancialYear:
    """1 April to 31 March, labelled ``2024/25`` (DESIGN.md, Time)."""

    start_year: int

    @classmethod
    def parse(cls, field: str, label: str) -> FinancialYear:
        """The year ``label`` names; ``ValidationFailed`` on ``field`` if it names none."""
        match = _FY.match(label)
        if match is None or (int(match[1]) + 1) % 100 != int(match[2]):
            raise ValidationFailed.single(field, f"{label!r} is not a financial year like 2024/25")
        return cls(int(match[1]))

    @classmethod
    def containing(cls, day: dt.date) -> FinancialYear:
        """The year ``day`` falls in (1 April to 31 March)."""
        return cls(day.year if day.month >= _APRIL else day.year - 1)

    @property
    def previous(self) -> FinancialYear:
        return FinancialYear(self.start_year - 1)

    @property
    def label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def key(self) -> str:
        """The label as it can stand in a stream id (no slash)."""
        return self.label.replace("/", "-")

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.start_year, _APRIL, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.start_year + 1, 3, 31)


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
