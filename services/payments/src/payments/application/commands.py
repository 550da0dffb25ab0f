"""Payments' commands: publish cards, submit and decide claims, draft and approve schedules.

Each returns the store position of what it appended (0: nothing), so the API can wait for its
own tables to show it before answering.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence

from kernel.access import Caller
from kernel.errors import NotFound, ValidationFailed
from kernel.eventstore.port import EventStore
from kernel.repository import AggregateRepository, retry_on_conflict
from payments.application.access import require_signatory
from payments.application.ports import PaymentQueries
from payments.domain.card_book import CARD_BOOK_ID, RateCardBook
from payments.domain.claims import Claim, ClaimRequest
from payments.domain.events import EVENTS
from payments.domain.financial_year import financial_year
from payments.domain.rate_card import PayeeKind, RateCard, Rule, card_in_force
from payments.domain.schedules import ScheduleBook, ScheduleDrafted
from payments.domain.shipped_card import SHIPPED_CARD

_MONTH = "%Y-%m"


class PaymentCommands:
    def __init__(
        self,
        store: EventStore,
        queries: PaymentQueries,
        signatories: Mapping[str, Sequence[str]],
    ) -> None:
        self._cards = AggregateRepository(store, RateCardBook, EVENTS, "rate-cards")
        self._claims = AggregateRepository(store, Claim, EVENTS, "claim")
        self._schedules = AggregateRepository(store, ScheduleBook, EVENTS, "schedules")
        self._queries = queries
        self._signatories = signatories

    async def seed_shipped_card(self) -> int:
        """Publish the card RULES.md describes, once (idempotent)."""
        return await self._publish(SHIPPED_CARD)

    async def publish_card(self, caller: Caller, card: RateCard) -> int:
        caller.require_role("national")
        return await self._publish(card)

    async def _publish(self, card: RateCard) -> int:
        accrued_up_to = await self._queries.last_accrued_on()

        async def attempt() -> int:
            book = await self._cards.load(CARD_BOOK_ID)
            book.publish(card, accrued_up_to)
            saved = await self._cards.save(book)
            return saved.positions[-1] if saved else 0

        return await retry_on_conflict(attempt)

    async def submit_claim(self, caller: Caller, request: ClaimRequest) -> tuple[str, int, int]:
        """Submit; returns the claim id, its amount before caps, and the store position."""
        card = card_in_force(await self._queries.cards(), request.activity_date)
        rule = card.rule(request.rule_id) if card else None
        if card is None or rule is None:
            raise ValidationFailed.single(
                "rule_id", f"no card in force on {request.activity_date} has {request.rule_id}"
            )
        board, cluster = await self._claim_place(request, rule)
        caller.require_board(board)
        so_far = await self._queries.claims_not_rejected(
            request.payee, rule.rule_id, financial_year(request.activity_date)
        )
        claim_id = str(uuid.uuid4())
        claim = await self._claims.load(claim_id)
        stated = request.model_copy(update={"health_board": board, "cluster_id": cluster})
        amount = claim.submit(stated, card.card_id, rule, so_far)
        saved = await self._claims.save(claim)
        return claim_id, amount, saved.positions[-1] if saved else 0

    async def _claim_place(self, request: ClaimRequest, rule: Rule) -> tuple[str, str | None]:
        """The payee's board and cluster.

        An organisation's own; for a person, the board the request names (and no cluster).

        Raises:
            NotFound: payments knows no such organisation (or person, where one may claim).
            ValidationFailed: the organisation is not of a kind the rule pays.
        """
        organisation = await self._queries.organisation(request.payee)
        if organisation is not None:
            kinds = rule.trigger.organisation_kinds
            if kinds and organisation.kind not in kinds:
                raise ValidationFailed.single(
                    "payee", f"{rule.rule_id} pays only {', '.join(kinds)} organisations"
                )
            return organisation.health_board, organisation.cluster_id
        may_be_person = rule.payee is PayeeKind.CLAIMANT
        if may_be_person and await self._queries.person_known(request.payee):
            if not request.health_board:
                raise ValidationFailed.single("health_board", "must name the person's board")
            return request.health_board, None
        raise NotFound(f"no payee {request.payee!r} known to payments")

    async def decide_claim(
        self, caller: Caller, claim_id: str, *, approve: bool, reason: str = ""
    ) -> int:
        async def attempt() -> int:
            claim = await self._claims.load(claim_id)
            if not claim.exists:
                raise NotFound(f"no claim {claim_id!r}")
            caller.require_board(claim.health_board)
            if approve:
                claim.approve(caller.subject)
            else:
                claim.reject(caller.subject, reason)
            saved = await self._claims.save(claim)
            return saved.positions[-1] if saved else 0

        return await retry_on_conflict(attempt)

    async def draft_schedule(
        self, caller: Caller, board: str, period: str
    ) -> tuple[ScheduleDrafted, int]:
        caller.require_board(board)
        last_day = _last_day_of(period)
        entries = await self._queries.unscheduled(board, last_day)

        async def attempt() -> tuple[ScheduleDrafted, int]:
            book = await self._schedules.load(board)
            schedule_id = f"{board}-{period}-{len(book.drafts) + 1}"
            drafted = book.draft(schedule_id, board, period, entries)
            saved = await self._schedules.save(book)
            return drafted, saved.positions[-1] if saved else 0

        return await retry_on_conflict(attempt)

    async def approve_schedule(self, caller: Caller, board: str, schedule_id: str) -> int:
        require_signatory(caller, board, self._signatories)

        async def attempt() -> int:
            book = await self._schedules.load(board)
            book.approve(schedule_id, caller.subject)
            saved = await self._schedules.save(book)
            return saved.positions[-1] if saved else 0

        return await retry_on_conflict(attempt)


def _last_day_of(period: str) -> dt.date:
    try:
        first = dt.datetime.strptime(period, _MONTH).replace(tzinfo=dt.UTC).date()
    except ValueError:
        raise ValidationFailed.single("period", "must be a month such as 2025-05") from None
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)
