/**
 * The PostgreSQL schema, as ordered migrations: `POSTGRES_MIGRATIONS[n - 1]` brings a
 * database to version n. `{schema}` stands for the store's (quoted) schema name. Never
 * edit a released migration; add the next one.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  // 1: requests with their panel stats, spans (attributes and events as jsonb), one summary line per trace.
  `CREATE TABLE {schema}.requests (
     id text PRIMARY KEY, method text NOT NULL, path text NOT NULL, route text, status integer,
     started_at text NOT NULL, started_ms double precision NOT NULL, duration_ms double precision, trace_id text,
     panels json NOT NULL, nav json NOT NULL, saved_ms double precision NOT NULL
   );
   CREATE INDEX requests_started ON {schema}.requests (started_ms);
   CREATE TABLE {schema}.spans (
     trace_id text NOT NULL, span_id text NOT NULL, parent_span_id text, name text NOT NULL, kind text NOT NULL,
     start_ns bigint NOT NULL, end_ns bigint, service text, source text NOT NULL, status_code text NOT NULL,
     attributes jsonb NOT NULL, events jsonb NOT NULL, links jsonb NOT NULL, status jsonb NOT NULL,
     resource jsonb NOT NULL, scope jsonb NOT NULL,
     PRIMARY KEY (trace_id, span_id)
   );
   CREATE INDEX spans_service ON {schema}.spans (service);
   CREATE INDEX spans_start ON {schema}.spans (start_ns);
   CREATE TABLE {schema}.traces (
     trace_id text PRIMARY KEY, request_id text, root_name text NOT NULL, services jsonb NOT NULL,
     sources jsonb NOT NULL, span_count integer NOT NULL, started_ms double precision NOT NULL,
     duration_ms double precision NOT NULL, error boolean NOT NULL
   );
   CREATE INDEX traces_started ON {schema}.traces (started_ms);`,
  // 2: which process (host:pid) wrote each request and span, for apps that run as several.
  `ALTER TABLE {schema}.requests ADD COLUMN instance text;
   ALTER TABLE {schema}.spans ADD COLUMN instance text;
   CREATE INDEX requests_trace ON {schema}.requests (trace_id);`,
  // 3: the span fields without a column of their own (tracestate, flags, dropped counts).
  `ALTER TABLE {schema}.spans ADD COLUMN extra jsonb;`,
  // 4: when each trace was first stored (the oldest stored goes first over maxTraces, as in
  // memory), and how many requests and traces the bounds pruned (the lists say how many).
  `ALTER TABLE {schema}.traces ADD COLUMN saved_ms double precision;
   UPDATE {schema}.traces SET saved_ms = started_ms;
   CREATE INDEX traces_saved ON {schema}.traces (saved_ms);
   CREATE TABLE {schema}.counters (name text PRIMARY KEY, value bigint NOT NULL);
   INSERT INTO {schema}.counters (name, value) VALUES ('requests_dropped', 0), ('traces_evicted', 0);`,
  // 5: the order spans were stored in (\`seq\`, from a sequence), which orders spans that start
  // at the same nanosecond (the order they were recorded or received, as in memory). Spans
  // stored before get one in the order they were listed until now: by start, then span id.
  `ALTER TABLE {schema}.spans ADD COLUMN seq bigint;
   UPDATE {schema}.spans AS s SET seq = ordered.n
     FROM (SELECT trace_id, span_id, row_number() OVER (ORDER BY start_ns, span_id) AS n FROM {schema}.spans) AS ordered
     WHERE s.trace_id = ordered.trace_id AND s.span_id = ordered.span_id;
   CREATE SEQUENCE {schema}.spans_seq OWNED BY {schema}.spans.seq;
   SELECT setval('{schema}.spans_seq', (SELECT coalesce(max(seq), 0) + 1 FROM {schema}.spans), false);
   ALTER TABLE {schema}.spans ALTER COLUMN seq SET DEFAULT nextval('{schema}.spans_seq');`,
  // 6: when each trace started for the toolbar (\`opened_ms\`), which goes first over maxTraces
  // and maxAgeMs, as in memory: a recorded request's trace by its request's start, another
  // by when it was first stored. Traces stored before: by their request's start while the
  // request is stored, else as until now.
  `ALTER TABLE {schema}.traces ADD COLUMN opened_ms double precision;
   UPDATE {schema}.traces AS t SET opened_ms = LEAST(
     COALESCE(t.saved_ms, t.started_ms),
     (SELECT r.started_ms FROM {schema}.requests AS r WHERE r.id = t.request_id));
   CREATE INDEX traces_opened ON {schema}.traces (opened_ms);`,
  // 7: each trace's start and duration as its waterfall draws them (\`listed_started_ms\`,
  // \`listed_duration_ms\`: after the clock-skew adjustment for a trace of several services),
  // which the list shows, filters and orders by (the index of the start as received goes:
  // nothing reads that any more). A trace of one service is never moved: its
  // figures as received. A trace of several services stored before is left NULL here and
  // computed from its spans in the same transaction (\`PostgresStore\`'s \`fillListedTimes\`).
  `ALTER TABLE {schema}.traces ADD COLUMN listed_started_ms double precision;
   ALTER TABLE {schema}.traces ADD COLUMN listed_duration_ms double precision;
   UPDATE {schema}.traces SET listed_started_ms = started_ms, listed_duration_ms = duration_ms WHERE jsonb_array_length(services) < 2;
   CREATE INDEX traces_listed_started ON {schema}.traces (listed_started_ms);
   DROP INDEX {schema}.traces_started;`,
]
