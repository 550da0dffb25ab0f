-- Idempotency keys of gRPC commands (kernel.grpc.idempotency), one row per caller, method and key.
-- A row without a response is a reservation: `owner` is acting on it until `locked_until` (after
-- that a retry of the same request may take it over). A row with a response answers every retry
-- of that request with it until the retention runs out.
CREATE TABLE IF NOT EXISTS {schema}.idempotency_keys (
    principal     text        NOT NULL,
    method        text        NOT NULL,
    key           text        NOT NULL,
    fingerprint   bytea       NOT NULL,
    owner         text,
    locked_until  timestamptz,
    response      bytea,
    created_at    timestamptz NOT NULL DEFAULT now(),
    completed_at  timestamptz,
    PRIMARY KEY (principal, method, key)
);

CREATE INDEX IF NOT EXISTS idempotency_keys_completed_at
    ON {schema}.idempotency_keys (completed_at) WHERE completed_at IS NOT NULL;
