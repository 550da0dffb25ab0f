"""The part of reporting's copy of membership that meeting compliance needs.

Every body of a cluster (the cluster, its PCs, its PCPG), every dated lead appointment of any
body (who may chair; which PC leads a cluster meeting should see), terms-of-reference reviews,
and organisations (to name them in attendance). ``MembershipView`` applies these beside its
own, over the same batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kernel.events import RecordedEvent
from kernel.messaging import DbConnection
from reporting.adapters.batched_rows import BatchedRows

Data = Mapping[str, Any]
Tables = Mapping[str, str]

TABLES = {
    "bodies": (
        "CREATE TABLE {table} (body_id text PRIMARY KEY, kind text NOT NULL,"
        " health_board text NOT NULL, cluster_id text, pcpg_id text, profession text,"
        " established_on date NOT NULL, closed_on date);"
        " CREATE INDEX {name}_by_cluster ON {table} (cluster_id)"
    ),
    "appointments": (
        "CREATE TABLE {table} (appointment_id text PRIMARY KEY, body_id text NOT NULL,"
        " person_id text NOT NULL, role text NOT NULL, start_date date NOT NULL, end_date date);"
        " CREATE INDEX {name}_by_body ON {table} (body_id)"
    ),
    "terms_reviews": (
        "CREATE TABLE {table} (body_id text NOT NULL, reviewed_on date NOT NULL,"
        " PRIMARY KEY (body_id, reviewed_on))"
    ),
    "organisations": (
        "CREATE TABLE {table} (organisation_id text PRIMARY KEY, name text NOT NULL,"
        " kind text NOT NULL, profession text)"
    ),
}


_BODY = (
    "body_id", "kind", "health_board", "cluster_id", "pcpg_id", "profession", "established_on",
    "closed_on",
)  # fmt: skip
_APPOINTMENT = ("appointment_id", "body_id", "person_id", "role", "start_date", "end_date")
_ORGANISATION = ("organisation_id", "name", "kind", "profession")


def _date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


class BodyRows:
    """The rows of these tables that one batch of membership events touches."""

    def __init__(self, tables: Tables) -> None:
        self.bodies = BatchedRows(tables["bodies"], ("body_id",), _BODY)
        self.appointments = BatchedRows(tables["appointments"], ("appointment_id",), _APPOINTMENT)
        # Both columns are the key: a review is recorded once, and never changes.
        self.terms_reviews = BatchedRows(
            tables["terms_reviews"], ("body_id", "reviewed_on"), ("body_id", "reviewed_on")
        )
        self.organisations = BatchedRows(
            tables["organisations"], ("organisation_id",), _ORGANISATION
        )

    async def load(self, conn: DbConnection, events: Sequence[RecordedEvent]) -> None:
        bodies: set[str] = set()
        appointments: set[str] = set()
        organisations: set[str] = set()
        for event in events:
            data, kind = event.data, event.event_type
            if kind in _BODY_EVENTS:
                bodies.update(_body_ids(data))
            elif kind in _APPOINTMENT_EVENTS:
                appointments.add(data["appointment_id"])
            elif kind == "membership.OrganisationRegistered":
                organisations.add(data["organisation_id"])
        await self.bodies.load(conn, "body_id", bodies)
        await self.appointments.load(conn, "appointment_id", appointments)
        await self.organisations.load(conn, "organisation_id", organisations)

    async def flush(self, conn: DbConnection) -> None:
        for rows in (self.bodies, self.appointments, self.terms_reviews, self.organisations):
            await rows.flush(conn)


def _body_ids(data: Data) -> list[str]:
    if "collaborative_id" in data:
        return [data["collaborative_id"]]
    if "cluster_id" in data:
        return [data["cluster_id"], *data.get("collaborative_ids", ())]
    return [data["pcpg_id"]]


def _body(b: BodyRows, body_id: str, kind: str, data: Data, **where: object) -> None:
    """Insert the body, or move it to another cluster or PCPG (nothing else changes)."""
    placed = {"cluster_id": where.get("cluster_id"), "pcpg_id": where.get("pcpg_id")}
    row = b.bodies.get(body_id)
    if row is None:
        row = {
            "body_id": body_id,
            "kind": kind,
            "health_board": data["health_board"],
            "profession": where.get("profession"),
            "established_on": _date(data["established_on"]),
            "closed_on": None,
        }
    b.bodies.put({**row, **placed})


def _cluster(b: BodyRows, data: Data) -> None:
    cluster = data["cluster_id"]
    _body(b, cluster, "cluster", data, cluster_id=cluster, pcpg_id=data["pcpg_id"])


def _collaborative(b: BodyRows, data: Data) -> None:
    _body(
        b,
        data["collaborative_id"],
        "collaborative",
        data,
        cluster_id=data["cluster_id"],
        profession=data["profession"],
    )


def _pcpg(b: BodyRows, data: Data) -> None:
    _body(b, data["pcpg_id"], "pcpg", data, pcpg_id=data["pcpg_id"])


def _closed(b: BodyRows, data: Data) -> None:
    # The cluster's collaboratives close with it (ClusterClosed names them).
    for body_id in _body_ids(data):
        row = b.bodies.get(body_id)
        if row is not None:
            b.bodies.put({**row, "closed_on": _date(data["closed_on"])})


def _appointed(b: BodyRows, data: Data) -> None:
    # A repeated appointment leaves the recorded one as it is.
    if b.appointments.get(data["appointment_id"]) is None:
        row = {c: data[c] for c in _APPOINTMENT[:4]}
        row["start_date"], row["end_date"] = _date(data["start_date"]), _date(data["end_date"])
        b.appointments.put(row)


def _ended(b: BodyRows, data: Data) -> None:
    row = b.appointments.get(data["appointment_id"])
    if row is not None:
        b.appointments.put({**row, "end_date": _date(data["end_date"])})


def _reviewed(b: BodyRows, data: Data) -> None:
    b.terms_reviews.put({"body_id": data["body_id"], "reviewed_on": _date(data["reviewed_on"])})


def _organisation(b: BodyRows, data: Data) -> None:
    # Registered again: only the name changes.
    row = b.organisations.get(data["organisation_id"]) or {
        c: data[c] for c in ("organisation_id", "kind", "profession")
    }
    b.organisations.put({**row, "name": data["name"]})


FOLDS: Mapping[str, Callable[[BodyRows, Data], None]] = {
    "membership.ClusterEstablished": _cluster,
    "membership.CollaborativeEstablished": _collaborative,
    "membership.PcpgEstablished": _pcpg,
    "membership.ClusterClosed": _closed,
    "membership.LeadAppointed": _appointed,
    "membership.AppointmentEnded": _ended,
    "membership.TermsOfReferenceReviewed": _reviewed,
    "membership.OrganisationRegistered": _organisation,
}
_BODY_EVENTS = frozenset(
    {
        "membership.ClusterEstablished",
        "membership.CollaborativeEstablished",
        "membership.PcpgEstablished",
        "membership.ClusterClosed",
    }
)
_APPOINTMENT_EVENTS = frozenset({"membership.LeadAppointed", "membership.AppointmentEnded"})
