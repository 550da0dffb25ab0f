"""``clwstwr.payments.v1.PaymentsService``: requests to commands and queries, and back.

Commands wait for payments' own tables to show what they stored before answering, so a
client that reads after a successful write sees it (read-your-writes).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict

from grpc import aio
from typing_extensions import override

from clwstwr.payments.v1 import payments_service_pb2 as pb
from clwstwr.payments.v1 import payments_service_pb2_grpc as pb_grpc
from kernel.errors import NotFound, RuleViolated, ValidationFailed
from kernel.grpc.fields import parse_date
from kernel.paging import PageRequest, next_page_token
from payments.adapters.grpc_cards import card_from_message, card_message
from payments.adapters.grpc_messages import caller, entry_after, entry_message
from payments.application.commands import PaymentCommands
from payments.application.ports import AccrualFilter, PaymentQueries, ReadModelSync
from payments.domain.claims import ClaimRequest
from payments.domain.financial_year import financial_year_problem

Context = aio.ServicerContext[object, object]


class PaymentsServicer(pb_grpc.PaymentsServiceServicer):
    def __init__(
        self, commands: PaymentCommands, queries: PaymentQueries, sync: ReadModelSync
    ) -> None:
        self._commands = commands
        self._queries = queries
        self._sync = sync

    async def _settle(self, position: int) -> None:
        if position:
            await self._sync.caught_up(position)

    @override
    async def PublishRateCard(
        self, request: pb.PublishRateCardRequest, context: Context
    ) -> pb.PublishRateCardResponse:
        position = await self._commands.publish_card(caller(), card_from_message(request.card))
        await self._settle(position)
        return pb.PublishRateCardResponse(published=position > 0)

    @override
    async def ListRateCards(
        self, request: pb.ListRateCardsRequest, context: Context
    ) -> pb.ListRateCardsResponse:
        # Rate cards are national policy: any authenticated caller may read them.
        cards = await self._queries.cards()
        return pb.ListRateCardsResponse(cards=[card_message(c) for c in cards])

    @override
    async def GetStatement(
        self, request: pb.GetStatementRequest, context: Context
    ) -> pb.GetStatementResponse:
        problem = financial_year_problem(request.financial_year)
        if problem:
            raise ValidationFailed.single("financial_year", problem)
        board = await self._queries.payee_board(request.payee)
        if board is None:
            raise NotFound(f"no payee {request.payee!r} known to payments")
        caller().require_read(board)
        lines = await self._queries.statement(request.payee, request.financial_year)
        per_rule: dict[str, int] = defaultdict(int)
        for line in lines:
            per_rule[line.entry.rule_id] += line.entry.amount_pence
        return pb.GetStatementResponse(
            payee=request.payee,
            financial_year=request.financial_year,
            entries=[entry_message(line) for line in lines],
            rule_totals=[
                pb.RuleTotal(rule_id=r, total_pence=t) for r, t in sorted(per_rule.items())
            ],
            total_pence=sum(per_rule.values()),
        )

    @override
    async def ListAccruals(
        self, request: pb.ListAccrualsRequest, context: Context
    ) -> pb.ListAccrualsResponse:
        if request.financial_year and (problem := financial_year_problem(request.financial_year)):
            raise ValidationFailed.single("financial_year", problem)
        page = PageRequest.parse(request.page_size, request.page_token)
        only = AccrualFilter(
            health_board=caller().board_filter(request.health_board or None),
            cluster_id=request.cluster_id or None,
            financial_year=request.financial_year or None,
            rule_id=request.rule_id or None,
        )
        lines = await self._queries.accruals(only, entry_after(page), page.size + 1)
        return pb.ListAccrualsResponse(
            entries=[entry_message(line) for line in lines[: page.size]],
            next_page_token=next_page_token([str(line.entry.entry_id) for line in lines], page),
        )

    @override
    async def SubmitClaim(
        self, request: pb.SubmitClaimRequest, context: Context
    ) -> pb.SubmitClaimResponse:
        claim = ClaimRequest(
            rule_id=request.rule_id,
            payee=request.payee,
            health_board=request.health_board,
            cluster_id=None,
            activity_date=parse_date("activity_date", request.activity_date),
            half_days=request.half_days,
            rate_pence=request.rate_pence,
            evidence=request.evidence,
        )
        claim_id, amount, position = await self._commands.submit_claim(caller(), claim)
        await self._settle(position)
        return pb.SubmitClaimResponse(claim_id=claim_id, amount_pence=amount)

    @override
    async def ApproveClaim(
        self, request: pb.ApproveClaimRequest, context: Context
    ) -> pb.ApproveClaimResponse:
        position = await self._commands.decide_claim(caller(), request.claim_id, approve=True)
        await self._settle(position)
        return pb.ApproveClaimResponse()

    @override
    async def RejectClaim(
        self, request: pb.RejectClaimRequest, context: Context
    ) -> pb.RejectClaimResponse:
        position = await self._commands.decide_claim(
            caller(), request.claim_id, approve=False, reason=request.reason
        )
        await self._settle(position)
        return pb.RejectClaimResponse()

    @override
    async def DraftSchedule(
        self, request: pb.DraftScheduleRequest, context: Context
    ) -> pb.DraftScheduleResponse:
        drafted, position = await self._commands.draft_schedule(
            caller(), request.health_board, request.period
        )
        await self._settle(position)
        return pb.DraftScheduleResponse(
            schedule=pb.Schedule(
                schedule_id=drafted.schedule_id,
                health_board=drafted.health_board,
                period=drafted.period,
                entry_ids=drafted.entry_ids,
                total_pence=drafted.total_pence,
            )
        )

    @override
    async def ApproveSchedule(
        self, request: pb.ApproveScheduleRequest, context: Context
    ) -> pb.ApproveScheduleResponse:
        position = await self._commands.approve_schedule(
            caller(), request.health_board, request.schedule_id
        )
        await self._settle(position)
        return pb.ApproveScheduleResponse()

    @override
    async def ExportSchedule(
        self, request: pb.ExportScheduleRequest, context: Context
    ) -> pb.ExportScheduleResponse:
        caller().require_read(request.health_board)
        schedule = await self._queries.schedule(request.schedule_id)
        if schedule is None or schedule.health_board != request.health_board:
            raise NotFound(f"no schedule {request.schedule_id!r} of {request.health_board}")
        if schedule.approved_by is None:
            raise RuleViolated("SCHEDULE_NOT_APPROVED", "only an approved schedule is exported")
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("payee", "ods_code", "rule", "amount_pence"))
        for row in await self._queries.export_rows(schedule.schedule_id):
            writer.writerow((row.payee, row.ods_code or "", row.rule_id, row.amount_pence))
        return pb.ExportScheduleResponse(csv=out.getvalue())
