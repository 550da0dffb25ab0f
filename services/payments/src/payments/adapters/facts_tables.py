"""Payments' own copies of the facts its money depends on, as migrations.

Not kernel projections: they are written in the same transaction as the ledger entries they
cause, so a rebuild (which replays into shadow tables) must never drive them. Every write is an
upsert keyed by the fact's id, so a redriven event changes nothing twice.
"""

from __future__ import annotations

from kernel.postgres.migrations import Migration

FACTS_MIGRATION = Migration(
    "payments/0002_facts.sql",
    """
    CREATE TABLE {schema}.organisations (
        organisation_id text PRIMARY KEY,
        kind text NOT NULL,
        ods_code text,
        cluster_id text NOT NULL,
        health_board text NOT NULL,
        health_board_salaried boolean NOT NULL
    );
    CREATE TABLE {schema}.people (person_id text PRIMARY KEY);
    CREATE TABLE {schema}.cluster_successions (
        cluster_id text NOT NULL,
        successor_id text NOT NULL,
        from_date date NOT NULL,
        PRIMARY KEY (cluster_id, successor_id)
    );
    CREATE TABLE {schema}.appointments (
        appointment_id text PRIMARY KEY,
        body_id text NOT NULL,
        body_kind text NOT NULL,
        cluster_id text,
        health_board text NOT NULL,
        person_id text NOT NULL,
        role text NOT NULL,
        start_date date NOT NULL,
        end_date date,
        usual_workplace_id text,
        usual_workplace_salaried boolean
    );
    CREATE INDEX appointments_by_board ON {schema}.appointments (health_board);
    CREATE TABLE {schema}.meetings (
        meeting_id text PRIMARY KEY,
        body_id text NOT NULL,
        body_kind text NOT NULL,
        profession text,
        cluster_id text,
        health_board text NOT NULL,
        meeting_kind text NOT NULL,
        meeting_date date NOT NULL,
        financial_year text NOT NULL,
        held boolean NOT NULL,
        cancelled boolean NOT NULL,
        source_position bigint NOT NULL
    );
    CREATE INDEX meetings_by_scope ON {schema}.meetings (health_board, financial_year);
    CREATE TABLE {schema}.attendance (
        meeting_id text NOT NULL REFERENCES {schema}.meetings (meeting_id),
        person_id text NOT NULL,
        status text NOT NULL,
        organisation_id text,
        held_lead_appointment boolean NOT NULL,
        PRIMARY KEY (meeting_id, person_id)
    );
    CREATE TABLE {schema}.rate_cards (
        card_id text PRIMARY KEY,
        effective_from date NOT NULL,
        card jsonb NOT NULL
    );
    CREATE TABLE {schema}.claims (
        claim_id text PRIMARY KEY,
        rule_id text NOT NULL,
        card_id text NOT NULL,
        payee text NOT NULL,
        payee_kind text NOT NULL,
        health_board text NOT NULL,
        cluster_id text,
        activity_date date NOT NULL,
        financial_year text NOT NULL,
        half_days integer NOT NULL,
        rate_pence bigint NOT NULL,
        amount_pence bigint NOT NULL,
        evidence text NOT NULL,
        status text NOT NULL,
        decided_by text
    );
    CREATE INDEX claims_by_payee ON {schema}.claims (payee, rule_id, financial_year);
    CREATE TABLE {schema}.schedules (
        schedule_id text PRIMARY KEY,
        health_board text NOT NULL,
        period text NOT NULL,
        entry_ids bigint[] NOT NULL,
        total_pence bigint NOT NULL,
        approved_by text
    );
    """,
)

#: What the accrual narrowed to some payees looks up (``facts_loader``): who attended where,
#: whose workplace a lead appointment names, and which payees a meeting's standing lines pay.
ACCRUAL_LOOKUPS_MIGRATION = Migration(
    "payments/0003_accrual_lookups.sql",
    """
    CREATE INDEX attendance_by_organisation ON {schema}.attendance (organisation_id);
    CREATE INDEX attendance_by_person ON {schema}.attendance (person_id);
    CREATE INDEX appointments_by_workplace ON {schema}.appointments (usual_workplace_id);
    CREATE INDEX ledger_standing_by_source ON {schema}.ledger_standing (source_kind, source_id);
    """,
)


#: The leads among a meeting's attendees (``payees_of_meetings``), by key.
APPOINTMENTS_BY_PERSON_MIGRATION = Migration(
    "payments/0004_appointments_by_person.sql",
    "CREATE INDEX appointments_by_person ON {schema}.appointments (person_id);",
)
