"""Small conversions shared by the servicer: the caller, dates, ledger lines, page tokens."""

from __future__ import annotations

from clwstwr.payments.v1 import payments_service_pb2 as pb
from kernel.access import Caller
from kernel.errors import ValidationFailed
from kernel.grpc.fields import caller_as
from kernel.paging import PageRequest
from payments.application.ports import LedgerLine


def caller() -> Caller:
    """The authenticated caller of the call being served, as the access rules see it."""
    return caller_as(Caller)


def entry_after(page: PageRequest) -> int:
    """The ledger entry id a page continues after (its keys are entry ids)."""
    if page.after is None:
        return 0
    if not page.after.isdigit():
        raise ValidationFailed.single("page_token", "is not a token this service issued")
    return int(page.after)


def entry_message(line: LedgerLine) -> pb.LedgerEntry:
    entry = line.entry
    return pb.LedgerEntry(
        entry_id=entry.entry_id,
        payee=entry.payee,
        payee_kind=entry.payee_kind,
        rule_id=entry.rule_id,
        card_id=entry.card_id,
        source_kind=entry.source_kind,
        source_id=entry.source_id,
        part=entry.part,
        amount_pence=entry.amount_pence,
        reverses_entry_id=entry.reverses or 0,
        on=entry.on.isoformat(),
        financial_year=entry.financial_year,
        health_board=entry.health_board,
        cluster_id=entry.cluster_id or "",
        caused_by=entry.caused_by,
        schedule_id=line.schedule_id or "",
    )
