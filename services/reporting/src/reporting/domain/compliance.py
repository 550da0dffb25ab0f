"""Meeting compliance of a cluster's bodies for a financial year, and the findings (RULES.md).

Judged as of ``today``: a quarter owes a meeting only once it has ended, a yearly minimum only
once the year has, and minutes only once they are due; so a report of the current year shows
gaps already incurred, never ones still avoidable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from kernel.calendar import FinancialYear
from reporting.domain.compliance_facts import Appointment, Body, ClusterFacts, HeldMeeting
from reporting.domain.findings import Finding, FindingCode
from reporting.domain.quarters import QUARTERS, quarter_first_day, quarter_last_day, quarter_of

MINUTES_DUE = dt.timedelta(days=92)
"""Minutes are approved at the body's next meeting: a quarter later at the latest."""
REVIEW_INTERVAL_YEARS = 1
CHAIR_ROLES = frozenset({"cluster_lead", "collaborative_lead", "deputy_chair"})


@dataclass(frozen=True, slots=True)
class QuarterCompliance:
    """One body's held meetings in one quarter, and how many met each requirement."""

    quarter: int
    held: int
    chaired_by_lead_or_deputy: int
    quorate: int
    with_declarations: int
    minutes_approved: int


@dataclass(frozen=True, slots=True)
class BodyCompliance:
    body: Body
    quarters: Sequence[QuarterCompliance]
    terms_last_reviewed: dt.date | None

    @property
    def held(self) -> int:
        return sum(q.held for q in self.quarters)


@dataclass(frozen=True, slots=True)
class Compliance:
    bodies: Sequence[BodyCompliance]
    findings: Sequence[Finding]


