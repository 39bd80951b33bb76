/**
 * The SQLite schema, as ordered migrations: `SQLITE_MIGRATIONS[n - 1]` brings a database
 * to version n. Never edit a released migration; add the next one.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  // 1: requests with their panel stats, spans, and one summary line per trace.
  `CREATE TABLE requests (
     id TEXT PRIMARY KEY, method TEXT NOT NULL, path TEXT NOT NULL, route TEXT, status INTEGER,
     started_at TEXT NOT NULL, started_ms REAL NOT NULL, duration_ms REAL, trace_id TEXT,
     panels TEXT NOT NULL, nav TEXT NOT NULL, saved_ms REAL NOT NULL
   );
   CREATE INDEX requests_started ON requests (started_ms);
   CREATE TABLE spans (
     trace_id TEXT NOT NULL, span_id TEXT NOT NULL, parent_span_id TEXT, name TEXT NOT NULL, kind TEXT NOT NULL,
     start_ns INTEGER NOT NULL, end_ns INTEGER, service TEXT, source TEXT NOT NULL, status_code TEXT NOT NULL,
     attributes TEXT NOT NULL, events TEXT NOT NULL, links TEXT NOT NULL, status TEXT NOT NULL,
     resource TEXT NOT NULL, scope TEXT NOT NULL,
     PRIMARY KEY (trace_id, span_id)
   );
   CREATE INDEX spans_service ON spans (service);
   CREATE INDEX spans_start ON spans (start_ns);
   CREATE TABLE traces (
     trace_id TEXT PRIMARY KEY, request_id TEXT, root_name TEXT NOT NULL, services TEXT NOT NULL,
     sources TEXT NOT NULL, span_count INTEGER NOT NULL, started_ms REAL NOT NULL,
     duration_ms REAL NOT NULL, error INTEGER NOT NULL
   );
   CREATE INDEX traces_started ON traces (started_ms);`,
  // 2: which process (host:pid) wrote each request and span, for apps that run as several.
  `ALTER TABLE requests ADD COLUMN instance TEXT;
   ALTER TABLE spans ADD COLUMN instance TEXT;
   CREATE INDEX requests_trace ON requests (trace_id);`,
  // 3: the span fields without a column of their own (tracestate, flags, dropped counts), as JSON.
  `ALTER TABLE spans ADD COLUMN extra TEXT;`,
  // 4: when each trace was first stored (the oldest stored goes first over maxTraces, as in
  // memory), and how many requests and traces the bounds pruned (the lists say how many).
  `ALTER TABLE traces ADD COLUMN saved_ms REAL;
   UPDATE traces SET saved_ms = started_ms;
   CREATE INDEX traces_saved ON traces (saved_ms);
   CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
   INSERT INTO counters (name, value) VALUES ('requests_dropped', 0), ('traces_evicted', 0);`,
  // 5: the order spans were stored in (\`seq\`), which orders spans that start at the same
  // nanosecond (the order they were recorded or received, as in memory). Spans stored
  // before get one in the order they were listed until now: by start, then span id.
  `ALTER TABLE spans ADD COLUMN seq INTEGER;
   UPDATE spans SET seq = ordered.n
     FROM (SELECT rowid AS id, row_number() OVER (ORDER BY start_ns, span_id) AS n FROM spans) AS ordered
     WHERE spans.rowid = ordered.id;
   CREATE INDEX spans_seq ON spans (seq);`,
  // 6: when each trace started for the toolbar (\`opened_ms\`), which goes first over maxTraces
  // and maxAgeMs, as in memory: a recorded request's trace by its request's start, another
  // by when it was first stored. Traces stored before: by their request's start while the
  // request is stored, else as until now.
  `ALTER TABLE traces ADD COLUMN opened_ms REAL;
   UPDATE traces SET opened_ms = min(
     COALESCE(saved_ms, started_ms),
     COALESCE((SELECT requests.started_ms FROM requests WHERE requests.id = traces.request_id), COALESCE(saved_ms, started_ms)));
   CREATE INDEX traces_opened ON traces (opened_ms);`,
  // 7: each trace's start and duration as its waterfall draws them (\`listed_started_ms\`,
  // \`listed_duration_ms\`: after the clock-skew adjustment for a trace of several services),
  // which the list shows, filters and orders by (the index of the start as received goes:
  // nothing reads that any more). A trace of one service is never moved: its
  // figures as received. A trace of several services stored before is left NULL here and
  // computed from its spans in the same transaction (\`SqliteStore\`'s \`fillListedTimes\`).
  `ALTER TABLE traces ADD COLUMN listed_started_ms REAL;
   ALTER TABLE traces ADD COLUMN listed_duration_ms REAL;
   UPDATE traces SET listed_started_ms = started_ms, listed_duration_ms = duration_ms WHERE json_array_length(services) < 2;
   CREATE INDEX traces_listed_started ON traces (listed_started_ms);
   DROP INDEX traces_started;`,
  // 8: a span an older release still running writes after migration 5 (it knows no \`seq\`)
  // takes the next number as it is inserted, as PostgreSQL's column default gives it one, so
  // it is listed among the spans that start at the same nanosecond in the order it was
  // written (without one it sorted first). Those written so far: after the others, in the
  // order they were written.
  `UPDATE spans SET seq = ordered.n
     FROM (SELECT rowid AS id, (SELECT coalesce(max(seq), 0) FROM spans) + row_number() OVER (ORDER BY rowid) AS n
           FROM spans WHERE seq IS NULL) AS ordered
     WHERE spans.rowid = ordered.id;
   CREATE TRIGGER spans_seq AFTER INSERT ON spans WHEN NEW.seq IS NULL
   BEGIN UPDATE spans SET seq = (SELECT coalesce(max(seq), 0) + 1 FROM spans) WHERE rowid = NEW.rowid; END;`,
]
