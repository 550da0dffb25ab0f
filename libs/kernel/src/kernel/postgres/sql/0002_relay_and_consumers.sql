-- The relay's progress: the last position it has seen acknowledged by the broker, per stream.
CREATE TABLE IF NOT EXISTS {schema}.relay_checkpoints (
    stream     text        PRIMARY KEY,
    position   bigint      NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The consumer inbox: per consumer (a handler or projection) and source service, the last
-- position applied. Updated in the same transaction as the handler's effects, and locked
-- (FOR UPDATE) while a batch is applied, so replicas apply each source strictly in order.
CREATE TABLE IF NOT EXISTS {schema}.consumer_checkpoints (
    consumer   text        NOT NULL,
    source     text        NOT NULL,
    position   bigint      NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, source)
);

-- Failed attempts at one event, written outside the failed (rolled back) transaction so that
-- they survive it, whichever path (broker redelivery, gap backfill, catch-up) tried the event.
CREATE TABLE IF NOT EXISTS {schema}.consumer_failures (
    consumer   text        NOT NULL,
    source     text        NOT NULL,
    position   bigint      NOT NULL,
    attempts   integer     NOT NULL,
    last_error text        NOT NULL,
    failed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, source, position)
);

-- Events a consumer gave up on: the checkpoint moved past them, an operator can redrive them.
CREATE TABLE IF NOT EXISTS {schema}.dead_letters (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consumer      text        NOT NULL,
    source        text        NOT NULL,
    position      bigint      NOT NULL,
    event_id      uuid        NOT NULL,
    event_type    text        NOT NULL,
    event         jsonb       NOT NULL,
    error         text        NOT NULL,
    attempts      integer     NOT NULL,
    dead_at       timestamptz NOT NULL DEFAULT now(),
    redriven_at   timestamptz,
    redrive_error text,
    UNIQUE (consumer, source, position)
);
CREATE INDEX IF NOT EXISTS dead_letters_open ON {schema}.dead_letters (consumer, id)
    WHERE redriven_at IS NULL;
