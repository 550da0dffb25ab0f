"""The maturity read model: titles, review cycles, assessments, peer reviews, levels.

A kernel ``Projection`` of reporting's own events, fed straight from its store and rebuildable
from position 0. ``levels`` holds one row per cluster, year and outcome with the latest
self-assessed and the peer-agreed level: the matrix (a cluster over the years) and the national
overview (all clusters side by side, a heat map's data) are both plain reads of it. The other
tables keep what a cluster report and a board's peer-review cycle status will show.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from kernel.events import RecordedEvent
from kernel.messaging import DbConnection
from kernel.projections import execute_statements

Data = Mapping[str, Any]
Tables = Mapping[str, str]
Write = tuple[Any, ...]

_TABLES = {
    "outcomes": (
        "CREATE TABLE {table} (code text PRIMARY KEY, framework text NOT NULL,"
        " title text NOT NULL, placeholder boolean NOT NULL)"
    ),
    "cycles": (
        "CREATE TABLE {table} (health_board text NOT NULL, financial_year text NOT NULL,"
        " pcmw_outcomes text[], acd_outcome text, self_assessment_due date,"
        " nominee text, nominated_on date, PRIMARY KEY (health_board, financial_year))"
    ),
    "assessments": (
        "CREATE TABLE {table} (cluster_id text NOT NULL, financial_year text NOT NULL,"
        " health_board text NOT NULL, revision integer NOT NULL, submitted_by text NOT NULL,"
        " submitted_on date NOT NULL, enablers text[] NOT NULL, barriers text[] NOT NULL,"
        " good_practice text[] NOT NULL, PRIMARY KEY (cluster_id, financial_year))"
    ),
    "peer_reviews": (
        "CREATE TABLE {table} (cluster_id text NOT NULL, financial_year text NOT NULL,"
        " health_board text NOT NULL, reviewed_on date NOT NULL, reviewers jsonb NOT NULL,"
        " independent_chair text NOT NULL, findings text[] NOT NULL,"
        " PRIMARY KEY (cluster_id, financial_year))"
    ),
    "levels": (
        "CREATE TABLE {table} (cluster_id text NOT NULL, financial_year text NOT NULL,"
        " outcome text NOT NULL, health_board text NOT NULL, self_level smallint,"
        " self_evidence text, peer_level smallint,"
        " PRIMARY KEY (cluster_id, financial_year, outcome));"
        " CREATE INDEX {name}_by_board ON {table} (health_board, financial_year)"
    ),
}


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _title_set(data: Data, t: Tables) -> Iterator[Write]:
    yield (
        f"INSERT INTO {t['outcomes']} (code, framework, title, placeholder)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT (code) DO UPDATE"
        " SET framework = $2, title = $3, placeholder = $4",
        data["code"],
        data["framework"],
        data["title"],
        data["placeholder"],
    )


def _assigned(data: Data, t: Tables) -> Iterator[Write]:
    yield (
        f"INSERT INTO {t['cycles']} (health_board, financial_year, pcmw_outcomes, acd_outcome,"
        " self_assessment_due) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (health_board, financial_year) DO UPDATE"
        " SET pcmw_outcomes = $3, acd_outcome = $4, self_assessment_due = $5",
        data["health_board"],
        data["financial_year"],
        list(data["pcmw_outcomes"]),
        data["acd_outcome"],
        _date(data["self_assessment_due"]),
    )


def _nominated(data: Data, t: Tables) -> Iterator[Write]:
    yield (
        f"INSERT INTO {t['cycles']} (health_board, financial_year, nominee, nominated_on)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT (health_board, financial_year) DO UPDATE"
        " SET nominee = $3, nominated_on = $4",
        data["health_board"],
        data["financial_year"],
        data["cluster_id"],
        _date(data["nominated_on"]),
    )


def _assessed(data: Data, t: Tables) -> Iterator[Write]:
    key = (data["cluster_id"], data["financial_year"])
    yield (
        f"INSERT INTO {t['assessments']} (cluster_id, financial_year, health_board, revision,"
        " submitted_by, submitted_on, enablers, barriers, good_practice)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        " ON CONFLICT (cluster_id, financial_year) DO UPDATE SET revision = $4,"
        " submitted_by = $5, submitted_on = $6, enablers = $7, barriers = $8, good_practice = $9",
        *key,
        data["health_board"],
        data["revision"],
        data["submitted_by"],
        _date(data["submitted_on"]),
        list(data["enablers"]),
        list(data["barriers"]),
        list(data["good_practice"]),
    )
    # The latest revision supersedes: clear the last one's ratings, then set this one's.
    yield (
        f"UPDATE {t['levels']} SET self_level = NULL, self_evidence = NULL"
        " WHERE cluster_id = $1 AND financial_year = $2",
        *key,
    )
    for rating in data["ratings"]:
        yield _level(t, data, rating["outcome"], "self_level", rating["level"])
        yield (
            f"UPDATE {t['levels']} SET self_evidence = $4"
            " WHERE cluster_id = $1 AND financial_year = $2 AND outcome = $3",
            *key,
            rating["outcome"],
            rating["evidence"],
        )


def _reviewed(data: Data, t: Tables) -> Iterator[Write]:
    yield (
        f"INSERT INTO {t['peer_reviews']} (cluster_id, financial_year, health_board,"
        " reviewed_on, reviewers, independent_chair, findings)"
        " VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7) ON CONFLICT (cluster_id, financial_year)"
        " DO UPDATE SET reviewed_on = $4, reviewers = $5::jsonb, independent_chair = $6,"
        " findings = $7",
        data["cluster_id"],
        data["financial_year"],
        data["health_board"],
        _date(data["reviewed_on"]),
        json.dumps(data["reviewers"]),
        data["independent_chair"],
        list(data["findings"]),
    )
    for agreed in data["agreed_levels"]:
        yield _level(t, data, agreed["outcome"], "peer_level", agreed["level"])


def _level(t: Tables, data: Data, outcome: str, column: str, level: int) -> Write:
    return (
        f"INSERT INTO {t['levels']} (cluster_id, financial_year, outcome, health_board,"
        f" {column}) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (cluster_id, financial_year,"
        f" outcome) DO UPDATE SET {column} = $5",
        data["cluster_id"],
        data["financial_year"],
        outcome,
        data["health_board"],
        level,
    )


WRITES: Mapping[str, Callable[[Data, Tables], Iterator[Write]]] = {
    "reporting.OutcomeTitleSet": _title_set,
    "reporting.ReviewOutcomesAssigned": _assigned,
    "reporting.NominatedForPeerReview": _nominated,
    "reporting.MaturityAssessed": _assessed,
    "reporting.PeerReviewRecorded": _reviewed,
}


class MaturityView:
    """The maturity read model (a kernel ``Projection`` of reporting's own events)."""

    name = "reporting.maturity_view"
    tables: Mapping[str, str] = _TABLES
    event_types = frozenset(WRITES)  # for a rebuild's reads

    async def apply(
        self, conn: DbConnection, events: Sequence[RecordedEvent], tables: Tables
    ) -> None:
        await execute_statements(conn, events, tables, WRITES)
