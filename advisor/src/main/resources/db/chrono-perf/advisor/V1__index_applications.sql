-- The advisor's table, in chrono-perf's own schema (Flyway runs this with search_path chrono_perf):
-- indexes applied by the advisor, with the proof (the read-only workload timed before and after).
--
-- Upgrade: the earlier layout had it in schema perf (the admin platform's migration V6); it is
-- moved here with its rows.
DO $$
BEGIN
    IF to_regclass('perf.index_applications') IS NOT NULL AND to_regclass('public.flyway_schema_history') IS NOT NULL THEN
        IF EXISTS (SELECT 1 FROM public.flyway_schema_history WHERE script = 'V6__perf_index_applications.sql' AND success) THEN
            ALTER TABLE perf.index_applications SET SCHEMA chrono_perf;
        END IF;
    END IF;
END
$$;

CREATE TABLE IF NOT EXISTS index_applications (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    applied_at timestamptz      NOT NULL DEFAULT now(),
    ddl        text[]           NOT NULL,
    before_ms  double precision,
    after_ms   double precision,
    outcome    jsonb            NOT NULL
);

DO $$
BEGIN
    IF to_regnamespace('perf') IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM pg_class WHERE relnamespace = to_regnamespace('perf')) THEN
        DROP SCHEMA perf;
    END IF;
END
$$;
