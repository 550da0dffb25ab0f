"""The ledger table: append-only, written in the same transaction as the facts that moved it.

It is a migration, not a projection: a projection can be dropped and rebuilt, the ledger never
is. Each entry names the event that caused it (``caused_by``) and the entry it reverses.
"""

from __future__ import annotations

from kernel.postgres.migrations import Migration

LEDGER_MIGRATION = Migration(
    "payments/0001_ledger.sql",
    """
    CREATE TABLE {schema}.ledger (
        entry_id bigserial PRIMARY KEY,
        payee text NOT NULL,
        payee_kind text NOT NULL,
        rule_id text NOT NULL,
        card_id text NOT NULL,
        source_kind text NOT NULL,
        source_id text NOT NULL,
        part text NOT NULL,
        amount_pence bigint NOT NULL,
        reverses bigint UNIQUE REFERENCES {schema}.ledger (entry_id),
        "on" date NOT NULL,
        financial_year text NOT NULL,
        health_board text NOT NULL,
        cluster_id text,
        caused_by text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX ledger_by_scope ON {schema}.ledger (health_board, financial_year);
    CREATE INDEX ledger_by_payee ON {schema}.ledger (payee, financial_year);
    -- At most one standing (unreversed) accrual per line: a second would double-pay.
    CREATE TABLE {schema}.ledger_standing (
        payee text NOT NULL,
        rule_id text NOT NULL,
        source_kind text NOT NULL,
        source_id text NOT NULL,
        part text NOT NULL,
        entry_id bigint NOT NULL UNIQUE REFERENCES {schema}.ledger (entry_id),
        PRIMARY KEY (payee, rule_id, source_kind, source_id, part)
    );
    """,
)
