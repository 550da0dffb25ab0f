"""The rules of RULES.md worked through payments' real runtime, to the penny.

Membership's and meetings' published events reach payments over Redis (see conftest); some
arrive before the facts they depend on, some twice; statements are read over gRPC.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys

import grpc
import pytest

from clwstwr.payments.v1 import payments_service_pb2 as pb
from kernel.testing.grpc import call_metadata
from payments.adapters.grpc_cards import card_message
from payments.adapters.meetings_facts import MeetingsFacts
from payments.adapters.reconciliation import reconcile
from payments.domain.shipped_card import SHIPPED_CARD

from .conftest import Platform
from .recorded_events import (
    attendee,
    cancelled,
    corrected,
    held,
    lead,
    merged_into,
    person,
    pharmacy,
)

pytestmark = pytest.mark.integration

BOARD = call_metadata("board-7a1")
NATIONAL = call_metadata("national")
CLUSTER_DAYS = [
    dt.date(2023, 5, 10),
    dt.date(2023, 8, 10),
    dt.date(2023, 11, 10),
    dt.date(2024, 2, 10),
    dt.date(2024, 4, 10),
]


async def statement(platform: Platform, payee: str, year: str) -> pb.GetStatementResponse:
    return await platform.stub.GetStatement(
        pb.GetStatementRequest(payee=payee, financial_year=year), metadata=BOARD
    )


def totals(answer: pb.GetStatementResponse) -> dict[str, int]:
    return {t.rule_id: t.total_pence for t in answer.rule_totals}


async def test_cluster_meetings_pay_the_pharmacy_and_independent_leads(platform: Platform) -> None:
    meetings = [
        held(
            f"cluster-{n}",
            day,
            attendee("pharmacist-1", "org-ph1"),
            attendee("technician-1", "org-ph1"),  # one payment per payee per meeting
            attendee("ahp-lead"),
            attendee("nurse-lead"),
        )
        for n, day in enumerate(CLUSTER_DAYS)
    ]
    # Meetings first: what they pay is known only once membership's facts arrive.
    await platform.publish(platform.meetings, *meetings)
    await platform.publish(platform.meetings, meetings[0])  # delivered twice
    await platform.publish(
        platform.membership,
        pharmacy("org-ph1", "FW844"),
        person("ahp-lead"),
        person("nurse-lead"),
        lead("ahp-lead", "allied-health-professionals", salaried=False),
        lead("nurse-lead", "community-nursing", workplace="org-hb", salaried=True),
    )
    await platform.caught_up()

    # CP-ATTEND: £250 for each of 3 meetings, £250 more with the 3rd: £1,000, then capped.
    assert totals(await statement(platform, "org-ph1", "2023/24")) == {"CP-ATTEND": 100_000}
    assert totals(await statement(platform, "org-ph1", "2024/25")) == {"CP-ATTEND": 25_000}
    # LEAD-AT-CLUSTER: 4 half-days at £260 in 2023/24; nothing after 31 March 2024.
    assert totals(await statement(platform, "ahp-lead", "2023/24")) == {"LEAD-AT-CLUSTER": 104_000}
    assert totals(await statement(platform, "ahp-lead", "2024/25")) == {}
    # Health-board-salaried: nothing.
    assert (await statement(platform, "nurse-lead", "2023/24")).total_pence == 0


async def test_a_correction_after_accrual_reverses_and_a_cancellation_removes(
    platform: Platform,
) -> None:
    await platform.publish(
        platform.meetings,
        corrected("cluster-0", CLUSTER_DAYS[0], attendee("ahp-lead", status="absent")),
        cancelled("cluster-1", CLUSTER_DAYS[1]),
    )
    await platform.caught_up()
    answer = await statement(platform, "ahp-lead", "2023/24")
    assert answer.total_pence == 2 * 26_000
    reversals = [e for e in answer.entries if e.reverses_entry_id]
    assert sorted(e.source_id for e in reversals) == ["cluster-0", "cluster-1"]
    reversed_ids = {e.reverses_entry_id for e in reversals}
    originals = [e for e in answer.entries if e.entry_id in reversed_ids]
    assert [e.amount_pence for e in originals] == [26_000, 26_000]
    assert all(e.caused_by.startswith(platform.meetings) for e in reversals)
    # The pharmacy lost one of its 4 meetings: still 3 and the bonus.
    assert (await statement(platform, "org-ph1", "2023/24")).total_pence == 100_000


async def test_an_old_event_applied_again_changes_nothing(platform: Platform) -> None:
    # As an operator redriving a dead letter would: the MeetingHeld from before the correction.
    events = await platform.sources[platform.meetings].store.read_all(0, 1000)
    [first, *_] = [e for e in events if e.data.get("meeting_id") == "cluster-0"]
    before = await statement(platform, "ahp-lead", "2023/24")
    handler = MeetingsFacts(platform.schema, platform.meetings)
    async with platform.payments.pool.acquire() as conn, conn.transaction():
        await handler.handle(conn, [first])
    after = await statement(platform, "ahp-lead", "2023/24")
    assert after == before


async def test_every_ledger_entry_is_published_with_it(platform: Platform) -> None:
    async with platform.payments.pool.acquire() as conn:
        rows = await conn.fetch(
            f"SELECT entry_id, payee, rule_id, amount_pence, reverses, caused_by"
            f" FROM {platform.schema}.ledger ORDER BY entry_id"
        )
    assert rows, "the examples above accrued nothing"
    stored = await platform.payments.store.read_all(0, 10_000)
    posted = [e for e in stored if e.event_type == "payments.LedgerEntryPosted"]
    assert {e.stream_id.split("-")[0] for e in posted} == {"ledger"}
    fields = ("entry_id", "payee", "rule_id", "amount_pence", "reverses", "caused_by")
    assert [tuple(e.data[f] for f in fields) for e in posted] == [tuple(r) for r in rows]


async def test_the_pharmacy_pc_lead_earns_backfill_for_their_workplace_up_to_four(
    platform: Platform,
) -> None:
    days = [dt.date(2024, m, 15) for m in (5, 6, 7, 8, 9)]
    await platform.publish(
        platform.membership,
        person("cp-lead"),
        lead("cp-lead", "community-pharmacy", workplace="org-ph1"),
    )
    await platform.publish(
        platform.meetings,
        *(
            held(
                f"cppc-{n}",
                d,
                attendee("cp-lead", "org-ph1", lead=True),
                profession="community-pharmacy",
            )
            for n, d in enumerate(days)
        ),
    )
    await platform.caught_up()
    answer = await statement(platform, "org-ph1", "2024/25")
    # 4 x £500 backfill, plus £250 a meeting attended (the lead represented it) up to the cap.
    assert totals(answer) == {"CPPC-LEAD": 200_000, "CP-ATTEND": 100_000}


async def test_a_card_published_mid_year_applies_from_its_date(platform: Platform) -> None:
    richer = SHIPPED_CARD.model_copy(
        update={
            "card_id": "wales-2024-10",
            "effective_from": dt.date(2024, 10, 1),
            "rules": tuple(
                r.model_copy(update={"amount_pence": 60_000}) if r.rule_id == "GP-LEAD" else r
                for r in SHIPPED_CARD.rules
                if r.last_day is None
            ),
        }
    )
    published = await platform.stub.PublishRateCard(
        pb.PublishRateCardRequest(card=card_message(richer)), metadata=NATIONAL
    )
    assert published.published
    again = await platform.stub.PublishRateCard(
        pb.PublishRateCardRequest(card=card_message(richer)), metadata=NATIONAL
    )
    assert not again.published
    await platform.publish(
        platform.membership, person("gp-lead"), lead("gp-lead", "general-practice")
    )
    await platform.publish(
        platform.meetings,
        *(
            held(f"gp-{n}", d, attendee("gp-lead", lead=True), profession="general-practice")
            for n, d in enumerate((dt.date(2024, 9, 10), dt.date(2024, 10, 10)))
        ),
    )
    await platform.caught_up()
    answer = await statement(platform, "gp-lead", "2024/25")
    assert [(e.card_id, e.amount_pence) for e in answer.entries] == [
        ("wales-2022-04", 50_000),
        ("wales-2024-10", 60_000),
    ]
    cards = await platform.stub.ListRateCards(pb.ListRateCardsRequest(), metadata=BOARD)
    assert [c.card_id for c in cards.cards] == ["wales-2022-04", "wales-2024-10"]


async def test_an_overlapping_or_malformed_card_is_refused_and_nothing_stored(
    platform: Platform,
) -> None:
    before = await platform.payments.store.last_position()
    overlapping = card_message(SHIPPED_CARD.model_copy(update={"card_id": "overlaps"}))
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await platform.stub.PublishRateCard(
            pb.PublishRateCardRequest(card=overlapping), metadata=NATIONAL
        )
    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    malformed = pb.RateCard(card_id="bad", effective_from="2030-04-01", description="x")
    malformed.rules.add(rule_id="X", description="x", payee="nobody")
    with pytest.raises(grpc.aio.AioRpcError) as bad:
        await platform.stub.PublishRateCard(
            pb.PublishRateCardRequest(card=malformed), metadata=NATIONAL
        )
    assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "rules[0].payee" in (bad.value.details() or "")
    with pytest.raises(grpc.aio.AioRpcError) as board:
        await platform.stub.PublishRateCard(
            pb.PublishRateCardRequest(card=overlapping), metadata=BOARD
        )
    assert board.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert await platform.payments.store.last_position() == before


async def test_a_pharmacy_is_paid_at_its_merged_clusters_meetings(platform: Platform) -> None:
    successor = "7A1-mon-and-arfon"
    await platform.publish(platform.membership, merged_into(successor, dt.date(2025, 3, 31)))
    await platform.publish(
        platform.meetings,
        held(
            "merged-1", dt.date(2025, 5, 1), attendee("pharmacist-1", "org-ph1"), cluster=successor
        ),
    )
    await platform.caught_up()
    answer = await statement(platform, "org-ph1", "2025/26")
    assert [(e.source_id, e.cluster_id, e.amount_pence) for e in answer.entries] == [
        ("merged-1", successor, 25_000)
    ]


async def test_another_board_may_not_read_a_statement(platform: Platform) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await platform.stub.GetStatement(
            pb.GetStatementRequest(payee="org-ph1", financial_year="2023/24"),
            metadata=call_metadata("board-7a2"),
        )
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
    national = await platform.stub.GetStatement(
        pb.GetStatementRequest(payee="org-ph1", financial_year="2023/24"), metadata=NATIONAL
    )
    assert national.total_pence == 100_000


async def test_the_operator_command_reconciles_the_ledger(platform: Platform) -> None:
    settings = platform.settings
    env = {
        **os.environ,
        **{f"CLWSTWR_{k.upper()}": str(v) for k, v in settings.model_dump(mode="json").items()},
        "CLWSTWR_FEED_TOKEN": settings.feed_token.get_secret_value(),
        "CLWSTWR_DATABASE_URL": settings.database_url.get_secret_value(),
    }
    # A process of its own, as an operator runs it (this loop keeps serving the feeds).
    command = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "payments", "reconcile", env=env, stdout=asyncio.subprocess.PIPE
    )
    output, _ = await asyncio.wait_for(command.communicate(), 60)
    assert command.returncode == 0, output
    assert output.decode().endswith(" totals compared, 0 different\n")


async def test_the_ledger_reconciles_with_the_rules(platform: Platform) -> None:
    await platform.caught_up()
    compared, differences = await reconcile(platform.payments.pool, platform.settings)
    assert compared > 0
    assert differences == []
