"""What the commands and the API read: payments' own tables, behind a port."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from payments.domain.facts import Organisation
from payments.domain.ledger import LedgerEntryPosted
from payments.domain.rate_card import RateCard


@dataclass(frozen=True, slots=True)
class LedgerLine:
    """A ledger entry, as it was posted, and the schedule that carries it (None: none yet)."""

    entry: LedgerEntryPosted
    schedule_id: str | None


@dataclass(frozen=True, slots=True)
class AccrualFilter:
    health_board: str | None
    cluster_id: str | None
    financial_year: str | None
    rule_id: str | None


@dataclass(frozen=True, slots=True)
class ScheduleView:
    schedule_id: str
    health_board: str
    period: str
    entry_ids: tuple[int, ...]
    total_pence: int
    approved_by: str | None


@dataclass(frozen=True, slots=True)
class ExportRow:
    payee: str
    ods_code: str | None
    rule_id: str
    amount_pence: int


class PaymentQueries(Protocol):
    async def cards(self) -> tuple[RateCard, ...]: ...

    async def organisation(self, organisation_id: str) -> Organisation | None: ...

    async def person_known(self, person_id: str) -> bool: ...

    async def claims_not_rejected(self, payee: str, rule_id: str, year: str) -> int: ...

    async def unscheduled(self, board: str, up_to: dt.date) -> dict[int, int]:
        """Entry id to pence of the board's entries dated up to ``up_to``."""
        ...

    async def statement(self, payee: str, year: str) -> list[LedgerLine]: ...

    async def accruals(self, only: AccrualFilter, after: int, limit: int) -> list[LedgerLine]: ...

    async def schedule(self, schedule_id: str) -> ScheduleView | None: ...

    async def export_rows(self, schedule_id: str) -> list[ExportRow]: ...

    async def last_accrued_on(self) -> dt.date | None:
        """The latest meeting or claim date with money standing in the ledger (None: none)."""
        ...

    async def payee_board(self, payee: str) -> str | None:
        """The board of a payee's ledger lines or organisation (None: unknown)."""
        ...


class ReadModelSync(Protocol):
    async def caught_up(self, position: int, timeout: float = 5.0) -> None: ...  # noqa: ASYNC109
