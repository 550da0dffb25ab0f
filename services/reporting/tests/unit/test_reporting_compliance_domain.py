"""Meeting compliance rules over plain facts: each gap gives its named finding, and only then."""

import datetime as dt

from kernel.calendar import FinancialYear
from reporting.domain.compliance import assess
from reporting.domain.compliance_facts import Appointment, Body, ClusterFacts, HeldMeeting
from reporting.domain.events import ComplianceFindingRaised, ComplianceFindingResolved
from reporting.domain.findings import FindingCode
from reporting.domain.findings_ledger import FindingsLedger
from reporting.domain.quarters import quarter_first_day, quarter_last_day, quarter_of, year_of

FY = FinancialYear(2024)
AFTER_YEAR = dt.date(2025, 5, 1)
APRIL_2023 = dt.date(2023, 4, 1)
CLUSTER = Body("c", "cluster", None, APRIL_2023)
DENTAL = Body("c.dental", "collaborative", "dental", APRIL_2023)
PHARMACY = Body("c.community-pharmacy", "collaborative", "community-pharmacy", APRIL_2023)
QUARTER_DAYS = [dt.date(2024, 5, 1), dt.date(2024, 8, 1), dt.date(2024, 11, 1), dt.date(2025, 2, 1)]
LEADS = [
    Appointment("c", "chair", "cluster_lead", APRIL_2023, None),
    Appointment("c.dental", "dentist", "collaborative_lead", APRIL_2023, None),
    Appointment("c.community-pharmacy", "pharmacist", "collaborative_lead", APRIL_2023, None),
]
REVIEWED = {b.body_id: [dt.date(2024, 4, 1)] for b in (CLUSTER, DENTAL, PHARMACY)}


def held(body: Body, day: dt.date, **changes: object) -> HeldMeeting:
    fields: dict[str, object] = {
        "meeting_id": f"{body.body_id}@{day}",
        "body_id": body.body_id,
        "meeting_date": day,
        "chair_person_id": "chair",
        "chaired_by_lead": True,
        "quorate": True,
        "declarations": 1,
        "minutes_approved_on": day + dt.timedelta(days=30),
        "present": frozenset({"chair", "dentist", "pharmacist"}),
    }
    return HeldMeeting(**{**fields, **changes})  # type: ignore[arg-type]


def facts(meetings: list[HeldMeeting], **changes: object) -> ClusterFacts:
    values: dict[str, object] = {
        "cluster_id": "c",
        "health_board": "7A1",
        "bodies": [CLUSTER, DENTAL, PHARMACY],
        "meetings": meetings,
        "appointments": LEADS,
        "reviews": REVIEWED,
    }
    return ClusterFacts(**{**values, **changes})  # type: ignore[arg-type]


def full_year() -> list[HeldMeeting]:
    return [held(b, d) for b in (CLUSTER, DENTAL) for d in QUARTER_DAYS] + [
        held(PHARMACY, d) for d in QUARTER_DAYS[:3]
    ]


def codes(
    meetings: list[HeldMeeting], today: dt.date = AFTER_YEAR, **changes: object
) -> set[tuple[str, FindingCode, str]]:
    found = assess(facts(meetings, **changes), FY, today).findings
    return {(f.body_id, f.code, f.subject) for f in found}


def test_quarters_of_the_financial_year() -> None:
    assert [quarter_of(d) for d in QUARTER_DAYS] == [1, 2, 3, 4]
    assert year_of(dt.date(2025, 3, 31)) == FY
    assert year_of(dt.date(2025, 4, 1)) == FinancialYear(2025)
    assert quarter_first_day(FY, 4) == dt.date(2025, 1, 1)
    assert quarter_last_day(FY, 3) == dt.date(2024, 12, 31)


def test_a_compliant_year_has_no_findings() -> None:
    assert codes(full_year()) == set()


def test_a_missing_quarter_is_named_once_the_quarter_has_ended() -> None:
    meetings = [m for m in full_year() if m.meeting_id != f"c.dental@{QUARTER_DAYS[2]}"]
    [finding] = assess(facts(meetings), FY, AFTER_YEAR).findings
    assert (finding.code, finding.quarter, finding.text) == (
        FindingCode.NO_MEETING_IN_QUARTER,
        3,
        "Dental PC: no meeting in Q3",
    )
    assert codes(meetings, today=dt.date(2024, 12, 31)) == set()  # Q3 not over yet


