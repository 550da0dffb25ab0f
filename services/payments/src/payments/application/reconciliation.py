"""Recompute every payee's FY totals from the events, to compare with the ledger."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from kernel.events import RecordedEvent
from kernel.feed import EventSource
from payments.application.facts_fold import FactsFold
from payments.domain.accrual import entitlements

Total = tuple[str, str, str, str]  # board, financial year, payee, rule
_PAGE = 1000


@dataclass(frozen=True, slots=True)
class Difference:
    health_board: str
    financial_year: str
    payee: str
    rule_id: str
    rules_give_pence: int
    ledger_holds_pence: int


@dataclass(frozen=True, slots=True)
class Sources:
    """Where the events come from: membership's and meetings' feeds, and payments' own store."""

    membership: EventSource
    meetings: EventSource
    own: EventSource


async def totals_from_events(sources: Sources) -> dict[Total, int]:
    """What the rules give, per board, year, payee and rule, for every event ever published."""
    fold = FactsFold()
    await _read(sources.membership, fold.membership)
    await _read(sources.meetings, fold.meeting)
    await _read(sources.own, fold.own)
    cards = fold.card_list()
    totals: dict[Total, int] = defaultdict(int)
    for board, year in fold.scopes():
        for key, due in entitlements(cards, fold.facts_for(board, year)).items():
            totals[board, year, key.payee, key.rule_id] += due.amount_pence
    return dict(totals)


def differences(expected: dict[Total, int], held: dict[Total, int]) -> list[Difference]:
    """Every total where the ledger holds something other than what the rules give."""
    return [
        Difference(*total, expected.get(total, 0), held.get(total, 0))
        for total in sorted(set(expected) | set(held))
        if expected.get(total, 0) != held.get(total, 0)
    ]


async def _read(source: EventSource, apply: Callable[[RecordedEvent], None]) -> None:
    after = 0
    while True:
        page = await source.read(after, _PAGE)
        for event in page:
            apply(event)
        if len(page) < _PAGE:
            return
        after = page[-1].position
