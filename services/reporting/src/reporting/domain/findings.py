"""Compliance findings: a stable code, the body, the period or meeting, and the words shown."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class FindingCode(enum.StrEnum):
    """Stable codes: consumers and exports key on these, so they never change meaning."""

    NO_MEETING_IN_QUARTER = "NO_MEETING_IN_QUARTER"
    BELOW_ANNUAL_MINIMUM = "BELOW_ANNUAL_MINIMUM"
    CHAIR_NOT_LEAD_OR_DEPUTY = "CHAIR_NOT_LEAD_OR_DEPUTY"
    NOT_QUORATE = "NOT_QUORATE"
    MINUTES_NOT_APPROVED = "MINUTES_NOT_APPROVED"
    TERMS_OF_REFERENCE_OVERDUE = "TERMS_OF_REFERENCE_OVERDUE"
    PC_LEAD_ABSENT = "PC_LEAD_ABSENT"
    DECLARATIONS_NOT_RECORDED = "DECLARATIONS_NOT_RECORDED"


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One gap in one body's compliance in one financial year.

    ``subject`` tells apart findings of the same code and body: the quarter (``Q3``), the
    year (``FY``), a meeting id, or a meeting id and the absent lead's PC (``m-1/7A1-x.dental``).
    ``key`` is stable across reads: it identifies the finding while it stands.
    """

    cluster_id: str
    financial_year: str
    body_id: str
    code: FindingCode
    subject: str
    quarter: int | None
    meeting_id: str | None
    text: str

    @property
    def key(self) -> str:
        return f"{self.cluster_id}|{self.financial_year}|{self.body_id}|{self.code}|{self.subject}"
