-- The monitor's tables, in chrono-perf's own schema (Flyway runs this with search_path chrono_perf).
--
-- Upgrade: an installation of the earlier layout has these tables in schema perf, created by the
-- admin platform's migrations V4 and V5; they are moved here with their rows and indexes.
DO $$
BEGIN
    IF to_regclass('perf.database_samples') IS NOT NULL AND to_regclass('public.flyway_schema_history') IS NOT NULL THEN
        IF EXISTS (SELECT 1 FROM public.flyway_schema_history WHERE script = 'V4__perf_history.sql' AND success) THEN
            ALTER TABLE perf.database_samples SET SCHEMA chrono_perf;
            ALTER TABLE perf.statements SET SCHEMA chrono_perf;
            ALTER TABLE perf.statement_samples SET SCHEMA chrono_perf;
            RAISE NOTICE 'moved the monitoring history from schema perf to chrono_perf';
        END IF;
        IF to_regclass('perf.alerts') IS NOT NULL
           AND EXISTS (SELECT 1 FROM public.flyway_schema_history WHERE script = 'V5__perf_alerts.sql' AND success) THEN
            ALTER TABLE perf.alerts SET SCHEMA chrono_perf;
        END IF;
    END IF;
END
$$;

-- History of the monitor's snapshots, compact and append-only. Time-range reads use BRIN indexes
-- (rows arrive in time order); retention deletes by time.
CREATE TABLE IF NOT EXISTS database_samples (
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
CREATE INDEX IF NOT EXISTS database_samples_taken_at ON database_samples USING brin (taken_at);

-- Statement texts once; the samples carry the cumulative counters of pg_stat_statements, and the
-- deltas between two samples are computed when read (so a reset of the statistics shows as a
-- negative delta, which the reader drops, instead of corrupting stored deltas).
CREATE TABLE IF NOT EXISTS statements (
    queryid    bigint      PRIMARY KEY,
    query      text        NOT NULL,
    first_seen timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS statement_samples (
    taken_at    timestamptz      NOT NULL,
    queryid     bigint           NOT NULL,
    calls       bigint           NOT NULL,
    total_ms    double precision NOT NULL,
    max_ms      double precision NOT NULL,
    rows        bigint           NOT NULL,
    shared_hit  bigint           NOT NULL,
    shared_read bigint           NOT NULL
);
CREATE INDEX IF NOT EXISTS statement_samples_taken_at ON statement_samples USING brin (taken_at);
CREATE INDEX IF NOT EXISTS statement_samples_queryid ON statement_samples (queryid, taken_at);

-- Alerts. At most one open alert per rule: the partial unique index lets several instances
-- evaluate at once while the alert opens once (INSERT ... ON CONFLICT DO NOTHING).
CREATE TABLE IF NOT EXISTS alerts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule         text             NOT NULL,
    metric       text             NOT NULL,
    severity     text             NOT NULL CHECK (severity IN ('warning', 'critical')),
    value        double precision NOT NULL,
    peak         double precision NOT NULL,
    threshold    double precision NOT NULL,
    message      text             NOT NULL,
    started_at   timestamptz      NOT NULL,
    last_seen_at timestamptz      NOT NULL,
    resolved_at  timestamptz,
    CHECK (resolved_at IS NULL OR resolved_at >= started_at)
);
CREATE UNIQUE INDEX IF NOT EXISTS alerts_one_open_per_rule ON alerts (rule) WHERE resolved_at IS NULL;
CREATE INDEX IF NOT EXISTS alerts_started_at ON alerts (started_at);

-- The earlier layout's schema goes once nothing of it is left.
DO $$
BEGIN
    IF to_regnamespace('perf') IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM pg_class WHERE relnamespace = to_regnamespace('perf')) THEN
        DROP SCHEMA perf;
    END IF;
END
$$;
