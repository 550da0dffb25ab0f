"""Every event payments stores, by its stable name."""

from __future__ import annotations

from kernel.aggregate import EventRegistry
from payments.domain.card_book import RateCardPublished
from payments.domain.claims import ClaimApproved, ClaimRejected, ClaimSubmitted
from payments.domain.ledger import LedgerEntryPosted
from payments.domain.schedules import ScheduleApproved, ScheduleDrafted

EVENTS = EventRegistry(
    RateCardPublished,
    ClaimSubmitted,
    ClaimApproved,
    ClaimRejected,
    ScheduleDrafted,
    ScheduleApproved,
    LedgerEntryPosted,
)
