-- History of the monitor's snapshots, in their own schema, compact and append-only. Time-range
-- reads use BRIN indexes (rows arrive in time order); retention deletes by time.
CREATE SCHEMA IF NOT EXISTS perf;

CREATE TABLE perf.database_samples (
    taken_at        timestamptz NOT NULL,
    commits         bigint      NOT NULL,
    rollbacks       bigint      NOT NULL,
    blocks_hit      bigint      NOT NULL,
    blocks_read     bigint      NOT NULL,
    deadlocks       bigint      NOT NULL,
    temp_bytes      bigint      NOT NULL,
    connections     integer     NOT NULL,
    active          integer     NOT NULL,
    idle_in_tx      integer     NOT NULL,
    max_connections integer     NOT NULL,
    blocked         integer     NOT NULL,
    long_running    integer     NOT NULL
);
CREATE INDEX database_samples_taken_at ON perf.database_samples USING brin (taken_at);

-- Statement texts once; the samples carry the cumulative counters of pg_stat_statements, and the
-- deltas between two samples are computed when read (so a reset of the statistics shows as a
-- negative delta, which the reader drops, instead of corrupting stored deltas).
CREATE TABLE perf.statements (
    queryid    bigint      PRIMARY KEY,
    query      text        NOT NULL,
    first_seen timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE perf.statement_samples (
    taken_at    timestamptz      NOT NULL,
    queryid     bigint           NOT NULL,
    calls       bigint           NOT NULL,
    total_ms    double precision NOT NULL,
    max_ms      double precision NOT NULL,
    rows        bigint           NOT NULL,
    shared_hit  bigint           NOT NULL,
    shared_read bigint           NOT NULL
);
CREATE INDEX statement_samples_taken_at ON perf.statement_samples USING brin (taken_at);
CREATE INDEX statement_samples_queryid ON perf.statement_samples (queryid, taken_at);
