-- The event store: one append-only table per service schema, and the counter that orders it.
CREATE TABLE IF NOT EXISTS {schema}.events (
    position        bigint      PRIMARY KEY,
    stream_id       text        NOT NULL,
    stream_version  bigint      NOT NULL,
    event_id        uuid        NOT NULL UNIQUE,
    event_type      text        NOT NULL,
    schema_version  integer     NOT NULL,
    data            jsonb       NOT NULL,
    metadata        jsonb       NOT NULL,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream_id, stream_version)
);

-- A single row: the last position handed out. Appenders lock it first and keep the lock until
-- commit, so positions are allocated in commit order and without gaps (a rolled-back append
-- rolls its positions back too). A bigserial would be cheaper but leaves holes and lets a later
-- position commit before an earlier one, which readers tailing by position would skip.
CREATE TABLE IF NOT EXISTS {schema}.event_position (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    position  bigint  NOT NULL
);
INSERT INTO {schema}.event_position (position) VALUES (0) ON CONFLICT DO NOTHING;

-- Appends a group of independent requests in one transaction (group commit). Each request is
-- checked on its own, exactly as a lone append would be: its event ids (a full repeat is a
-- no-op, a partial one a conflict) and then its expected version (-1 = any). One request's
-- refusal never affects another's. Returns one row per request, in request order.
--
-- The usual batch (new event ids, each stream once) is handled set-based: a fixed number of
-- statements whatever the batch size. Anything else goes through append_events_one_by_one.
CREATE OR REPLACE FUNCTION {schema}.append_events(
    req_streams text[], req_expected bigint[], req_sizes integer[],
    ev_requests integer[], ev_ids uuid[], ev_types text[], ev_schema_versions integer[],
    ev_data jsonb[], ev_metadata jsonb[], ev_occurred timestamptz[]
) RETURNS TABLE (request integer, outcome text, stream_version bigint, positions bigint[])
LANGUAGE plpgsql
-- Generic plans: otherwise Postgres re-plans every statement below on every call, which costs
-- more than the work. (A generic plan made while the table is tiny may be a sequential scan;
-- the statistics update autovacuum makes as the table grows invalidates it.)
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    start_position bigint;
    end_position bigint;
