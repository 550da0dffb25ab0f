"""Ten financial years of Wales for the reporting benchmark (issue 6), as the stores hold them.

Every event is a published contract model (``contracts.membership``, ``contracts.meetings``,
``contracts.reporting``), so a shape the services would refuse cannot slip in. Each service's
history goes straight into its own event store in the order it happened (group commits of
2,000 events): what reporting would find, ten years on, when an operator rebuilds its read
models from position 0.

- **membership**: the register (boards, PCPGs, 60 clusters, 7 collaboratives each); per cluster
  about 42 organisations and 100 people (``membership_wales``'s proportions), their
  memberships, the cluster lead, a deputy chair, each collaborative's lead and a PCPG deputy
  chair; each year about 8 % of people leave and are replaced (a leaving lead's appointment
  ends and a successor is appointed), a declaration of interest per body, and the annual
  terms-of-reference review of every body (a few missed).
- **meetings**: a meeting a quarter of every body (3 a year for community pharmacy PCs), each
  scheduled, with its agenda, attendance one person at a time, a declaration (or "none
  declared"), a decision, two actions, held, minutes approved at the next meeting, actions
  moved on later; and the gaps a compliance report should find: quarters missed,
  cancellations, another chair, meetings not quorate, minutes never approved, attendance
  corrected afterwards.
- **reporting**: the outcome catalogue, and each year each board's three outcomes, every
  cluster's self-assessment (some resubmitted), a nominee per board and its peer review.

- **payments**: the ledger as payments publishes it (``LedgerEntryPosted``): at each held
  meeting the lead's and every present pharmacy's payment, a reversal when a correction takes
  a paid attendee away, and each board's year gathered into one approved schedule.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from clwstwr_ops.demo.membership_wales import ORGANISATIONS, PROFESSIONS, body_place
from contracts import IntegrationEvent
from contracts import meetings as held
from contracts import membership as published
from contracts import payments as paid
from contracts import reporting as assessed
from kernel.events import NewEvent
from kernel.eventstore.port import EventStore
from membership.adapters.register_file import load_register
from membership.domain.register import collaborative_id

FIRST_YEAR, YEARS = 2016, 10  # FY 2016/17 to 2025/26
QUORUM, TURNOVER = 3, 0.08
#: The share of meetings with each planted gap.
MISSED, CANCELLED, OTHER_CHAIR, THIN, NEVER_APPROVED, CORRECTED = (
    0.03, 0.02, 0.05, 0.03, 0.03, 0.02,
)  # fmt: skip
PCMW = [f"PCMW-{n:02d}" for n in range(1, 14)]
ACD = [f"ACD-{n:02d}" for n in range(1, 8)]
BATCH_EVENTS = 2000
UTC = dt.UTC


def fy_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


@dataclass
class Timeline:
    """One store's history: (when, stream, event), appended in the order of ``when``."""

    entries: list[tuple[dt.datetime, int, str, IntegrationEvent]] = field(default_factory=list)

    def add(self, when: dt.datetime, stream: str, event: IntegrationEvent) -> None:
        self.entries.append((when, len(self.entries), stream, event))

    def in_order(self) -> Iterator[tuple[dt.datetime, str, IntegrationEvent]]:
        for when, _, stream, event in sorted(self.entries, key=lambda e: (e[0], e[1])):
            yield when, stream, event


@dataclass
class Seat:
    """A person's membership of one body, for their organisation."""

    person_id: str
    body_id: str
    kind: str
    organisation_id: str | None
    profession: str | None
    membership_id: str
    since: dt.date


@dataclass
class Body:
    body_id: str
    kind: str
    health_board: str
    cluster_id: str | None
    pcpg_id: str
    profession: str | None
    seats: list[Seat] = field(default_factory=list)
    #: role -> (appointment id, person id)
    leads: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class History:
    membership: Timeline = field(default_factory=Timeline)
    meetings: Timeline = field(default_factory=Timeline)
    reporting: Timeline = field(default_factory=Timeline)
    payments: Timeline = field(default_factory=Timeline)


