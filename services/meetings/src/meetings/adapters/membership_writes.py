"""The writes each membership event causes in meetings' copy of membership.

Inserts tolerate rows that exist already, so a redriven dead letter changes nothing twice.
Events are read as published (``contracts.membership``); types not listed cause no write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from contracts import membership as published

Data = Mapping[str, Any]
Tables = Mapping[str, str]


def _date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def _body(
    t: Tables,
    body_id: str,
    kind: str,
    board: str,
    pcpg: str,
    cluster: str | None,
    profession: str | None,
) -> tuple[Any, ...]:
    return (
        f"INSERT INTO {t['bodies']} VALUES ($1, $2, $3, $4, $5, $6, NULL) ON CONFLICT DO NOTHING",
        body_id,
        kind,
        board,
        pcpg,
        cluster,
        profession,
    )


def _cluster(d: Data, t: Tables) -> list[tuple[Any, ...]]:
    board, pcpg = d["health_board"], d["pcpg_id"]
    return [
        _body(t, d["cluster_id"], "cluster", board, pcpg, d["cluster_id"], None),
        _body(t, pcpg, "pcpg", board, pcpg, None, None),
    ]


def _collaborative(d: Data, t: Tables) -> list[tuple[Any, ...]]:
    # The collaborative's PCPG is its cluster's, established earlier on the same stream.
    return [
        (
            f"INSERT INTO {t['bodies']} SELECT $1, 'collaborative', $2, pcpg_id, $3, $4, NULL"
            f" FROM {t['bodies']} WHERE body_id = $3 ON CONFLICT DO NOTHING",
            d["collaborative_id"],
            d["health_board"],
            d["cluster_id"],
            d["profession"],
        )
    ]


def _pcpg(d: Data, t: Tables) -> list[tuple[Any, ...]]:
    return [_body(t, d["pcpg_id"], "pcpg", d["health_board"], d["pcpg_id"], None, None)]


def _cluster_closed(d: Data, t: Tables) -> list[tuple[Any, ...]]:
    # A merged or split cluster and its collaboratives: nothing new starts in them after this.
    bodies = [d["cluster_id"], *d["collaborative_ids"]]
    return [
        (
            f"UPDATE {t['bodies']} SET closed_on = $2 WHERE body_id = ANY($1::text[])",
            bodies,
            _date(d["closed_on"]),
        )
    ]


def _organisation(d: Data, t: Tables) -> list[tuple[Any, ...]]:
    return [
        (
            f"INSERT INTO {t['organisations']} VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            d["organisation_id"],
            d["profession"],
            d["health_board"],
        )
    ]


def _person(d: Data, t: Tables) -> list[tuple[Any, ...]]:
    return [
        (f"INSERT INTO {t['people']} VALUES ($1, false) ON CONFLICT DO NOTHING", d["person_id"])
    ]


def _erased(d: Data, t: Tables) -> list[tuple[Any, ...]]:
    return [(f"UPDATE {t['people']} SET erased = true WHERE person_id = $1", d["person_id"])]


def _enrolled(d: Data, t: Tables) -> list[tuple[Any, ...]]:
    return [
        (
            f"INSERT INTO {t['memberships']} VALUES ($1, $2, $3, $4, $5, $6, NULL)"
            " ON CONFLICT DO NOTHING",
            d["membership_id"],
            d["body_id"],
            d["person_id"],
            d["kind"],
            d["organisation_id"],
            _date(d["start_date"]),
        )
    ]


def _membership_ended(d: Data, t: Tables) -> list[tuple[Any, ...]]:
    return [
        (
            f"UPDATE {t['memberships']} SET end_date = $2 WHERE membership_id = $1",
            d["membership_id"],
            _date(d["end_date"]),
        )
    ]


def _appointed(d: Data, t: Tables) -> list[tuple[Any, ...]]:
    return [
        (
            f"INSERT INTO {t['appointments']} VALUES ($1, $2, $3, $4, $5, $6)"
            " ON CONFLICT DO NOTHING",
            d["appointment_id"],
            d["body_id"],
            d["person_id"],
            d["role"],
            _date(d["start_date"]),
            _date(d["end_date"]),
        )
    ]


def _appointment_ended(d: Data, t: Tables) -> list[tuple[Any, ...]]:
    return [
        (
            f"UPDATE {t['appointments']} SET end_date = $2 WHERE appointment_id = $1",
            d["appointment_id"],
            _date(d["end_date"]),
        )
    ]


def _reviewed(d: Data, t: Tables) -> list[tuple[Any, ...]]:
    # A second review on the same date corrects the first (membership's rule).
    return [
        (
            f"INSERT INTO {t['terms']} VALUES ($1, $2, $3)"
            " ON CONFLICT (body_id, reviewed_on) DO UPDATE SET quorum = EXCLUDED.quorum",
            d["body_id"],
            _date(d["reviewed_on"]),
            d["quorum_minimum_core_members"],
        )
    ]


WRITES: dict[str, Callable[[Data, Tables], list[tuple[Any, ...]]]] = {
    published.PcpgEstablished.event_type: _pcpg,
    published.ClusterClosed.event_type: _cluster_closed,
    published.ClusterEstablished.event_type: _cluster,
    published.CollaborativeEstablished.event_type: _collaborative,
    published.OrganisationRegistered.event_type: _organisation,
    published.PersonRegistered.event_type: _person,
    published.PersonErased.event_type: _erased,
    published.MemberEnrolled.event_type: _enrolled,
    published.MembershipEnded.event_type: _membership_ended,
    published.LeadAppointed.event_type: _appointed,
    published.AppointmentEnded.event_type: _appointment_ended,
    published.TermsOfReferenceReviewed.event_type: _reviewed,
}
"""The writes each membership event causes (by its published ``event_type``); others: none."""
