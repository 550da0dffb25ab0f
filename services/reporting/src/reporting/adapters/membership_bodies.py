"""The part of reporting's copy of membership that meeting compliance needs.

Every body of a cluster (the cluster, its PCs, its PCPG), every dated lead appointment of any
body (who may chair; which PC leads a cluster meeting should see), terms-of-reference reviews,
and organisations (to name them in attendance). ``MembershipView`` applies these writes beside
its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from typing import Any

Data = Mapping[str, Any]
Tables = Mapping[str, str]
Write = tuple[Any, ...]

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


def _date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def _body(t: Tables, body_id: str, kind: str, data: Data, **where: object) -> Write:
    return (
        f"INSERT INTO {t['bodies']} (body_id, kind, health_board, cluster_id, pcpg_id,"
        " profession, established_on) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT (body_id) DO UPDATE SET cluster_id = $4, pcpg_id = $5",
        body_id,
        kind,
        data["health_board"],
        where.get("cluster_id"),
        where.get("pcpg_id"),
        where.get("profession"),
        _date(data["established_on"]),
    )


def _cluster(data: Data, t: Tables) -> Iterator[Write]:
    cluster = data["cluster_id"]
    yield _body(t, cluster, "cluster", data, cluster_id=cluster, pcpg_id=data["pcpg_id"])


def _collaborative(data: Data, t: Tables) -> Iterator[Write]:
    yield _body(
        t,
        data["collaborative_id"],
        "collaborative",
        data,
        cluster_id=data["cluster_id"],
        profession=data["profession"],
    )


def _pcpg(data: Data, t: Tables) -> Iterator[Write]:
    yield _body(t, data["pcpg_id"], "pcpg", data, pcpg_id=data["pcpg_id"])


def _closed(data: Data, t: Tables) -> Iterator[Write]:
    # The cluster's collaboratives close with it (ClusterClosed names them).
    yield (
        f"UPDATE {t['bodies']} SET closed_on = $2 WHERE body_id = ANY($1::text[])",
        [data["cluster_id"], *data.get("collaborative_ids", ())],
        _date(data["closed_on"]),
    )


def _appointed(data: Data, t: Tables) -> Iterator[Write]:
    yield (
        f"INSERT INTO {t['appointments']} (appointment_id, body_id, person_id, role,"
        " start_date, end_date) VALUES ($1, $2, $3, $4, $5, $6)"
        " ON CONFLICT (appointment_id) DO NOTHING",
        data["appointment_id"],
        data["body_id"],
        data["person_id"],
        data["role"],
        _date(data["start_date"]),
        _date(data["end_date"]),
    )


def _ended(data: Data, t: Tables) -> Iterator[Write]:
    yield (
        f"UPDATE {t['appointments']} SET end_date = $2 WHERE appointment_id = $1",
        data["appointment_id"],
        _date(data["end_date"]),
    )


def _reviewed(data: Data, t: Tables) -> Iterator[Write]:
    yield (
        f"INSERT INTO {t['terms_reviews']} (body_id, reviewed_on) VALUES ($1, $2)"
        " ON CONFLICT DO NOTHING",
        data["body_id"],
        _date(data["reviewed_on"]),
    )


def _organisation(data: Data, t: Tables) -> Iterator[Write]:
    yield (
        f"INSERT INTO {t['organisations']} (organisation_id, name, kind, profession)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT (organisation_id) DO UPDATE SET name = $2",
        data["organisation_id"],
        data["name"],
        data["kind"],
        data["profession"],
    )


WRITES: Mapping[str, Callable[[Data, Tables], Iterator[Write]]] = {
    "membership.ClusterEstablished": _cluster,
    "membership.CollaborativeEstablished": _collaborative,
    "membership.PcpgEstablished": _pcpg,
    "membership.ClusterClosed": _closed,
    "membership.LeadAppointed": _appointed,
    "membership.AppointmentEnded": _ended,
    "membership.TermsOfReferenceReviewed": _reviewed,
    "membership.OrganisationRegistered": _organisation,
}
