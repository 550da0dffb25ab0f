"""Payment schedules: a board's unscheduled ledger entries gathered, approved, then immutable.

One stream per health board, so an entry is gathered into one schedule only, and a correction
after a schedule was approved (a new entry) lands in the next one.
"""

from __future__ import annotations

from typing import ClassVar

from kernel.aggregate import Aggregate, DomainEvent
from kernel.errors import NotFound, RuleViolated


class ScheduleDrafted(DomainEvent):
    event_type: ClassVar[str] = "payments.ScheduleDrafted"
    schedule_id: str
    health_board: str
    period: str
    entry_ids: tuple[int, ...]
    total_pence: int


class ScheduleApproved(DomainEvent):
    event_type: ClassVar[str] = "payments.ScheduleApproved"
    schedule_id: str
    health_board: str
    approved_by: str


ScheduleEvent = ScheduleDrafted | ScheduleApproved


class ScheduleBook(Aggregate[ScheduleEvent]):
    """A board's schedules and the ledger entries each gathered."""

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.scheduled: set[int] = set()
        self.drafts: dict[str, ScheduleDrafted] = {}
        self.approved: set[str] = set()

    def draft(
        self, schedule_id: str, board: str, period: str, entries: dict[int, int]
    ) -> ScheduleDrafted:
        """Gather ``entries`` (entry id to pence) not in any schedule yet; returns the draft."""
        if schedule_id in self.drafts:
            return self.drafts[schedule_id]  # the same request again
        fresh = {entry: pence for entry, pence in entries.items() if entry not in self.scheduled}
        if not fresh:
            raise RuleViolated("NOTHING_TO_SCHEDULE", f"{board} has no unscheduled accruals")
        drafted = ScheduleDrafted(
            schedule_id=schedule_id,
            health_board=board,
            period=period,
            entry_ids=tuple(sorted(fresh)),
            total_pence=sum(fresh.values()),
        )
        self._record(drafted)
        return drafted

    def approve(self, schedule_id: str, signatory: str) -> None:
        draft = self.drafts.get(schedule_id)
        if draft is None:
            raise NotFound(f"no schedule {schedule_id!r}")
        if schedule_id in self.approved:
            raise RuleViolated(
                "SCHEDULE_ALREADY_APPROVED", f"schedule {schedule_id} is approved already"
            )
        self._record(
            ScheduleApproved(
                schedule_id=schedule_id, health_board=draft.health_board, approved_by=signatory
            )
        )

    def _apply(self, event: ScheduleEvent) -> None:
        if isinstance(event, ScheduleDrafted):
            self.drafts[event.schedule_id] = event
            self.scheduled.update(event.entry_ids)
        else:
            self.approved.add(event.schedule_id)