class Meeting:
    """One meeting being written: its facts, and its stream in the meetings timeline."""

    def __init__(self, body: Body, day: dt.date, meeting_id: str, timeline: Timeline) -> None:
        self.body, self.day, self.meeting_id = body, day, meeting_id
        self.starts = at(day, 18, 30)
        self._timeline, self._stream = timeline, f"meeting-{meeting_id}"
        self.facts = {
            **body_place(body),
            "meeting_id": meeting_id,
            "meeting_kind": "ordinary",
            "meeting_date": day,
        }

    def add(self, when: dt.datetime, event: IntegrationEvent) -> None:
        self._timeline.add(when, self._stream, event)


class Wales:
    """Builds the history (``History``); deterministic for a seed."""

    def __init__(self, scale: float = 1.0, seed: int = 6) -> None:
        self.rng = random.Random(seed)
        self.history = History()
        self.register = load_register()
        count = max(2, round(len(self.register.clusters) * scale))
        self.clusters = self.register.clusters[:count]
        self.bodies: dict[str, Body] = {}
        self.clusters_of: dict[str, list[str]] = {}  # board -> cluster ids
        self._serial = 0
        self._entries = 0
        self._paid: dict[tuple[str, str], paid.LedgerEntryPosted] = {}  # (meeting, person)
        self._unscheduled: dict[tuple[str, str], list[paid.LedgerEntryPosted]] = {}  # board, FY

    def _next(self, prefix: str) -> str:
        self._serial += 1
        return f"{prefix}-{self._serial}"

    # -- membership ----------------------------------------------------------------------

    def build(self) -> History:
        start = dt.date(FIRST_YEAR, 4, 1)
        self._seed(start)
        for year in range(FIRST_YEAR, FIRST_YEAR + YEARS):
            if year > FIRST_YEAR:
                self._turnover(year)
            self._reviews_and_interests(year)
            self._meetings(year)
            self._maturity(year)
            self._schedules(year)
        return self.history

    def _seed(self, start: dt.date) -> None:
        m, when = self.history.membership, at(start - dt.timedelta(days=1))
        for board in self.register.boards:
            m.add(
                when,
                f"health-board-{board.ods_code}",
                published.HealthBoardRegistered(
                    ods_code=board.ods_code, name=board.name, name_cy=board.name_cy
                ),
            )
        pcpgs = {c.pcpg_id: c for c in self.clusters}
        for pcpg_id, c in pcpgs.items():
            m.add(
                when,
                f"pcpg-{pcpg_id}",
                published.PcpgEstablished(
                    pcpg_id=pcpg_id, health_board=c.health_board, name=c.pcpg_name,
                    established_on=start,
                ),
            )  # fmt: skip
            self.bodies[pcpg_id] = Body(pcpg_id, "pcpg", c.health_board, None, pcpg_id, None)
        for c in self.clusters:
            stream = f"cluster-{c.cluster_id}"
            m.add(
                when,
                stream,
                published.ClusterEstablished(
                    cluster_id=c.cluster_id, health_board=c.health_board, name=c.name,
                    name_cy=c.name_cy, local_authority=c.local_authority,
                    population=c.population, pcpg_id=c.pcpg_id, pcpg_name=c.pcpg_name,
                    established_on=start,
                ),
            )  # fmt: skip
            self.clusters_of.setdefault(c.health_board, []).append(c.cluster_id)
            cluster = Body(c.cluster_id, "cluster", c.health_board, c.cluster_id, c.pcpg_id, None)
            self.bodies[c.cluster_id] = cluster
            for p in self.register.professions:
                body_id = collaborative_id(c.cluster_id, p.code)
                m.add(
                    when,
                    stream,
                    published.CollaborativeEstablished(
                        collaborative_id=body_id, cluster_id=c.cluster_id,
                        health_board=c.health_board, profession=p.code, established_on=start,
                    ),
                )  # fmt: skip
                self.bodies[body_id] = Body(
                    body_id, "collaborative", c.health_board, c.cluster_id, c.pcpg_id, p.code
                )
            self._people(cluster, start)
        for pcpg_id in pcpgs:
            pcpg = self.bodies[pcpg_id]
            for cluster_id in (c.cluster_id for c in self.clusters if c.pcpg_id == pcpg_id):
                lead = self.bodies[cluster_id].leads["cluster_lead"][1]
                self._enrol(pcpg, lead, "core", None, None, start)
            self._appoint(pcpg, "deputy_chair", pcpg.seats[0].person_id, start)

    def _people(self, cluster: Body, start: dt.date) -> None:
        """A cluster's organisations and people, its collaboratives' seats and every lead."""
        rng, m = self.rng, self.history.membership
        when = at(start)
        organisations: list[tuple[str, str]] = []  # (id, kind)
        for kind, (low, high) in ORGANISATIONS.items():
            for n in range(rng.randint(low, high)):
                organisation_id = self._next("org")
                profession = next((p for p, spec in PROFESSIONS.items() if spec[0] == kind), None)
                m.add(
                    when,
                    f"organisation-{organisation_id}",
                    published.OrganisationRegistered(
                        organisation_id=organisation_id, ods_code=None,
                        name=f"{cluster.body_id} {kind} {n + 1}", kind=kind,
                        profession=profession, cluster_id=cluster.body_id,
                        pcpg_id=cluster.pcpg_id, health_board=cluster.health_board,
                        health_board_salaried=kind == "health_board_team",
                    ),
                )  # fmt: skip
                organisations.append((organisation_id, kind))
        for profession, (kind, _, (low, high)) in PROFESSIONS.items():
            body = self.bodies[collaborative_id(cluster.body_id, profession)]
            for organisation_id, org_kind in organisations:
                if org_kind != kind:
                    continue
                for n in range(rng.randint(low, high)):
                    person = self._register_person(start)
                    member = "core" if rng.random() < 0.85 else "in_attendance"
                    self._enrol(body, person, member, organisation_id, profession, start)
                    if n == 0:  # the organisation's representative on the cluster
                        self._enrol(cluster, person, "core", organisation_id, profession, start)
            core = [s for s in body.seats if s.kind == "core"] or body.seats
            self._appoint(body, "collaborative_lead", core[0].person_id, start)
        gp = next(s for s in cluster.seats if s.profession == "general-practice")
        self._appoint(cluster, "cluster_lead", gp.person_id, start)
        deputy = next(s for s in cluster.seats if s.person_id != gp.person_id)
        self._appoint(cluster, "deputy_chair", deputy.person_id, start)

    def _register_person(self, day: dt.date) -> str:
        person = self._next("person")
        self.history.membership.add(
            at(day),
            f"person-{person}",
            published.PersonRegistered(
                person_id=person, name=f"Person {person}", role_title=None, contact=None
            ),
        )
        return person

    def _enrol(
        self,
        body: Body,
        person: str,
        kind: str,
        organisation_id: str | None,
        profession: str | None,
        day: dt.date,
    ) -> Seat:
        seat = Seat(person, body.body_id, kind, organisation_id, profession, self._next("m"), day)
        body.seats.append(seat)
        self.history.membership.add(
            at(day, 10),
            f"person-{person}",
            published.MemberEnrolled(
                **body_place(body), membership_id=seat.membership_id, person_id=person, kind=kind,
                role_title="Member", organisation_id=organisation_id, start_date=day,
            ),
        )  # fmt: skip
        return seat

    def _appoint(self, body: Body, role: str, person: str, day: dt.date) -> None:
        appointment = self._next("appointment")
        body.leads[role] = (appointment, person)
        workplace = next((s.organisation_id for s in body.seats if s.person_id == person), None)
        self.history.membership.add(
            at(day, 11),
            f"body-{body.body_id}",
            published.LeadAppointed(
                **body_place(body), appointment_id=appointment, person_id=person, role=role,
                start_date=day, end_date=None, usual_workplace_id=workplace,
                usual_workplace_ods_code=None, usual_workplace_health_board_salaried=False,
            ),
        )  # fmt: skip

    def _turnover(self, year: int) -> None:
        """About ``TURNOVER`` of each body's seats change hands during the year."""
        rng, m = self.rng, self.history.membership
        for body in list(self.bodies.values()):
            if body.kind == "pcpg":
                continue
            for n, seat in enumerate(list(body.seats)):
                if rng.random() >= TURNOVER:
                    continue
                day = dt.date(year, 4, 1) + dt.timedelta(days=rng.randrange(365))
                last = day - dt.timedelta(days=1)
                m.add(
                    at(last, 17),
                    f"person-{seat.person_id}",
                    published.MembershipEnded(
                        body_id=body.body_id, health_board=body.health_board,
                        membership_id=seat.membership_id, person_id=seat.person_id,
                        end_date=last,
                    ),
                )  # fmt: skip
                body.seats.remove(seat)
                person = self._register_person(day)
                new = self._enrol(
                    body, person, seat.kind, seat.organisation_id, seat.profession, day
                )
                body.seats.insert(n, body.seats.pop())
                for role, (appointment, holder) in list(body.leads.items()):
                    if holder == seat.person_id:
                        m.add(
                            at(last, 17),
                            f"body-{body.body_id}",
                            published.AppointmentEnded(
                                body_id=body.body_id, health_board=body.health_board,
                                appointment_id=appointment, person_id=holder, role=role,
                                end_date=last,
                            ),
                        )  # fmt: skip
                        self._appoint(body, role, new.person_id, day)

    def _reviews_and_interests(self, year: int) -> None:
        rng, m = self.rng, self.history.membership
        for body in self.bodies.values():
            if rng.random() >= 0.03:  # a few reviews are missed: TERMS_OF_REFERENCE_OVERDUE
                day = dt.date(year, 5, 1) + dt.timedelta(days=rng.randrange(60))
                m.add(
                    at(day, 14),
                    f"body-{body.body_id}",
                    published.TermsOfReferenceReviewed(
                        **body_place(body), reviewed_on=day, reviewed_by=body.pcpg_id,
                        quorum_minimum_core_members=QUORUM,
                    ),
                )  # fmt: skip
            seat = rng.choice(body.seats)
            day = dt.date(year, 4, 1) + dt.timedelta(days=rng.randrange(365))
            m.add(
                at(day, 12),
                f"person-{seat.person_id}",
                published.InterestDeclared(
                    **body_place(body), interest_id=self._next("interest"),
                    person_id=seat.person_id,
                    kind="financial", description="Partner in a practice", declared_on=day,
                ),
            )  # fmt: skip

    # -- meetings ------------------------------------------------------------------------

    def _meetings(self, year: int) -> None:
        for body in self.bodies.values():
            per_year = 3 if body.profession == "community-pharmacy" else 4
            for quarter in range(per_year):
                if self.rng.random() < MISSED:
                    continue  # NO_MEETING_IN_QUARTER (or BELOW_ANNUAL_MINIMUM)
                first = dt.date(year, 4, 1) + dt.timedelta(days=round(quarter * 365 / per_year))
                self._meeting(body, first + dt.timedelta(days=self.rng.randrange(80)))

    def _meeting(self, body: Body, day: dt.date) -> None:
        meeting = Meeting(body, day, self._next("meeting"), self.history.meetings)
        self._schedule(meeting)
        if self.rng.random() < CANCELLED:
            meeting.add(
                at(day - dt.timedelta(days=2)),
                held.MeetingCancelled(**meeting.facts, reason="Too few members", was_held=False),
            )
            return
        attendance = self._attendance(body, day, thin=self.rng.random() < THIN)
        self._record(meeting, attendance)
        self._actions(meeting)
        self._hold(meeting, attendance)
        self._pay(meeting, attendance)
        self._afterwards(meeting, attendance)

    def _schedule(self, m: Meeting) -> None:
        m.add(
            at(m.day - dt.timedelta(days=30)),
            held.MeetingScheduled(
                **m.facts, title=f"{m.body.body_id} {m.day:%B}", mode="virtual",
                start_time="18:30", timezone="Europe/London", starts_at=m.starts,
            ),
        )  # fmt: skip
        for number, (title, purpose) in enumerate(
            (("Minutes", "information"), ("Plan", "discussion"), ("Funding", "decision")), 1
        ):
            m.add(
                at(m.day - dt.timedelta(days=14)),
                held.AgendaItemAdded(
                    meeting_id=m.meeting_id, health_board=m.body.health_board,
                    item_number=number, title=title, purpose=purpose, lead="Chair",
                ),
            )  # fmt: skip

    def _record(self, m: Meeting, attendance: list[held.Attendee]) -> None:
        """Attendance one person at a time, a declaration (else "none declared"), the decision."""
        board = m.body.health_board
        for attendee in attendance:
            m.add(
                m.starts,
                held.AttendanceRecorded(
                    meeting_id=m.meeting_id, health_board=board, attendee=attendee
                ),
            )
        present = [a for a in attendance if a.status == "present"]
        if present and self.rng.random() < 0.5:
            m.add(
                m.starts,
                held.DeclarationRecorded(
                    meeting_id=m.meeting_id, health_board=board, person_id=present[0].person_id,
                    item_number=3, kind="financial", description="sealed:v1:benchmark",
                ),
            )  # fmt: skip
        else:
            m.add(
                m.starts,
                held.NoDeclarationsRecorded(meeting_id=m.meeting_id, health_board=board),
            )
        core = _core_present(attendance)
        if core >= QUORUM:
            m.add(
                m.starts,
                held.DecisionRecorded(
                    meeting_id=m.meeting_id, health_board=board, decision_number=1,
                    item_number=3, text="Agreed", core_members_present=core,
                    quorum_minimum_core_members=QUORUM,
                ),
            )  # fmt: skip

    def _actions(self, m: Meeting) -> None:
        """Two actions; most move on to in progress and then done by their due date."""
        where = {"meeting_id": m.meeting_id, "body_id": m.body.body_id}
        where["health_board"] = m.body.health_board
        for ref, (text, days) in enumerate((("Agree cluster plans", 60), ("Report back", 90)), 1):
            m.add(
                m.starts,
                held.ActionRaised(
                    **where, meeting_date=m.day, ref=ref, description=text, lead="Chair",
                    due_date=m.day + dt.timedelta(days=days),
                ),
            )  # fmt: skip
            if self.rng.random() < 0.85:
                for status, after in (("in_progress", 30), ("done", days)):
                    day = m.day + dt.timedelta(days=after)
                    m.add(
                        at(day),
                        held.ActionUpdated(
                            **where, ref=ref, status=status, progress_note="", updated_on=day,
                            reviewed_at_meeting_id=None,
                        ),
                    )  # fmt: skip

    def _hold(self, m: Meeting, attendance: list[held.Attendee]) -> None:
        body = m.body
        lead = body.leads.get(_lead_role(body))
        present = [a for a in attendance if a.status == "present"]
        someone = (present or attendance)[-1].person_id
        chair = lead[1] if lead and self.rng.random() >= OTHER_CHAIR else someone
        core = _core_present(attendance)
        m.add(
            at(m.day, 21),
            held.MeetingHeld(
                **m.facts, chair_person_id=chair,
                # A PCPG has no lead role: its chair is a deputy chair (reporting checks).
                chaired_by_lead=body.kind != "pcpg" and lead is not None and chair == lead[1],
                quorum_minimum_core_members=QUORUM, core_members_present=core,
                quorate=core >= QUORUM, attendance=tuple(attendance),
            ),
        )  # fmt: skip

    def _afterwards(self, m: Meeting, attendance: list[held.Attendee]) -> None:
        """A correction now and then; the minutes approved at the next meeting (mostly)."""
        rng = self.rng
        if rng.random() < CORRECTED and attendance:
            corrected = attendance[rng.randrange(len(attendance))]
            status = "present" if corrected.status != "present" else "apologies"
            self._reverse(m, corrected.person_id)
            m.add(
                at(m.day + dt.timedelta(days=7)),
                held.AttendanceCorrected(
                    **m.facts, attendee=corrected.model_copy(update={"status": status}),
                    previous_status=corrected.status, reason="Recorded against the wrong person",
                ),
            )  # fmt: skip
        if rng.random() >= NEVER_APPROVED:
            approved = m.day + dt.timedelta(days=rng.randint(60, 91))
            m.add(
                at(approved, 19),
                held.MinutesApproved(
                    meeting_id=m.meeting_id, body_id=m.body.body_id,
                    health_board=m.body.health_board, approved_on=approved,
                ),
            )  # fmt: skip

    def _attendance(self, body: Body, day: dt.date, *, thin: bool) -> list[held.Attendee]:
        """The body's members that day, and at a cluster meeting its PCs' leads."""
        rng = self.rng
        lead = body.leads.get(_lead_role(body))
        people: dict[str, held.Attendee] = {}
        for seat in body.seats:
            roll = rng.random()
            status = (
                "apologies" if thin and roll < 0.9
                else "present" if roll < 0.75 or (lead and seat.person_id == lead[1])
                else "apologies" if roll < 0.95
                else "absent"
            )  # fmt: skip
            people[seat.person_id] = held.Attendee(
                person_id=seat.person_id, status=status, organisation_id=seat.organisation_id,
                profession=seat.profession, membership_kind=seat.kind,
                held_lead_appointment=lead is not None and seat.person_id == lead[1],
            )  # fmt: skip
        if body.kind == "cluster":
            for profession in PROFESSIONS:
                pc = self.bodies[collaborative_id(body.body_id, profession)]
                _, person = pc.leads["collaborative_lead"]
                if person not in people:
                    seat = next(s for s in pc.seats if s.person_id == person)
                    people[person] = held.Attendee(
                        person_id=person,
                        status="present" if rng.random() < 0.9 else "apologies",
                        organisation_id=seat.organisation_id, profession=profession,
                        membership_kind="invited", held_lead_appointment=False,
                    )  # fmt: skip
        return list(people.values())

    # -- payments' ledger ------------------------------------------------------------------

    def _pay(self, m: Meeting, attendance: list[held.Attendee]) -> None:
        """The lead's payment, and each present pharmacy's, as payments would accrue them."""
        for a in attendance:
            if a.status != "present" or a.organisation_id is None:
                continue
            if a.held_lead_appointment:
                rule, pence = "LEAD-ATTEND", 50_000
            elif a.profession == "community-pharmacy":
                rule, pence = "CP-ATTEND", 25_000
            else:
                continue
            self._paid[m.meeting_id, a.person_id] = self._post(m, a.organisation_id, rule, pence)

    def _reverse(self, m: Meeting, person: str) -> None:
        """A correction took a paid attendee away: their entry is reversed."""
        entry = self._paid.pop((m.meeting_id, person), None)
        if entry is not None:
            self._post(m, entry.payee, entry.rule_id, -entry.amount_pence, entry.entry_id)

    def _post(
        self, m: Meeting, payee: str, rule: str, pence: int, reverses: int | None = None
    ) -> paid.LedgerEntryPosted:
        board, year = m.body.health_board, fy_label(m.day.year - (m.day.month < 4))
        self._entries += 1
        entry = paid.LedgerEntryPosted(
            entry_id=self._entries, payee=payee, payee_kind="contractor", rule_id=rule,
            card_id="wales-2016", source_kind="meeting", source_id=m.meeting_id, part="payment",
            amount_pence=pence, reverses=reverses, on=m.day, financial_year=year,
            health_board=board, cluster_id=m.body.cluster_id, caused_by=f"meetings@{m.meeting_id}",
        )  # fmt: skip
        self._unscheduled.setdefault((board, year), []).append(entry)
        stream = f"ledger-{board}-{year.replace('/', '-')}"
        self.history.payments.add(at(m.day, 22), stream, entry)
        return entry

    def _schedules(self, year: int) -> None:
        """Each board's year gathered into one schedule after it ends, and approved."""
        label, day = fy_label(year), dt.date(year + 1, 4, 30)
        for board in sorted(self.clusters_of):
            entries = self._unscheduled.pop((board, label), [])
            if not entries:
                continue
            schedule_id, stream = f"{board}-{label.replace('/', '-')}-1", f"schedules-{board}"
            self.history.payments.add(
                at(day), stream,
                paid.ScheduleDrafted(
                    schedule_id=schedule_id, health_board=board, period=f"{year + 1}-04",
                    entry_ids=tuple(e.entry_id for e in entries),
                    total_pence=sum(e.amount_pence for e in entries),
                ),
            )  # fmt: skip
            self.history.payments.add(
                at(day, 15), stream,
                paid.ScheduleApproved(
                    schedule_id=schedule_id, health_board=board, approved_by="fd"
                ),
            )  # fmt: skip

    # -- reporting's own -------------------------------------------------------------------

    def _maturity(self, year: int) -> None:
        rng, t, label = self.rng, self.history.reporting, fy_label(year)
        slug = label.replace("/", "-")
        if year == FIRST_YEAR:
            for code in [*PCMW, *ACD]:
                t.add(
                    at(dt.date(year, 4, 1)),
                    "outcome-catalogue-wales",
                    assessed.OutcomeTitleSet(
                        code=code, framework=code.split("-")[0], title=f"Outcome {code}",
                        placeholder=True, reason="loaded the shipped catalogue",
                    ),
                )  # fmt: skip
        for board, clusters in self.clusters_of.items():
            cycle = f"review-cycle-{board}-{slug}"
            outcomes = [*rng.sample(PCMW, 2), rng.choice(ACD)]
            due = dt.date(year + 1, 3, 31)
            t.add(
                at(dt.date(year, 4, 15)),
                cycle,
                assessed.ReviewOutcomesAssigned(
                    health_board=board, financial_year=label, pcmw_outcomes=tuple(outcomes[:2]),
                    acd_outcome=outcomes[2], self_assessment_due=due,
                ),
            )  # fmt: skip
            for cluster_id in clusters:
                for revision in range(1, 3 if rng.random() < 0.1 else 2):
                    self._self_assessment(year, cluster_id, outcomes, revision)
            nominee = rng.choice(clusters)
            t.add(
                at(dt.date(year, 10, 1)),
                cycle,
                assessed.NominatedForPeerReview(
                    health_board=board, financial_year=label, cluster_id=nominee,
                    nominated_on=dt.date(year, 10, 1),
                ),
            )  # fmt: skip
            others = [c for b, cs in self.clusters_of.items() if b != board for c in cs]
            reviewers = [self.bodies[c] for c in rng.sample(others, min(2, len(others)))]
            reviewed = dt.date(year + 1, 2, 20)
            t.add(
                at(reviewed),
                cycle,
                assessed.PeerReviewRecorded(
                    cluster_id=nominee, health_board=board, financial_year=label,
                    reviewed_on=reviewed,
                    reviewers=tuple(
                        assessed.PeerReviewer(
                            person_id=r.leads["cluster_lead"][1], cluster_id=r.body_id,
                            health_board=r.health_board,
                        )
                        for r in reviewers
                    ),
                    independent_chair="Independent chair",
                    agreed_levels=tuple(
                        assessed.AgreedLevel(outcome=o, level=rng.randint(1, 3)) for o in outcomes
                    ),
                    findings=("Strong partnership working",),
                ),
            )  # fmt: skip

    def _self_assessment(
        self, year: int, cluster_id: str, outcomes: list[str], revision: int
    ) -> None:
        cluster = self.bodies[cluster_id]
        day = dt.date(year + 1, 1, 10) + dt.timedelta(days=20 * revision + self.rng.randrange(15))
        self.history.reporting.add(
            at(day),
            f"self-assessment-{cluster_id}-{fy_label(year).replace('/', '-')}",
            assessed.MaturityAssessed(
                cluster_id=cluster_id, health_board=cluster.health_board,
                financial_year=fy_label(year), revision=revision,
                submitted_by=cluster.leads["cluster_lead"][1], submitted_on=day,
                ratings=tuple(
                    assessed.SelfRating(outcome=o, level=self.rng.randint(1, 3), evidence="Plan")
                    for o in outcomes
                ),
                enablers=("Shared premises",), barriers=("Recruitment",),
                good_practice=("Joint clinics",),
            ),
        )  # fmt: skip