def test_community_pharmacy_owes_three_a_year_not_one_a_quarter() -> None:
    two = [m for m in full_year() if m.meeting_id != f"c.community-pharmacy@{QUARTER_DAYS[0]}"]
    assert codes(two) == {("c.community-pharmacy", FindingCode.BELOW_ANNUAL_MINIMUM, "FY")}
    assert codes(two, today=dt.date(2025, 3, 31)) == set()  # the year is not over


def test_chair_quorum_and_minutes_gaps_name_the_meeting() -> None:
    day = QUARTER_DAYS[1]
    meetings = [m for m in full_year() if m.meeting_id != f"c.dental@{day}"]
    odd = held(DENTAL, day, chaired_by_lead=False, chair_person_id="x", quorate=False)
    unapproved = held(DENTAL, day, meeting_id="late", minutes_approved_on=None)
    subject = odd.meeting_id
    assert codes([*meetings, odd, unapproved]) == {
        ("c.dental", FindingCode.CHAIR_NOT_LEAD_OR_DEPUTY, subject),
        ("c.dental", FindingCode.NOT_QUORATE, subject),
        ("c.dental", FindingCode.MINUTES_NOT_APPROVED, "late"),
    }
    deputy = Appointment("c.dental", "x", "deputy_chair", APRIL_2023, None)
    assert ("c.dental", FindingCode.CHAIR_NOT_LEAD_OR_DEPUTY, subject) not in codes(
        [*meetings, odd], appointments=[*LEADS, deputy]
    )


def test_a_meeting_with_no_declarations_item_is_named() -> None:
    day = QUARTER_DAYS[2]
    meetings = [m for m in full_year() if m.meeting_id != f"c.dental@{day}"]
    silent = held(DENTAL, day, declarations=0)
    assert codes([*meetings, silent]) == {
        ("c.dental", FindingCode.DECLARATIONS_NOT_RECORDED, silent.meeting_id)
    }
    # "Declarations of interest: none" is a record too.
    assert codes([*meetings, held(DENTAL, day, declarations=0, none_declared=True)]) == set()


def test_a_pc_lead_absent_from_a_cluster_meeting() -> None:
    day = QUARTER_DAYS[0]
    meetings = [m for m in full_year() if m.meeting_id != f"c@{day}"]
    absent = held(CLUSTER, day, present=frozenset({"chair", "pharmacist"}))
    assert codes([*meetings, absent]) == {
        ("c", FindingCode.PC_LEAD_ABSENT, f"{absent.meeting_id}/c.dental")
    }


def test_terms_of_reference_reviewed_more_than_a_year_before() -> None:
    stale = {**REVIEWED, "c.dental": [dt.date(2023, 6, 1)]}
    never = {k: v for k, v in REVIEWED.items() if k != "c"}
    assert codes(full_year(), reviews=stale) == {
        ("c.dental", FindingCode.TERMS_OF_REFERENCE_OVERDUE, "FY")
    }
    [finding] = assess(facts(full_year(), reviews=never), FY, AFTER_YEAR).findings
    assert finding.text.endswith("(never reviewed)")


def test_bodies_established_during_the_year_owe_nothing_before() -> None:
    late = Body("c.dental", "collaborative", "dental", dt.date(2024, 10, 1))
    meetings = [m for m in full_year() if not m.meeting_id.startswith("c.dental")]
    meetings += [held(late, d) for d in QUARTER_DAYS[2:]]
    assert codes(meetings, bodies=[CLUSTER, late, PHARMACY]) == set()


def test_the_ledger_raises_each_finding_once_and_resolves_it_when_gone() -> None:
    ledger = FindingsLedger("compliance-findings-c-2024-25")
    meetings = [m for m in full_year() if m.meeting_id != f"c.dental@{QUARTER_DAYS[2]}"]
    findings = assess(facts(meetings), FY, AFTER_YEAR).findings
    ledger.reconcile("7A1", findings, AFTER_YEAR)
    [raised] = ledger.pending_events
    assert isinstance(raised, ComplianceFindingRaised)
    assert (raised.code, raised.text) == ("NO_MEETING_IN_QUARTER", "Dental PC: no meeting in Q3")
    ledger.mark_saved()
    ledger.reconcile("7A1", findings, AFTER_YEAR)
    assert ledger.pending_events == []
    ledger.reconcile("7A1", [], dt.date(2025, 6, 1))  # a late record of the Q3 meeting
    [resolved] = ledger.pending_events
    assert isinstance(resolved, ComplianceFindingResolved)
    assert resolved.finding_key == raised.finding_key
