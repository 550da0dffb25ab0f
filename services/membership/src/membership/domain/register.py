"""The register's vocabulary: validated codes and the entries an operator seeds from.

Validation raises ``ValidationFailed`` with field paths relative to the entry, so a caller can
prefix them (``clusters[3].name``) and a gRPC client sees exactly which field is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kernel.errors import FieldViolation, ValidationFailed

HEALTH_BOARD_CODES = frozenset(f"7A{n}" for n in range(1, 8))
"""ODS codes of the seven Welsh health boards (7A1 Betsi Cadwaladr … 7A7 Powys)."""

MAX_NAME_LENGTH = 200
_CLUSTER_ID = re.compile(r"7A[1-7]-[a-z0-9]+(?:-[a-z0-9]+)*")
_PROFESSION = re.compile(r"[a-z]+(?:-[a-z]+)*")


def board_code_problem(code: str) -> str | None:
    """Why ``code`` is not a Welsh health board ODS code, or None if it is one."""
    if code in HEALTH_BOARD_CODES:
        return None
    return "must be a Welsh health board ODS code, 7A1 to 7A7"


def cluster_id_problem(cluster_id: str) -> str | None:
    """Why ``cluster_id`` is not a cluster id such as ``7A1-anglesey``, or None."""
    if _CLUSTER_ID.fullmatch(cluster_id):
        return None
    return "must be the board's ODS code and a lower-case slug, e.g. 7A1-anglesey"


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a cluster or board (blank, padded or too long), or None."""
    if not name.strip():
        return "must not be empty"
    if name != name.strip():
        return "must not start or end with spaces"
    if len(name) > MAX_NAME_LENGTH:
        return f"must be at most {MAX_NAME_LENGTH} characters"
    return None


def check(*checks: tuple[str, str | None]) -> None:
    """Raise one ``ValidationFailed`` naming every ``(field, problem)`` that has a problem."""
    violations = [FieldViolation(field, problem) for field, problem in checks if problem]
    if violations:
        raise ValidationFailed(violations)


def check_names(name: str, name_cy: str | None) -> None:
    """Raise ``ValidationFailed`` unless ``name`` (and ``name_cy``, if given) can name a body."""
    check(
        ("name", name_problem(name)),
        ("name_cy", name_problem(name_cy) if name_cy is not None else None),
    )


@dataclass(frozen=True, slots=True)
class BoardEntry:
    """A health board as the register lists it."""

    ods_code: str
    name: str
    name_cy: str | None

    def validate(self) -> None:
        check(
            ("ods_code", board_code_problem(self.ods_code)),
            ("name", name_problem(self.name)),
            ("name_cy", name_problem(self.name_cy) if self.name_cy is not None else None),
        )


@dataclass(frozen=True, slots=True)
class ClusterEntry:
    """A cluster as the register lists it, with the PCPG it plans under."""

    cluster_id: str
    health_board: str
    name: str
    name_cy: str | None
    local_authority: str
    population: int | None
    pcpg_id: str
    pcpg_name: str

    def validate(self) -> None:
        prefix_ok = self.cluster_id.startswith(f"{self.health_board}-")
        check(
            ("cluster_id", cluster_id_problem(self.cluster_id)),
            ("cluster_id", None if prefix_ok else "must start with its board's ODS code"),
            ("health_board", board_code_problem(self.health_board)),
            ("name", name_problem(self.name)),
            ("name_cy", name_problem(self.name_cy) if self.name_cy is not None else None),
            ("local_authority", name_problem(self.local_authority)),
            ("population", "must not be negative" if (self.population or 0) < 0 else None),
        )


@dataclass(frozen=True, slots=True)
class Profession:
    """A profession with a collaborative in every cluster (the list itself is data)."""

    code: str
    name: str

    def validate(self) -> None:
        check(
            ("code", None if _PROFESSION.fullmatch(self.code) else "must be a lower-case slug"),
            ("name", name_problem(self.name)),
        )


def collaborative_id(cluster_id: str, profession: str) -> str:
    """The id of a cluster's collaborative of a profession: ``7A1-anglesey.dental``."""
    return f"{cluster_id}.{profession}"
