"""Payments' ledger events as payments publishes them (its contract), for reporting's tests."""

import datetime as dt

from contracts.payments import LedgerEntryPosted

CLUSTER = "7A1-anglesey"


def ledger_entry(
    entry_id: int,
    rule_id: str,
    pence: int,
    *,
    reverses: int | None = None,
    cluster_id: str = CLUSTER,
    financial_year: str = "2024/25",
) -> LedgerEntryPosted:
    """An accrual (or, with ``reverses``, a reversal) for a meeting of the cluster."""
    return LedgerEntryPosted(
        entry_id=entry_id,
        payee="o-1",
        payee_kind="contractor",
        rule_id=rule_id,
        card_id="wales-2022",
        source_kind="meeting",
        source_id=f"m-{entry_id}",
        part="payment",
        amount_pence=pence,
        reverses=reverses,
        on=dt.date(2024, 6, 12),
        financial_year=financial_year,
        health_board="7A1",
        cluster_id=cluster_id,
        caused_by="meetings@1",
    )
