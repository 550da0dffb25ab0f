"""The rate card the platform ships: RULES.md (Payments), from FY 2022/23, as data."""

from __future__ import annotations

import datetime as dt

from payments.domain.rate_card import (
    Basis,
    BodyMatch,
    PayeeKind,
    RateBounds,
    RateCard,
    Rule,
    Trigger,
)

BOARDS = tuple(f"7A{n}" for n in range(1, 8))
HALF_DAY = RateBounds(min_pence=24_000, max_pence=28_000)
#: Held ordinary and extraordinary meetings pay; peer-review meetings do not.
PAYING_MEETINGS = ("ordinary", "extraordinary")

DESCRIPTION = (
    "Wales cluster payments from FY 2022/23 (RULES.md, seed 000). Readings: a qualifying meeting "
    "is a held ordinary or extraordinary meeting; an organisation is paid for meetings of its own "
    "cluster (cluster meetings, or its profession's collaborative) only; CP-ATTEND pays £250 for "
    "each of the first 3 meetings and its £250 bonus with the 3rd (£1,000 at most); a lead's "
    "presence is the meetings record's 'held the lead appointment'; CPPC-LEAD pays the lead's "
    "usual workplace as recorded on the appointment in force that day; a lead whose appointment "
    "records no usual workplace is not health-board-salaried; LEAD-AT-CLUSTER pays any "
    "collaborative lead of the cluster present at a cluster meeting, at £260 a half-day for "
    "every board, for meetings up to 31 March 2024; GP-ATTEND (£0, QAIF evidence) and DENTAL "
    "(no rule yet) pay nothing and are not on the card; caps count payments per payee per rule "
    "per FY, across cards."
)


def _lead(rule_id: str, profession: str, *, salaried_excluded: bool) -> Rule:
    return Rule(
        rule_id=rule_id,
        description=f"the {profession} collaborative lead, for each held PC meeting attended",
        payee=PayeeKind.LEAD,
        trigger=Trigger(
            basis=Basis.BODY_LEAD_PRESENT,
            bodies=(BodyMatch(body_kind="collaborative", profession=profession),),
            meeting_kinds=PAYING_MEETINGS,
        ),
        amount_pence=50_000,
        cap_count=4,
        cap_pence=200_000,
        excludes_health_board_salaried=salaried_excluded,
    )


RULES = (
    Rule(
        rule_id="CP-ATTEND",
        description="a community pharmacy represented at a cluster or pharmacy PC meeting",
        payee=PayeeKind.CONTRACTOR,
        trigger=Trigger(
            basis=Basis.ORGANISATION_PRESENT,
            bodies=(
                BodyMatch(body_kind="cluster"),
                BodyMatch(body_kind="collaborative", profession="community-pharmacy"),
            ),
            meeting_kinds=PAYING_MEETINGS,
            organisation_kinds=("community_pharmacy",),
        ),
        amount_pence=25_000,
        bonus_at_count=3,
        bonus_pence=25_000,
        cap_count=3,
        cap_pence=100_000,
    ),
    Rule(
        rule_id="CP-COLLAB",
        description="an approved collaborative-working claim by a community pharmacy",
        payee=PayeeKind.CONTRACTOR,
        trigger=Trigger(basis=Basis.CLAIM, organisation_kinds=("community_pharmacy",)),
        amount_pence=25_000,
        cap_count=2,
        cap_pence=50_000,
    ),
    Rule(
        rule_id="CPPC-LEAD",
        description="backfill to the pharmacy where the pharmacy PC lead usually works",
        payee=PayeeKind.LEAD_WORKPLACE,
        trigger=Trigger(
            basis=Basis.BODY_LEAD_PRESENT,
            bodies=(BodyMatch(body_kind="collaborative", profession="community-pharmacy"),),
            meeting_kinds=PAYING_MEETINGS,
            organisation_kinds=("community_pharmacy",),
        ),
        amount_pence=50_000,
        cap_count=4,
        cap_pence=200_000,
    ),
    Rule(
        rule_id="OPT-PRACTICE",
        description="an optometry practice represented at an optometry PC meeting, once a year",
        payee=PayeeKind.CONTRACTOR,
        trigger=Trigger(
            basis=Basis.ORGANISATION_PRESENT,
            bodies=(BodyMatch(body_kind="collaborative", profession="optometry"),),
            meeting_kinds=PAYING_MEETINGS,
            organisation_kinds=("optometry_practice",),
        ),
        amount_pence=100_000,
        cap_count=1,
        cap_pence=100_000,
    ),
    _lead("OPT-LEAD", "optometry", salaried_excluded=False),
    _lead("GP-LEAD", "general-practice", salaried_excluded=False),
    _lead("NURSING-LEAD", "community-nursing", salaried_excluded=True),
    _lead("AHP-LEAD", "allied-health-professionals", salaried_excluded=True),
    _lead("SOCIAL-CARE-LEAD", "social-care", salaried_excluded=True),
    Rule(
        rule_id="LEAD-AT-CLUSTER",
        description="a collaborative lead at a cluster meeting: one half-day (2022/23, 2023/24)",
        payee=PayeeKind.LEAD,
        trigger=Trigger(
            basis=Basis.COLLABORATIVE_LEAD_PRESENT,
            bodies=(BodyMatch(body_kind="cluster"),),
            meeting_kinds=PAYING_MEETINGS,
        ),
        amount_pence=26_000,
        board_amounts=dict.fromkeys(BOARDS, 26_000),
        rate_bounds=HALF_DAY,
        cap_count=4,
        excludes_health_board_salaried=True,
        last_day=dt.date(2024, 3, 31),
    ),
    Rule(
        rule_id="SESSIONAL",
        description="approved additional time, in half-days at the agreed rate (£240-£280)",
        payee=PayeeKind.CLAIMANT,
        trigger=Trigger(basis=Basis.CLAIM),
        amount_pence=0,
        rate_bounds=HALF_DAY,
    ),
)

SHIPPED_CARD = RateCard(
    card_id="wales-2022-04",
    effective_from=dt.date(2022, 4, 1),
    description=DESCRIPTION,
    rules=RULES,
)
