"""Who a meeting rule pays, as the facts now stand.

The organisations represented by someone present, or the appointed leads present (or the
organisations where they usually work).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from payments.domain.facts import Appointment, Facts, Meeting
from payments.domain.rate_card import Basis, PayeeKind, RateCard, Rule

LEAD_ROLES = ("cluster_lead", "collaborative_lead")


def payees(rule: Rule, meeting: Meeting, facts: Facts) -> Iterator[str]:
    """Who ``rule`` pays for ``meeting`` (repeats allowed: one line each all the same)."""
    basis, day = rule.trigger.basis, meeting.meeting_date
    for attendee in meeting.present():
        if basis is Basis.ORGANISATION_PRESENT:
            organisation = facts.organisations.get(attendee.organisation_id or "")
            if (
                organisation is not None
                and facts.in_cluster(organisation.cluster_id, meeting.cluster_id, day)
                and _kind_allowed(rule, organisation.kind)
                and not (rule.excludes_health_board_salaried and organisation.health_board_salaried)
            ):
                yield organisation.organisation_id
            continue
        if basis is Basis.BODY_LEAD_PRESENT and attendee.held_lead_appointment:
            appointment = facts.lead_appointment(attendee.person_id, day, body_id=meeting.body_id)
        elif basis is Basis.COLLABORATIVE_LEAD_PRESENT and meeting.cluster_id is not None:
            appointment = facts.lead_appointment(
                attendee.person_id, day, cluster_id=meeting.cluster_id
            )
        else:
            continue
        payee = _lead_payee(rule, appointment, facts)
        if payee is not None:
            yield payee


def _lead_payee(rule: Rule, appointment: Appointment | None, facts: Facts) -> str | None:
    """The person or workplace a lead rule pays (None: nobody, or not known yet)."""
    if appointment is None or appointment.role not in LEAD_ROLES:
        return None
    if rule.excludes_health_board_salaried and appointment.usual_workplace_salaried:
        return None
    if rule.payee is PayeeKind.LEAD:
        return appointment.person_id
    workplace = facts.organisations.get(appointment.usual_workplace_id or "")
    if workplace is None or not _kind_allowed(rule, workplace.kind):
        return None
    return workplace.organisation_id


def _kind_allowed(rule: Rule, kind: str) -> bool:
    return not rule.trigger.organisation_kinds or kind in rule.trigger.organisation_kinds


def organisation_kinds_paid(cards: Iterable[RateCard]) -> frozenset[str] | None:
    """The kinds of organisation any card pays for being represented at a meeting.

    None when some rule pays an organisation of any kind. Lets the accrual of a meeting skip
    the organisations no card can pay for it (a GP practice's attendance, under the shipped
    card), and so the rest of their year's meetings.
    """
    kinds: set[str] = set()
    for card in cards:
        for rule in card.rules:
            if rule.trigger.basis is not Basis.ORGANISATION_PRESENT:
                continue
            if not rule.trigger.organisation_kinds:
                return None
            kinds.update(rule.trigger.organisation_kinds)
    return frozenset(kinds)