class _Judge:
    def __init__(self, facts: ClusterFacts, year: FinancialYear, today: dt.date) -> None:
        self.facts, self.year, self.today = facts, year, today
        self.meetings = [
            m for m in facts.meetings if year.first_day <= m.meeting_date <= year.last_day
        ]
        # Asked for per meeting and per PC: grouped once, not scanned each time.
        self._appointments_of: dict[str, list[Appointment]] = {}
        for a in facts.appointments:
            self._appointments_of.setdefault(a.body_id, []).append(a)

    def finding(
        self, body: Body, code: FindingCode, subject: str, text: str, quarter: int | None = None
    ) -> Finding:
        """A finding about the body's year (or, with ``quarter``, one of its quarters)."""
        year, cluster = self.year.label, self.facts.cluster_id
        return Finding(cluster, year, body.body_id, code, subject, quarter, None, body.label + text)

    def at(self, body: Body, m: HeldMeeting, code: FindingCode, text: str, pc: str = "") -> Finding:
        """A finding about one meeting (and, for an absent lead, one PC: ``pc``)."""
        subject = f"{m.meeting_id}/{pc}" if pc else m.meeting_id
        found = self.finding(body, code, subject, text, quarter_of(m.meeting_date))
        return replace(found, meeting_id=m.meeting_id)

    def chaired_properly(self, meeting: HeldMeeting) -> bool:
        return meeting.chaired_by_lead or any(
            a.person_id == meeting.chair_person_id and a.role in CHAIR_ROLES
            for a in self._appointments(meeting.body_id, meeting.meeting_date)
        )

    def _appointments(self, body_id: str, day: dt.date) -> Iterator[Appointment]:
        return (a for a in self._appointments_of.get(body_id, ()) if a.in_force(day))

    def body(self, body: Body) -> tuple[BodyCompliance, list[Finding]]:
        held = sorted(
            (m for m in self.meetings if m.body_id == body.body_id), key=lambda m: m.meeting_date
        )
        quarters = [
            self._quarter(q, [m for m in held if quarter_of(m.meeting_date) == q]) for q in QUARTERS
        ]
        found = [*self._frequency(body, quarters), *self._per_meeting(body, held)]
        reviewed, overdue = self._terms(body)
        found.extend(overdue)
        return BodyCompliance(body, quarters, reviewed), found

    def _quarter(self, quarter: int, held: Sequence[HeldMeeting]) -> QuarterCompliance:
        return QuarterCompliance(
            quarter,
            len(held),
            sum(self.chaired_properly(m) for m in held),
            sum(m.quorate is True for m in held),
            sum(m.declarations > 0 for m in held),
            sum(m.minutes_approved_on is not None for m in held),
        )

    def _frequency(self, body: Body, quarters: Sequence[QuarterCompliance]) -> Iterator[Finding]:
        minimum, year = body.annual_minimum, self.year
        if minimum is not None:
            held = sum(q.held for q in quarters)
            owed = year.last_day < self.today and body.active_throughout(
                year.first_day, year.last_day
            )
            if owed and held < minimum:
                text = f": {held} meetings in {year.label}, fewer than {minimum}"
                yield self.finding(body, FindingCode.BELOW_ANNUAL_MINIMUM, "FY", text)
            return
        for q in quarters:
            first, last = quarter_first_day(year, q.quarter), quarter_last_day(year, q.quarter)
            if q.held == 0 and last < self.today and body.active_throughout(first, last):
                code, quarter = FindingCode.NO_MEETING_IN_QUARTER, f"Q{q.quarter}"
                text = f": no meeting in {quarter}"
                yield self.finding(body, code, quarter, text, q.quarter)

    def _per_meeting(self, body: Body, held: Sequence[HeldMeeting]) -> Iterator[Finding]:
        for m in held:
            on = f" on {m.meeting_date.isoformat()}"
            if not self.chaired_properly(m):
                text = f": meeting{on} not chaired by the lead or a deputy"
                yield self.at(body, m, FindingCode.CHAIR_NOT_LEAD_OR_DEPUTY, text)
            if m.quorate is False:
                yield self.at(body, m, FindingCode.NOT_QUORATE, f": meeting{on} not quorate")
            if m.declarations == 0 and not m.none_declared:
                text = f": no declarations of interest recorded at the meeting{on}"
                yield self.at(body, m, FindingCode.DECLARATIONS_NOT_RECORDED, text)
            if m.minutes_approved_on is None and m.meeting_date + MINUTES_DUE < self.today:
                text = f": minutes of the meeting{on} not approved"
                yield self.at(body, m, FindingCode.MINUTES_NOT_APPROVED, text)
            if body.kind == "cluster":
                yield from self._absent_pc_leads(body, m, on)

    def _absent_pc_leads(self, cluster: Body, m: HeldMeeting, on: str) -> Iterator[Finding]:
        for pc in (b for b in self.facts.bodies if b.kind == "collaborative"):
            leads = {
                a.person_id
                for a in self._appointments(pc.body_id, m.meeting_date)
                if a.role == "collaborative_lead"
            }
            if leads and not leads & m.present:
                text = f": {pc.label} lead absent from the meeting{on}"
                yield self.at(cluster, m, FindingCode.PC_LEAD_ABSENT, text, pc.body_id)

    def _terms(self, body: Body) -> tuple[dt.date | None, list[Finding]]:
        as_of = min(self.year.last_day, self.today)
        reviews = [d for d in self.facts.reviews.get(body.body_id, ()) if d <= as_of]
        last = max(reviews, default=None)
        since = last or body.established_on
        due = _a_year_after(since)
        if (
            as_of < self.year.first_day
            or due >= as_of
            or (body.closed_on and body.closed_on < as_of)
        ):
            return last, []
        when = f"last reviewed {last.isoformat()}" if last else "never reviewed"
        text = f": terms of reference not reviewed within 12 months ({when})"
        return last, [self.finding(body, FindingCode.TERMS_OF_REFERENCE_OVERDUE, "FY", text)]


def _a_year_after(day: dt.date) -> dt.date:
    # A review on 29 February is next due on 28 February.
    try:
        return day.replace(year=day.year + REVIEW_INTERVAL_YEARS)
    except ValueError:
        return day.replace(year=day.year + REVIEW_INTERVAL_YEARS, day=28)


def assess(facts: ClusterFacts, year: FinancialYear, today: dt.date) -> Compliance:
    """Compliance per body (cluster, its PCs, its PCPG) and quarter, and every finding."""
    judge = _Judge(facts, year, today)
    bodies, findings = [], []
    for body in facts.bodies:
        compliance, found = judge.body(body)
        bodies.append(compliance)
        findings.extend(found)
    return Compliance(bodies, sorted(findings))
