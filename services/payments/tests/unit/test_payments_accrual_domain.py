"""One worked example per rule of the shipped card (RULES.md), to the penny."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from payments.domain.accrual import BONUS, CLAIM, MEETING, PAYMENT, LineKey, entitlements
from payments.domain.facts import ApprovedClaim, Facts, Organisation, Succession
from payments.domain.payees import organisation_kinds_paid
from payments.domain.rate_card import Basis, RateCard
from payments.domain.shipped_card import SHIPPED_CARD

from .payment_samples import BOARD, lead_of, meeting, pc_meeting, pharmacy, practice, present

CARDS = (SHIPPED_CARD,)
PHARMACY = pharmacy()
APR, MAY, JUN, JUL, AUG = (dt.date(2024, m, 10) for m in range(4, 9))


def totals(facts: Facts, cards: tuple[RateCard, ...] = CARDS) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for key, due in entitlements(cards, facts).items():
        out[key.payee, key.rule_id] = out.get((key.payee, key.rule_id), 0) + due.amount_pence
    return out


def orgs(*organisations: Organisation) -> dict[str, Organisation]:
    return {o.organisation_id: o for o in organisations}


def test_a_pharmacy_gets_250_a_meeting_and_250_more_with_its_third_capped_at_1000() -> None:
    meetings = tuple(
        meeting(f"m{n}", day, present("p1", PHARMACY.organisation_id), present("p2", "org-fw844"))
        for n, day in enumerate((APR, MAY, JUN, JUL))
    )
    due = entitlements(CARDS, Facts(meetings=meetings, organisations=orgs(PHARMACY)))
    assert {(k.source_id, k.part): d.amount_pence for k, d in due.items()} == {
        ("m0", PAYMENT): 25_000,
        ("m1", PAYMENT): 25_000,
        ("m2", PAYMENT): 25_000,
        ("m2", BONUS): 25_000,
    }


def test_a_pharmacy_is_paid_only_for_meetings_of_its_own_cluster() -> None:
    elsewhere = pharmacy("org-far", cluster="7A1-other")
    facts = Facts(
        meetings=(meeting("m1", APR, present("p1", "org-far")),), organisations=orgs(elsewhere)
    )
    assert totals(facts) == {}


def test_the_pharmacy_pc_lead_earns_500_a_meeting_for_their_workplace_up_to_four() -> None:
    lead = lead_of("lead", "community-pharmacy", workplace=PHARMACY.organisation_id)
    meetings = tuple(
        pc_meeting(
            f"pc{n}", dt.date(2024, 4 + n, 1), "community-pharmacy", present("lead", lead=True)
        )
        for n in range(5)
    )
    facts = Facts(meetings=meetings, organisations=orgs(PHARMACY), appointments=(lead,))
    assert totals(facts)[PHARMACY.organisation_id, "CPPC-LEAD"] == 200_000


def test_a_pc_meeting_without_its_lead_pays_no_lead() -> None:
    lead = lead_of("lead", "optometry")
    facts = Facts(
        meetings=(pc_meeting("o1", APR, "optometry", present("someone-else")),),
        appointments=(lead,),
    )
    assert totals(facts) == {}


def test_an_optometry_practice_is_paid_1000_once_a_year_and_its_lead_500_a_meeting() -> None:
    optom = practice("org-opt", "optometry_practice")
    lead = lead_of("olead", "optometry")
    meetings = tuple(
        pc_meeting(f"o{n}", day, "optometry", present("x", "org-opt"), present("olead", lead=True))
        for n, day in enumerate((APR, MAY))
    )
    facts = Facts(meetings=meetings, organisations=orgs(optom), appointments=(lead,))
    assert totals(facts) == {("org-opt", "OPT-PRACTICE"): 100_000, ("olead", "OPT-LEAD"): 100_000}


def test_the_gp_lead_is_paid_and_gp_practices_attendance_is_not() -> None:
    gp = practice("org-gp", "gp_practice")
    lead = lead_of("gplead", "general-practice")
    facts = Facts(
        meetings=(
            pc_meeting(
                "g1", APR, "general-practice", present("x", "org-gp"), present("gplead", lead=True)
            ),
        ),
        organisations=orgs(gp),
        appointments=(lead,),
    )
    assert totals(facts) == {("gplead", "GP-LEAD"): 50_000}


def test_a_health_board_salaried_nursing_lead_is_not_paid_an_independent_one_is() -> None:
    for salaried, expected in ((True, {}), (False, {("nlead", "NURSING-LEAD"): 50_000})):
        lead = lead_of("nlead", "community-nursing", workplace="org-hb", salaried=salaried)
        facts = Facts(
            meetings=(pc_meeting("n1", APR, "community-nursing", present("nlead", lead=True)),),
            appointments=(lead,),
        )
        assert totals(facts) == expected


def test_pc_leads_at_cluster_meetings_get_a_half_day_until_march_2024_four_at_most() -> None:
    lead = lead_of("ahp", "allied-health-professionals", salaried=False)
    days = [dt.date(2023, m, 5) for m in (4, 6, 8, 10, 12)] + [dt.date(2024, 4, 5)]
    meetings = tuple(meeting(f"c{n}", d, present("ahp")) for n, d in enumerate(days))
    due = entitlements(CARDS, Facts(meetings=meetings, appointments=(lead,)))
    assert sorted(k.source_id for k in due) == ["c0", "c1", "c2", "c3"]
    assert {d.amount_pence for d in due.values()} == {26_000}


def test_claims_pay_collaborative_working_twice_and_sessional_half_days_at_their_rate() -> None:
    claims = (
        *(
            ApprovedClaim(f"cl{n}", "CP-COLLAB", PHARMACY.organisation_id, BOARD, APR)
            for n in range(3)
        ),
        ApprovedClaim("s1", "SESSIONAL", "person-9", BOARD, MAY, half_days=3, rate_pence=25_500),
    )
    due = entitlements(CARDS, Facts(claims=claims))
    assert due[LineKey("person-9", "SESSIONAL", CLAIM, "s1")].amount_pence == 76_500
    assert sum(d.amount_pence for k, d in due.items() if k.rule_id == "CP-COLLAB") == 50_000


def test_a_cancelled_meeting_pays_nothing() -> None:
    facts = Facts(
        meetings=(meeting("m1", APR, present("p", PHARMACY.organisation_id), cancelled=True),),
        organisations=orgs(PHARMACY),
    )
    assert totals(facts) == {}


def test_the_card_in_force_on_the_meeting_date_applies_when_a_card_changes_mid_year() -> None:
    richer = SHIPPED_CARD.model_copy(
        update={
            "card_id": "wales-2024-07",
            "effective_from": dt.date(2024, 7, 1),
            "rules": tuple(
                r.model_copy(update={"amount_pence": 30_000}) if r.rule_id == "GP-LEAD" else r
                for r in SHIPPED_CARD.rules
            ),
        }
    )
    lead = lead_of("gplead", "general-practice")
    meetings = tuple(
        pc_meeting(f"g{n}", d, "general-practice", present("gplead", lead=True))
        for n, d in enumerate((APR, JUN, JUL, AUG))
    )
    due = entitlements((SHIPPED_CARD, richer), Facts(meetings=meetings, appointments=(lead,)))
    assert [(k.source_id, d.card_id, d.amount_pence) for k, d in sorted(due.items())] == [
        ("g0", "wales-2022-04", 50_000),
        ("g1", "wales-2022-04", 50_000),
        ("g2", "wales-2024-07", 30_000),
        ("g3", "wales-2024-07", 30_000),
    ]
    assert all(k.source_kind == MEETING for k in due)


def test_a_pharmacy_of_a_merged_cluster_is_paid_at_its_successors_meetings() -> None:
    merged_into = "7A1-holy-island"
    old = pharmacy("org-old")
    later = meeting("m-new", JUL, present("p", "org-old"))
    moved = replace(later, cluster_id=merged_into, body_id=merged_into)
    succession = Succession(old.cluster_id, merged_into, dt.date(2024, 7, 1))
    facts = Facts(meetings=(moved,), organisations=orgs(old), successions=(succession,))
    assert totals(facts) == {("org-old", "CP-ATTEND"): 25_000}
    before = Succession(old.cluster_id, merged_into, dt.date(2024, 8, 1))
    assert totals(Facts(meetings=(moved,), organisations=orgs(old), successions=(before,))) == {}


def test_only_the_kinds_a_card_pays_for_attendance_need_accruing() -> None:
    assert organisation_kinds_paid([SHIPPED_CARD]) == frozenset(
        {"community_pharmacy", "optometry_practice"}
    )
    any_kind = SHIPPED_CARD.model_copy(
        update={
            "rules": tuple(
                r.model_copy(
                    update={"trigger": r.trigger.model_copy(update={"organisation_kinds": ()})}
                )
                if r.trigger.basis is Basis.ORGANISATION_PRESENT
                else r
                for r in SHIPPED_CARD.rules
            )
        }
    )
    assert organisation_kinds_paid([SHIPPED_CARD, any_kind]) is None
