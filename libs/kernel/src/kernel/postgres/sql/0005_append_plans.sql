-- append_events, planned once per session and without re-reading what it has just written.
--
-- 0001's version planned every statement on every call (force_custom_plan) and found the new
-- last position with a max() over the events it had just inserted; now both paths count them. Measured on the membership
-- benchmark, planning was most of its time. Same contract, same results; only how it gets there.
CREATE OR REPLACE FUNCTION {schema}.append_events(
    req_streams text[], req_expected bigint[], req_sizes integer[],
    ev_requests integer[], ev_ids uuid[], ev_types text[], ev_schema_versions integer[],
    ev_data jsonb[], ev_metadata jsonb[], ev_occurred timestamptz[]
) RETURNS TABLE (request integer, outcome text, stream_version bigint, positions bigint[])
LANGUAGE plpgsql
-- Each statement is planned once per session, not on every call. A generic plan made while the
-- table was small must not scan it sequentially for ever after (0001 re-planned every call for
-- that, and planning cost more than running): every lookup here has an index, and with
-- sequential scans off the planner takes it whatever the table's size. Turning them off prices
-- the one-row counter table's scan so high that JIT would compile it (60 ms): no JIT here.
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
SET jit = off
AS $$
DECLARE
    start_position bigint;
    next_position bigint;
    requests integer := coalesce(array_length(req_streams, 1), 0);
    versions bigint[];
    accepted boolean[] := '{}';
    -- Per request: the position and stream version just before its first event, and the
    -- ordinal of its first event in ev_* minus one.
    position_base bigint[] := '{}';
    version_base bigint[] := '{}';
    event_base integer[] := '{}';
    events_before integer := 0;
BEGIN
    -- Taken first and held until commit: see event_position above.
    SELECT c.position INTO start_position FROM {schema}.event_position c FOR UPDATE;
    IF EXISTS (SELECT 1 FROM {schema}.events e WHERE e.event_id = ANY (ev_ids))
       OR requests <> (SELECT count(DISTINCT s) FROM unnest(req_streams) s) THEN
        next_position := start_position;
        FOR request, outcome, stream_version, positions IN
            SELECT * FROM {schema}.append_events_one_by_one(start_position,
                req_streams, req_expected, req_sizes, ev_ids, ev_types, ev_schema_versions,
                ev_data, ev_metadata, ev_occurred)
        LOOP
            IF outcome = 'ok' THEN
                next_position := greatest(next_position, positions[array_upper(positions, 1)]);
            END IF;
            RETURN NEXT;
        END LOOP;
    ELSE
        SELECT array_agg(current.version ORDER BY r.i) INTO versions
          FROM unnest(req_streams) WITH ORDINALITY AS r(stream, i),
               LATERAL (SELECT coalesce(max(e.stream_version), 0) AS version
                          FROM {schema}.events e WHERE e.stream_id = r.stream) AS current;
        next_position := start_position;
        FOR i IN 1 .. requests LOOP
            request := i;
            accepted[i] := req_expected[i] < 0 OR req_expected[i] = versions[i];
            position_base[i] := next_position;
            version_base[i] := versions[i];
            event_base[i] := events_before;
            IF accepted[i] THEN
                outcome := 'ok';
                stream_version := versions[i] + req_sizes[i];
                positions := '{}';
                -- A loop of simple expressions: PL/pgSQL evaluates these without the planner.
                FOR k IN 1 .. req_sizes[i] LOOP
                    positions := positions || (next_position + k);
                END LOOP;
                next_position := next_position + req_sizes[i];
            ELSE
                outcome := 'conflict'; stream_version := versions[i]; positions := NULL;
            END IF;
            events_before := events_before + req_sizes[i];
            RETURN NEXT;
        END LOOP;
        INSERT INTO {schema}.events (position, stream_id, stream_version, event_id, event_type,
                schema_version, data, metadata, occurred_at)
        SELECT position_base[ev.request] + ev.n - event_base[ev.request],
               req_streams[ev.request],
               version_base[ev.request] + ev.n - event_base[ev.request],
               ev.id, ev.type, ev.schema_version, ev.data, ev.metadata, ev.occurred
          FROM unnest(ev_requests, ev_ids, ev_types, ev_schema_versions, ev_data, ev_metadata,
                      ev_occurred)
               WITH ORDINALITY AS ev(request, id, type, schema_version, data, metadata,
                                    occurred, n)
         WHERE accepted[ev.request];
    END IF;
    -- Both paths have counted the positions they handed out.
    UPDATE {schema}.event_position SET position = next_position;
    IF next_position > start_position THEN
        -- Delivered at commit; wakes tailing readers (relay, EventFeed subscribers).
        PERFORM pg_notify('{schema}_events', next_position::text);
    END IF;
END
$$;
