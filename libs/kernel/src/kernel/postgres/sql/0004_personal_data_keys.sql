-- One key per person whose personal data the service's events hold (kernel.personal_data).
-- Erasure sets `key` to NULL and keeps the row, so no new key is ever made for that person:
-- their sealed fields, wherever copies went, stay unreadable for good.
CREATE TABLE IF NOT EXISTS {schema}.personal_data_keys (
    subject       text        PRIMARY KEY,
    key           bytea,
    created_at    timestamptz NOT NULL DEFAULT now(),
    forgotten_at  timestamptz,
    CHECK ((key IS NULL) = (forgotten_at IS NOT NULL))
);
