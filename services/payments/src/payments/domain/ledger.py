"""The ledger's rule: append only the difference between what is due and what stands.

The ledger is append-only. A line whose due amount (or card) changed has its standing entry
reversed and a fresh one accrued; a line no longer due is reversed. So the net of a payee's
entries always equals what the rules give for the facts as they now stand, and running this
again on the same facts appends nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import ClassVar

from kernel.aggregate import DomainEvent
from payments.domain.accrual import Due, LineKey


@dataclass(frozen=True, slots=True)
class StandingEntry:
    """An accrual entry not yet reversed (at most one per line)."""

    entry_id: int
    key: LineKey
    due: Due


@dataclass(frozen=True, slots=True)
class Posting:
    """An entry to append: an accrual, or the reversal of ``reverses`` (a negative amount)."""

    key: LineKey
    due: Due
    reverses: int | None = None


def postings(due: Mapping[LineKey, Due], standing: Iterable[StandingEntry]) -> list[Posting]:
    """The entries that bring the ledger from ``standing`` to ``due``, in line order."""
    by_key = {entry.key: entry for entry in standing}
    out: list[Posting] = []
    for key in sorted(set(due) | set(by_key)):
        now, was = due.get(key), by_key.get(key)
        if was is not None and now == was.due:
            continue
        if was is not None:
            reversal = replace(was.due, amount_pence=-was.due.amount_pence)
            out.append(Posting(key, reversal, reverses=was.entry_id))
        if now is not None:
            out.append(Posting(key, now))
    return out


class LedgerEntryPosted(DomainEvent):
    """An entry was appended to the ledger: an accrual, or the reversal of ``reverses``.

    Published so that other services (reporting's payments by rule) follow the money without
    calling payments. Stored in the same transaction as the entry, in the stream
    ``ledger-<health board>-<financial year>``; ``caused_by`` names the event that moved it.
    """

    event_type: ClassVar[str] = "payments.LedgerEntryPosted"
    entry_id: int
    payee: str
    payee_kind: str
    rule_id: str
    card_id: str
    source_kind: str
    source_id: str
    part: str
    amount_pence: int
    reverses: int | None
    on: dt.date
    financial_year: str
    health_board: str
    cluster_id: str | None
    caused_by: str

    @classmethod
    def of(cls, entry_id: int, posting: Posting, caused_by: str) -> LedgerEntryPosted:
        key, due = posting.key, posting.due
        return cls(
            entry_id=entry_id,
            payee=key.payee,
            payee_kind=due.payee_kind,
            rule_id=key.rule_id,
            card_id=due.card_id,
            source_kind=key.source_kind,
            source_id=key.source_id,
            part=key.part,
            amount_pence=due.amount_pence,
            reverses=posting.reverses,
            on=due.on,
            financial_year=due.financial_year,
            health_board=due.health_board,
            cluster_id=due.cluster_id,
            caused_by=caused_by,
        )