def _core_present(attendance: list[held.Attendee]) -> int:
    return sum(a.status == "present" and a.membership_kind == "core" for a in attendance)


def _lead_role(body: Body) -> str:
    return {"cluster": "cluster_lead", "collaborative": "collaborative_lead"}.get(
        body.kind, "deputy_chair"
    )


async def write(store: EventStore, timeline: Timeline) -> int:
    """Append ``timeline`` in order, in group commits; return how many events it holds.

    A commit carries up to ``BATCH_EVENTS`` consecutive events, one request per stream (the
    store's set-based path): within a commit, streams are ordered by their first event, as
    concurrent appends that share a group commit are; each stream keeps its own order. The
    next commit is prepared while the last one is written (they are still sent in turn).
    """
    batch: dict[str, list[NewEvent]] = {}
    size = count = 0
    writing: asyncio.Future[None] | None = None
    for when, stream, event in timeline.in_order():
        if size == BATCH_EVENTS:
            writing = await _after(writing, batch, store)
            batch, size = {}, 0
        data = event.model_dump(mode="json")
        batch.setdefault(stream, []).append(NewEvent(event.event_type, data, occurred_at=when))
        size, count = size + 1, count + 1
        if size % 250 == 0:
            await asyncio.sleep(0)  # let the commit in flight go on meanwhile
    await (await _after(writing, batch, store))
    return count


async def _after(
    writing: asyncio.Future[None] | None, batch: dict[str, list[NewEvent]], store: EventStore
) -> asyncio.Future[None]:
    """Start committing ``batch`` once the commit before it (``writing``) is done."""
    if writing is not None:
        await writing
    return asyncio.ensure_future(_commit(store, batch))


async def _commit(store: EventStore, batch: dict[str, list[NewEvent]]) -> None:
    # Queued together, so the store's writer sends them as one append_events call.
    await asyncio.gather(*(store.append(s, None, events) for s, events in batch.items()))