BEGIN
    -- Taken first and held until commit: see event_position above.
    SELECT c.position INTO start_position FROM {schema}.event_position c FOR UPDATE;
    IF EXISTS (SELECT 1 FROM {schema}.events e WHERE e.event_id = ANY (ev_ids))
       OR cardinality(req_streams) <> (SELECT count(DISTINCT s) FROM unnest(req_streams) s) THEN
        RETURN QUERY SELECT * FROM {schema}.append_events_one_by_one(start_position,
            req_streams, req_expected, req_sizes, ev_ids, ev_types, ev_schema_versions,
            ev_data, ev_metadata, ev_occurred);
    ELSE
        RETURN QUERY
        WITH requests AS (
            SELECT r.i::integer AS i, r.stream, r.size, current.version,
                   (r.expected < 0 OR r.expected = current.version) AS accepted,
                   sum(r.size) OVER (ORDER BY r.i) - r.size AS event_offset
              FROM unnest(req_streams, req_expected, req_sizes)
                   WITH ORDINALITY AS r(stream, expected, size, i),
                   LATERAL (SELECT coalesce(max(e.stream_version), 0) AS version
                              FROM {schema}.events e WHERE e.stream_id = r.stream) AS current
        ), placed AS (
            SELECT q.*, start_position + coalesce(sum(q.size) FILTER (WHERE q.accepted)
                   OVER (ORDER BY q.i ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
                   AS position_offset
              FROM requests q
        ), inserted AS (
            INSERT INTO {schema}.events (position, stream_id, stream_version, event_id,
                    event_type, schema_version, data, metadata, occurred_at)
            SELECT p.position_offset + (ev.n - p.event_offset), p.stream,
                   p.version + (ev.n - p.event_offset), ev.id, ev.type, ev.schema_version,
                   ev.data, ev.metadata, ev.occurred
              FROM unnest(ev_requests, ev_ids, ev_types, ev_schema_versions, ev_data,
                          ev_metadata, ev_occurred)
                   WITH ORDINALITY AS ev(request, id, type, schema_version, data, metadata,
                                        occurred, n)
              JOIN placed p ON p.i = ev.request
             WHERE p.accepted
            RETURNING 1
        )
        SELECT p.i,
               CASE WHEN p.accepted THEN 'ok' ELSE 'conflict' END,
               p.version + CASE WHEN p.accepted THEN p.size ELSE 0 END,
               CASE WHEN p.accepted THEN ARRAY(SELECT p.position_offset + k
                                                FROM generate_series(1, p.size) AS k) END
          FROM placed p
         ORDER BY p.i;
    END IF;
    SELECT coalesce(max(e.position), start_position) INTO end_position
      FROM {schema}.events e WHERE e.position > start_position;
    IF end_position > start_position THEN
        UPDATE {schema}.event_position SET position = end_position;
        -- Delivered at commit; wakes tailing readers (relay, EventFeed subscribers).
        PERFORM pg_notify('{schema}_events', end_position::text);
    END IF;
END
$$;

-- The general case, request by request, for batches that repeat event ids or streams.
-- Called by append_events with the counter row already locked.
CREATE OR REPLACE FUNCTION {schema}.append_events_one_by_one(
    start_position bigint,
    req_streams text[], req_expected bigint[], req_sizes integer[],
    ev_ids uuid[], ev_types text[], ev_schema_versions integer[],
    ev_data jsonb[], ev_metadata jsonb[], ev_occurred timestamptz[]
) RETURNS TABLE (request integer, outcome text, stream_version bigint, positions bigint[])
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    next_position bigint := start_position;
    offs integer := 0;
    n integer;
    current_version bigint;
    found integer;
    found_here boolean;
    found_version bigint;
    found_positions bigint[];
BEGIN
    FOR i IN 1 .. coalesce(array_length(req_streams, 1), 0) LOOP
        n := req_sizes[i];
        request := i;
        SELECT count(*), coalesce(bool_and(e.stream_id = req_streams[i]), false),
               max(e.stream_version), array_agg(e.position ORDER BY e.position)
          INTO found, found_here, found_version, found_positions
          FROM {schema}.events e WHERE e.event_id = ANY (ev_ids[offs + 1 : offs + n]);
        IF found = n AND found_here THEN
            outcome := 'duplicate'; stream_version := found_version; positions := found_positions;
        ELSIF found > 0 THEN
            outcome := 'event_id_conflict'; stream_version := NULL; positions := NULL;
        ELSE
            SELECT coalesce(max(e.stream_version), 0) INTO current_version
              FROM {schema}.events e WHERE e.stream_id = req_streams[i];
            IF req_expected[i] >= 0 AND req_expected[i] <> current_version THEN
                outcome := 'conflict'; stream_version := current_version; positions := NULL;
            ELSE
                INSERT INTO {schema}.events (position, stream_id, stream_version, event_id,
                        event_type, schema_version, data, metadata, occurred_at)
                SELECT next_position + k, req_streams[i], current_version + k, ev_ids[offs + k],
                       ev_types[offs + k], ev_schema_versions[offs + k], ev_data[offs + k],
                       ev_metadata[offs + k], ev_occurred[offs + k]
                  FROM generate_series(1, n) AS k;
                outcome := 'ok';
                stream_version := current_version + n;
                positions := ARRAY(SELECT next_position + k FROM generate_series(1, n) AS k);
                next_position := next_position + n;
            END IF;
        END IF;
        RETURN NEXT;
        offs := offs + n;
    END LOOP;
END
$$;
