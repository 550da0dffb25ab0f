"""The ledger's rule: append only the difference between what is due and what stands.

The ledger is append-only. A line whose due amount (or card) changed has its standing entry
reversed and a fresh one accrued; a line no longer due is reversed. So the net of a payee's
entries always equals what the rules give for the facts as they now stand, and running this
again on the same facts appends nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

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
