"""Property: whatever order and however often the events arrive, the ledger nets to the rules.

Membership facts and meeting events are generated at random, interleaved in a random order
(each source keeps its own order, as the consumer guarantees) with duplicates; the ledger is
brought up to date after every delivery, appending only. At the end every payee's FY total
equals a plain computation from the final facts, and no cap is ever exceeded.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from payments.domain.accrual import entitlements
from payments.domain.facts import Appointment, Attendee, Facts, Meeting, Organisation
from payments.domain.financial_year import financial_year
from payments.domain.ledger import Posting, StandingEntry, postings
from payments.domain.shipped_card import SHIPPED_CARD

from .payment_samples import CLUSTER, lead_of, meeting, pc_meeting, pharmacy, present

CARDS = (SHIPPED_CARD,)
PEOPLE = ("p1", "p2", "p3", "lead")
PHARMACIES = ("ph1", "ph2")
DAYS = st.dates(dt.date(2023, 1, 1), dt.date(2024, 12, 31))

Event = tuple[str, object]


@st.composite
def attendee(draw: st.DrawFn) -> Attendee:
    person = draw(st.sampled_from(PEOPLE))
    return present(
        person,
        draw(st.sampled_from((None, *PHARMACIES))),
        lead=person == "lead",
        status=draw(st.sampled_from(("present", "present", "apologies"))),
    )


@st.composite
def meeting_events(draw: st.DrawFn) -> list[Event]:
    events: list[Event] = []
    for n in range(draw(st.integers(1, 8))):
        attendance = tuple(draw(st.lists(attendee(), max_size=4)))
        day = draw(DAYS)
        held = (
            pc_meeting(f"m{n}", day, "community-pharmacy", *attendance)
            if draw(st.booleans())
            else meeting(f"m{n}", day, *attendance)
        )
        events.append(("held", held))
        corrections = draw(st.lists(attendee(), max_size=2))
        events.extend(("corrected", (held.meeting_id, who)) for who in corrections)
        if draw(st.integers(0, 4)) == 0:
            events.append(("cancelled", held.meeting_id))
    return events


def membership_events() -> list[Event]:
    lead = lead_of("lead", "community-pharmacy", workplace="ph1", start=dt.date(2023, 6, 1))
    return [*(("organisation", pharmacy(p)) for p in PHARMACIES), ("appointment", lead)]


def apply(facts: Facts, event: Event) -> Facts:
    """What the projections do with each event (a repeat changes nothing)."""
    kind, body = event
    meetings = {m.meeting_id: m for m in facts.meetings}
    if kind == "organisation" and isinstance(body, Organisation):
        return replace(facts, organisations={**facts.organisations, body.organisation_id: body})
    if kind == "appointment" and isinstance(body, Appointment):
        kept = tuple(a for a in facts.appointments if a.appointment_id != body.appointment_id)
        return replace(facts, appointments=(*kept, body))
    if kind == "held" and isinstance(body, Meeting):
        meetings[body.meeting_id] = body
    elif kind == "corrected" and isinstance(body, tuple):
        meeting_id, who = body
        held = meetings[meeting_id]
        others = tuple(a for a in held.attendance if a.person_id != who.person_id)
        meetings[meeting_id] = replace(held, attendance=(*others, who))
    elif kind == "cancelled" and isinstance(body, str):
        meetings[body] = replace(meetings[body], cancelled=True)
    return replace(facts, meetings=tuple(meetings.values()))


class Ledger:
    def __init__(self) -> None:
        self.entries: list[Posting] = []

    def standing(self) -> list[StandingEntry]:
        reversed_ids = {p.reverses for p in self.entries if p.reverses is not None}
        return [
            StandingEntry(n, p.key, p.due)
            for n, p in enumerate(self.entries)
            if p.reverses is None and n not in reversed_ids
        ]

    def bring_up_to_date(self, facts: Facts) -> None:
        self.entries.extend(postings(entitlements(CARDS, facts), self.standing()))

    def payments_standing(self) -> dict[tuple[str, str, str], int]:
        """How many meetings each payee is being paid for, per rule and year."""
        out: dict[tuple[str, str, str], int] = defaultdict(int)
        for entry in self.standing():
            if entry.key.part == "payment":
                out[entry.key.payee, entry.key.rule_id, entry.due.financial_year] += 1
        return out

    def totals(self) -> dict[tuple[str, str, str], int]:
        out: dict[tuple[str, str, str], int] = defaultdict(int)
        for p in self.entries:
            out[p.key.payee, p.key.rule_id, p.due.financial_year] += p.due.amount_pence
        return {k: v for k, v in out.items() if v}


@settings(max_examples=150, deadline=None)
@given(meeting_events(), st.data())
def test_the_ledger_nets_to_the_rules_whatever_the_order_and_repeats(
    meetings: list[Event], data: st.DataObject
) -> None:
    membership = membership_events()
    deliveries: list[Event] = []
    queues = [list(meetings), list(membership)]
    while any(queues):
        queue = data.draw(st.sampled_from([q for q in queues if q]))
        event = queue.pop(0)
        deliveries.extend([event] * data.draw(st.integers(1, 2)))
    ledger, facts = Ledger(), Facts()
    for event in deliveries:
        facts = apply(facts, event)
        ledger.bring_up_to_date(facts)
        counts = ledger.payments_standing()
        for year_total, total in ledger.totals().items():
            rule = SHIPPED_CARD.rule(year_total[1])
            assert rule is not None
            assert rule.cap_pence is None or total <= rule.cap_pence
            assert rule.cap_count is None or counts.get(year_total, 0) <= rule.cap_count
    expected: dict[tuple[str, str, str], int] = defaultdict(int)
    for key, due in entitlements(CARDS, facts).items():
        expected[key.payee, key.rule_id, due.financial_year] += due.amount_pence
    assert ledger.totals() == dict(expected)
    before = len(ledger.entries)
    ledger.bring_up_to_date(facts)
    assert len(ledger.entries) == before  # idempotent: nothing new for the same facts


def test_a_correction_after_accrual_reverses_and_re_accrues_never_editing() -> None:
    day = dt.date(2024, 5, 1)
    facts = apply(Facts(), ("organisation", pharmacy("ph1")))
    facts = apply(facts, ("held", meeting("m1", day, present("p1", "ph1"))))
    ledger = Ledger()
    ledger.bring_up_to_date(facts)
    first = list(ledger.entries)
    facts = apply(facts, ("corrected", ("m1", present("p1", "ph1", status="absent"))))
    ledger.bring_up_to_date(facts)
    assert ledger.entries[: len(first)] == first
    assert [(p.due.amount_pence, p.reverses) for p in ledger.entries] == [
        (25_000, None),
        (-25_000, 0),
    ]
    assert financial_year(day) == "2024/25"
    assert CLUSTER in facts.meetings[0].body_id
